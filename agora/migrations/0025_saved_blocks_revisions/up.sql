-- Deliberate repeat: its tables of pairs (who blocks what, and when) have the shape of 0001's
-- memberships and moderators.
-- Saved posts and comments, blocks of people and communities, and the history of edits.

-- What a member saved, newest first (Viewer.saved pages by (created_at, id) descending). A save
-- names a post or a comment, never both.
CREATE TABLE saved_items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    post_id bigint REFERENCES posts (id),
    comment_id bigint REFERENCES comments (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((post_id IS NULL) <> (comment_id IS NULL))
);
CREATE UNIQUE INDEX saved_items_post ON saved_items (user_id, post_id) WHERE post_id IS NOT NULL;
CREATE UNIQUE INDEX saved_items_comment
    ON saved_items (user_id, comment_id) WHERE comment_id IS NOT NULL;
CREATE INDEX saved_items_newest ON saved_items (user_id, created_at DESC, id DESC);

-- A blocker no longer sees what the blocked person writes, and is not notified by them
-- (notifications join this table by (blocker_id, blocked_id)).
CREATE TABLE user_blocks (
    blocker_id bigint NOT NULL REFERENCES users (id),
    blocked_id bigint NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);

-- A blocked community's posts are gone from the member's front page.
CREATE TABLE community_blocks (
    user_id bigint NOT NULL REFERENCES users (id),
    community_id bigint NOT NULL REFERENCES communities (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, community_id)
);

-- Peepeth: an edit never silently rewrites what was written. Every change of a post's title or
-- text keeps the version it replaced, written by the database in the edit's own transaction so
-- that no path that edits can forget it. `edited_at` is when the edit replaced that version.
CREATE TABLE post_revisions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES posts (id),
    title text NOT NULL,
    body text,
    edited_at timestamptz NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions (post_id, id);

CREATE TABLE comment_revisions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment_id bigint NOT NULL REFERENCES comments (id),
    body text NOT NULL,
    edited_at timestamptz NOT NULL
);
CREATE INDEX comment_revisions_comment ON comment_revisions (comment_id, id);

CREATE FUNCTION keep_post_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO post_revisions (post_id, title, body, edited_at)
    VALUES (OLD.id, OLD.title, OLD.body, coalesce(NEW.edited_at, now()));
    RETURN NULL;
END;
$$;

CREATE TRIGGER post_revisions_kept
    AFTER UPDATE OF title, body ON posts
    FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body)
    EXECUTE FUNCTION keep_post_revision();

CREATE FUNCTION keep_comment_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO comment_revisions (comment_id, body, edited_at)
    VALUES (OLD.id, OLD.body, coalesce(NEW.edited_at, now()));
    RETURN NULL;
END;
$$;

CREATE TRIGGER comment_revisions_kept
    AFTER UPDATE OF body ON comments
    FOR EACH ROW
    WHEN (OLD.body IS DISTINCT FROM NEW.body)
    EXECUTE FUNCTION keep_comment_revision();
