-- Search documents in tables of their own (issue 19: votes on one hot post). 0024 kept them in
-- generated columns of posts and comments, the rows every vote updates: PostgreSQL 15 computes
-- a stored generated column again on every UPDATE of its row, whatever the UPDATE changes, and a
-- score update is never HOT (score and the ranks are indexed), so each one parsed the title and
-- body into a tsvector again and added an entry per lexeme to the GIN index (measured on a
-- 40,000-character body: 1.33 ms per score update instead of 0.50 ms). Here a document is
-- written only when its text or its visibility changes, by the triggers below.
--
-- As 0024's partial indexes did, only visible content is indexed: a row exists here only for a
-- post or comment that is neither deleted nor removed (a comment under a hidden post keeps its
-- row; the searches hide it with its post, as before), written in the same transaction as the
-- change that hides or shows it. A row also carries what the searches filter on (the author, and
-- the community or the post, which never change), so that a search of posts reads one table, as
-- it read posts before: the planner weighs the GIN index against the primary key read backwards
-- on one table's statistics (joined to posts, a rare word on the bench's million posts was
-- planned with parallel workers, 8 ms, or as a parallel scan of posts, 140 ms; alone, 0.06 ms).
--
-- Lock order: posts -> post_search and comments -> comment_search (nothing locks a document
-- before its post or comment), after the vote triggers' post_votes -> posts -> users.

-- The documents of 0024, as functions so that the triggers and the bench's loader agree.
CREATE FUNCTION agora_post_document(title text, body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector('english', title), 'A')
       || setweight(to_tsvector('english', coalesce(body, '')), 'B');

CREATE FUNCTION agora_comment_document(body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_tsvector('english', body);

CREATE TABLE post_search (
    post_id bigint PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    author_id bigint NOT NULL,
    community_id bigint NOT NULL,
    document tsvector NOT NULL
);
CREATE TABLE comment_search (
    comment_id bigint PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    post_id bigint NOT NULL,
    author_id bigint NOT NULL,
    document tsvector NOT NULL
);

-- The documents already computed are moved, not computed again.
INSERT INTO post_search (post_id, author_id, community_id, document)
SELECT id, author_id, community_id, search FROM posts
 WHERE deleted_at IS NULL AND removed_at IS NULL;
INSERT INTO comment_search (comment_id, post_id, author_id, document)
SELECT id, post_id, author_id, search FROM comments
 WHERE deleted_at IS NULL AND removed_at IS NULL;

CREATE INDEX post_search_document ON post_search USING gin (document);
CREATE INDEX comment_search_document ON comment_search USING gin (document);
-- The searches choose between the primary key and the GIN index by these statistics: none
-- until autovacuum came by would plan every word alike.
ANALYZE post_search, comment_search;

DROP INDEX posts_search;
DROP INDEX comments_search;
ALTER TABLE posts DROP COLUMN search;
ALTER TABLE comments DROP COLUMN search;

-- Deliberate repeat: one function per table (a trigger function reads its own table's columns).
CREATE FUNCTION post_search_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deleted_at IS NULL AND NEW.removed_at IS NULL THEN
        INSERT INTO post_search (post_id, author_id, community_id, document)
        VALUES (NEW.id, NEW.author_id, NEW.community_id, agora_post_document(NEW.title, NEW.body))
            ON CONFLICT (post_id) DO UPDATE
            SET author_id = EXCLUDED.author_id, community_id = EXCLUDED.community_id,
                document = EXCLUDED.document;
    ELSE
        DELETE FROM post_search WHERE post_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION comment_search_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deleted_at IS NULL AND NEW.removed_at IS NULL THEN
        INSERT INTO comment_search (comment_id, post_id, author_id, document)
        VALUES (NEW.id, NEW.post_id, NEW.author_id, agora_comment_document(NEW.body))
            ON CONFLICT (comment_id) DO UPDATE
            SET post_id = EXCLUDED.post_id, author_id = EXCLUDED.author_id,
                document = EXCLUDED.document;
    ELSE
        DELETE FROM comment_search WHERE comment_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

-- `UPDATE OF` these columns: an UPDATE that does not name them (a vote's score, a new
-- comment's count) does not fire the trigger at all; WHEN skips one that names them without
-- changing them.
CREATE TRIGGER posts_search_inserted AFTER INSERT ON posts
    FOR EACH ROW EXECUTE FUNCTION post_search_kept();
CREATE TRIGGER posts_search_updated
    AFTER UPDATE OF title, body, deleted_at, removed_at, author_id, community_id ON posts
    FOR EACH ROW
    WHEN ((OLD.title, OLD.body, OLD.deleted_at IS NULL AND OLD.removed_at IS NULL,
           OLD.author_id, OLD.community_id)
          IS DISTINCT FROM (NEW.title, NEW.body, NEW.deleted_at IS NULL AND NEW.removed_at IS NULL,
                            NEW.author_id, NEW.community_id))
    EXECUTE FUNCTION post_search_kept();
CREATE TRIGGER comments_search_inserted AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION comment_search_kept();
CREATE TRIGGER comments_search_updated
    AFTER UPDATE OF body, deleted_at, removed_at, post_id, author_id ON comments
    FOR EACH ROW
    WHEN ((OLD.body, OLD.deleted_at IS NULL AND OLD.removed_at IS NULL, OLD.post_id, OLD.author_id)
          IS DISTINCT FROM (NEW.body, NEW.deleted_at IS NULL AND NEW.removed_at IS NULL,
                            NEW.post_id, NEW.author_id))
    EXECUTE FUNCTION comment_search_kept();
