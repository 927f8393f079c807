-- Full-text search (issue 17) and the sorts Lemmy users reach for.
--
-- Posts and comments keep their search document in a generated column: PostgreSQL recomputes it
-- on every insert and edit, so it can never disagree with the text. Communities and users are
-- searched through expression indexes instead, because their whole rows are embedded in views
-- (post_views' `author` and `community`, 0010): a tsvector column there would travel with every
-- listed post. The expressions are functions, so that the index and the queries cannot drift.

ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', coalesce(body, '')), 'B')
) STORED;
ALTER TABLE comments ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', body)
) STORED;

-- Only visible content is ever searched, so only visible content is indexed.
CREATE INDEX posts_search ON posts USING gin (search)
    WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX comments_search ON comments USING gin (search)
    WHERE deleted_at IS NULL AND removed_at IS NULL;

CREATE FUNCTION agora_community_document(name text, title text, description text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector('english', replace(name, '_', ' ') || ' ' || title), 'A')
       || setweight(to_tsvector('english', description), 'B');

-- Display names are names, not English: no stemming, no stop words.
CREATE FUNCTION agora_user_document(display_name text, bio text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector('simple', coalesce(display_name, '')), 'A')
       || setweight(to_tsvector('english', coalesce(bio, '')), 'B');

CREATE INDEX communities_search ON communities
    USING gin (agora_community_document(name, title, description));
CREATE INDEX users_search ON users USING gin (agora_user_document(display_name, bio));

-- MOST_COMMENTS and NEW_COMMENTS (the post with the newest comment first: last_activity_at is
-- the post's creation until its first comment, as Lemmy's newest_comment_time), one index per
-- sort and scope like the others (0001).
CREATE INDEX posts_most_comments ON posts (comment_count DESC, id DESC)
    WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_new_comments ON posts (last_activity_at DESC, id DESC)
    WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_community_most_comments ON posts (community_id, comment_count DESC, id DESC)
    WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_community_new_comments ON posts (community_id, last_activity_at DESC, id DESC)
    WHERE deleted_at IS NULL AND removed_at IS NULL;
