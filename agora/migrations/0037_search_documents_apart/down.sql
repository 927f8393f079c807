-- Deliberate repeat: restores 0024's generated columns and partial GIN indexes verbatim (a
-- reversible migration repeats what it undoes). The columns are computed again from the text.
DROP TRIGGER posts_search_inserted ON posts;
DROP TRIGGER posts_search_updated ON posts;
DROP TRIGGER comments_search_inserted ON comments;
DROP TRIGGER comments_search_updated ON comments;
DROP FUNCTION post_search_kept();
DROP FUNCTION comment_search_kept();
DROP TABLE post_search;
DROP TABLE comment_search;
DROP FUNCTION agora_post_document(text, text);
DROP FUNCTION agora_comment_document(text);

ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', coalesce(body, '')), 'B')
) STORED;
ALTER TABLE comments ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('english', body)
) STORED;

CREATE INDEX posts_search ON posts USING gin (search)
    WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX comments_search ON comments USING gin (search)
    WHERE deleted_at IS NULL AND removed_at IS NULL;
