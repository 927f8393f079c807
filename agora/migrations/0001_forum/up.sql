-- Deliberate repeats (applied history: never edited): a vote function per table, and views
-- and functions that later migrations restate whole (PostgreSQL redefines them whole).
-- The forum core: users, sessions, communities, posts, comments, votes and moderation.
--
-- Derived numbers (scores, counts, karma) are kept by the database: vote triggers apply each
-- vote's delta under the row lock of its target, so concurrent votes keep scores exact.
-- Lock order, to keep concurrent writers from deadlocking: vote row -> post/comment -> author.
--
-- Ranks are stored, not computed per request. Reddit's hot formula adds a time term that only
-- depends on the creation time, so a post's hot rank changes only when its score does: it is a
-- generated column, and listings read it straight from an index.

CREATE FUNCTION agora_epoch(ts timestamptz) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    -- The epoch of a timestamptz does not depend on the session time zone, so this is immutable
    -- (date_part is only marked stable because other fields of it do depend on it).
    RETURN date_part('epoch', ts AT TIME ZONE 'UTC');

-- Reddit's hot rank: order of magnitude of the score plus 1 per 12.5 hours of recency.
CREATE FUNCTION agora_hot_rank(score integer, ts timestamptz) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN sign(score) * log(greatest(abs(score), 1)) + (agora_epoch(ts) - 1134028003) / 45000.0;

-- Reddit's controversy: many votes, evenly split.
CREATE FUNCTION agora_controversy(ups integer, downs integer) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN ups <= 0 OR downs <= 0 THEN 0
                ELSE power(ups + downs, least(ups, downs)::double precision / greatest(ups, downs))
           END;

-- Reddit's "best" for comments: the lower bound of the Wilson score interval at 80% confidence.
CREATE FUNCTION agora_confidence(ups integer, downs integer) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN ups + downs = 0 THEN 0
                ELSE ((ups::double precision / (ups + downs)) + 1.281551565545 ^ 2 / (2 * (ups + downs))
                      - 1.281551565545 * sqrt((ups::double precision / (ups + downs))
                          * (1 - ups::double precision / (ups + downs)) / (ups + downs)
                          + 1.281551565545 ^ 2 / (4 * (ups + downs) ^ 2)))
                     / (1 + 1.281551565545 ^ 2 / (ups + downs))
           END;

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Lower-case hex; the checksummed form is derived for display.
    address text NOT NULL UNIQUE CHECK (address ~ '^0x[0-9a-f]{40}$'),
    display_name text CHECK (char_length(display_name) BETWEEN 1 AND 50),
    bio text CHECK (char_length(bio) <= 1000),
    post_karma integer NOT NULL DEFAULT 0,
    comment_karma integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    -- SHA-256 of the bearer token: a leaked table does not leak sessions.
    token_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE communities (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9_]{3,32}$'),
    title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 10000),
    description_html text NOT NULL DEFAULT '',
    rules text[] NOT NULL DEFAULT '{}' CHECK (cardinality(rules) <= 15),
    creator_id bigint NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    member_count integer NOT NULL DEFAULT 0,
    post_count integer NOT NULL DEFAULT 0,
    -- The on-chain twin (token, governor), filled in once the factory call is mined.
    chain_status text NOT NULL DEFAULT 'PENDING' CHECK (chain_status IN ('PENDING', 'CONFIRMED', 'FAILED')),
    token_address text,
    governor_address text
);
CREATE INDEX communities_popular ON communities (member_count DESC, id DESC);
CREATE INDEX communities_new ON communities (created_at DESC, id DESC);

CREATE TABLE memberships (
    community_id bigint NOT NULL REFERENCES communities (id),
    user_id bigint NOT NULL REFERENCES users (id),
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, user_id)
);
CREATE INDEX memberships_user_id ON memberships (user_id);

CREATE TABLE moderators (
    community_id bigint NOT NULL REFERENCES communities (id),
    user_id bigint NOT NULL REFERENCES users (id),
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, user_id)
);

CREATE TABLE bans (
    community_id bigint NOT NULL REFERENCES communities (id),
    user_id bigint NOT NULL REFERENCES users (id),
    moderator_id bigint NOT NULL REFERENCES users (id),
    reason text CHECK (char_length(reason) <= 500),
    expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, user_id)
);

CREATE TABLE posts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES communities (id),
    author_id bigint NOT NULL REFERENCES users (id),
    title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 300),
    body text CHECK (char_length(body) <= 40000),
    body_html text,
    url text CHECK (char_length(url) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    edited_at timestamptz,
    deleted_at timestamptz,
    removed_at timestamptz,
    score integer NOT NULL DEFAULT 0,
    upvotes integer NOT NULL DEFAULT 0,
    downvotes integer NOT NULL DEFAULT 0,
    comment_count integer NOT NULL DEFAULT 0,
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    hot_rank double precision GENERATED ALWAYS AS (agora_hot_rank(score, created_at)) STORED,
    -- "Active": hot, but recency counts from the newest comment (Lemmy's active sort).
    active_rank double precision GENERATED ALWAYS AS (agora_hot_rank(score, last_activity_at)) STORED,
    controversy_rank double precision GENERATED ALWAYS AS (agora_controversy(upvotes, downvotes)) STORED
);
-- One index per sort, front page and per community; only visible posts are listed.
CREATE INDEX posts_hot ON posts (hot_rank DESC, id DESC) WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_new ON posts (created_at DESC, id DESC) WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_top ON posts (score DESC, id DESC) WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_active ON posts (active_rank DESC, id DESC) WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_controversial ON posts (controversy_rank DESC, id DESC) WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_community_hot ON posts (community_id, hot_rank DESC, id DESC) WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_community_new ON posts (community_id, created_at DESC, id DESC) WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_community_top ON posts (community_id, score DESC, id DESC) WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_community_active ON posts (community_id, active_rank DESC, id DESC) WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_community_controversial ON posts (community_id, controversy_rank DESC, id DESC) WHERE deleted_at IS NULL AND removed_at IS NULL;
CREATE INDEX posts_author ON posts (author_id, created_at DESC, id DESC);

CREATE TABLE comments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES posts (id),
    parent_id bigint REFERENCES comments (id),
    -- Ids of the ancestors and the comment itself: ORDER BY path walks the tree in pre-order.
    path bigint[] NOT NULL,
    depth integer GENERATED ALWAYS AS (cardinality(path) - 1) STORED,
    author_id bigint NOT NULL REFERENCES users (id),
    body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 10000),
    body_html text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    edited_at timestamptz,
    deleted_at timestamptz,
    removed_at timestamptz,
    score integer NOT NULL DEFAULT 0,
    upvotes integer NOT NULL DEFAULT 0,
    downvotes integer NOT NULL DEFAULT 0,
    reply_count integer NOT NULL DEFAULT 0,
    confidence double precision GENERATED ALWAYS AS (agora_confidence(upvotes, downvotes)) STORED
);
CREATE INDEX comments_post_path ON comments (post_id, path);
CREATE INDEX comments_author ON comments (author_id, created_at DESC, id DESC);

CREATE TABLE post_votes (
    post_id bigint NOT NULL REFERENCES posts (id),
    user_id bigint NOT NULL REFERENCES users (id),
    value smallint NOT NULL CHECK (value IN (-1, 1)),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX post_votes_user ON post_votes (user_id, post_id);

CREATE TABLE comment_votes (
    comment_id bigint NOT NULL REFERENCES comments (id),
    user_id bigint NOT NULL REFERENCES users (id),
    value smallint NOT NULL CHECK (value IN (-1, 1)),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (comment_id, user_id)
);
CREATE INDEX comment_votes_user ON comment_votes (user_id, comment_id);

-- Applies one vote row's change to its post and to the author's karma.
CREATE FUNCTION post_votes_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_value integer := CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.value END;
    new_value integer := CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE NEW.value END;
    target bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.post_id ELSE NEW.post_id END;
    author bigint;
BEGIN
    IF old_value = new_value THEN
        RETURN NULL;
    END IF;
    UPDATE posts
       SET score = score + new_value - old_value,
           upvotes = upvotes + (new_value = 1)::integer - (old_value = 1)::integer,
           downvotes = downvotes + (new_value = -1)::integer - (old_value = -1)::integer
     WHERE id = target
    RETURNING author_id INTO author;
    UPDATE users SET post_karma = post_karma + new_value - old_value WHERE id = author;
    RETURN NULL;
END
$$;
CREATE TRIGGER post_votes_apply AFTER INSERT OR UPDATE OR DELETE ON post_votes
    FOR EACH ROW EXECUTE FUNCTION post_votes_apply();

CREATE FUNCTION comment_votes_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_value integer := CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.value END;
    new_value integer := CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE NEW.value END;
    target bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.comment_id ELSE NEW.comment_id END;
    author bigint;
BEGIN
    IF old_value = new_value THEN
        RETURN NULL;
    END IF;
    UPDATE comments
       SET score = score + new_value - old_value,
           upvotes = upvotes + (new_value = 1)::integer - (old_value = 1)::integer,
           downvotes = downvotes + (new_value = -1)::integer - (old_value = -1)::integer
     WHERE id = target
    RETURNING author_id INTO author;
    UPDATE users SET comment_karma = comment_karma + new_value - old_value WHERE id = author;
    RETURN NULL;
END
$$;
CREATE TRIGGER comment_votes_apply AFTER INSERT OR UPDATE OR DELETE ON comment_votes
    FOR EACH ROW EXECUTE FUNCTION comment_votes_apply();

CREATE TABLE reports (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES communities (id),
    reporter_id bigint NOT NULL REFERENCES users (id),
    post_id bigint REFERENCES posts (id),
    comment_id bigint REFERENCES comments (id),
    reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((post_id IS NULL) <> (comment_id IS NULL))
);
-- One open report per person and target: reporting twice does not pile up.
CREATE UNIQUE INDEX reports_once ON reports (reporter_id, coalesce(post_id, 0), coalesce(comment_id, 0));
CREATE INDEX reports_community ON reports (community_id, id DESC);

CREATE TABLE modlog (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES communities (id),
    moderator_id bigint NOT NULL REFERENCES users (id),
    action text NOT NULL CHECK (action IN ('REMOVE_POST', 'REMOVE_COMMENT', 'BAN_USER', 'UNBAN_USER')),
    target_user_id bigint REFERENCES users (id),
    target_post_id bigint REFERENCES posts (id),
    target_comment_id bigint REFERENCES comments (id),
    reason text CHECK (char_length(reason) <= 500),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX modlog_community ON modlog (community_id, id DESC);

-- A post joined with its author and community: what a listing shows, in one round trip.
-- (Lemmy's PostView.) Author columns are prefixed a_, community columns c_.
CREATE VIEW post_views AS
SELECT p.id, p.community_id, p.author_id, p.title, p.body, p.body_html, p.url, p.created_at,
       p.edited_at, p.deleted_at, p.removed_at, p.score, p.upvotes, p.downvotes,
       p.comment_count, p.last_activity_at, p.hot_rank, p.active_rank, p.controversy_rank,
       u.id AS a_id, u.address AS a_address, u.display_name AS a_display_name, u.bio AS a_bio,
       u.post_karma AS a_post_karma, u.comment_karma AS a_comment_karma,
       u.created_at AS a_created_at,
       c.id AS c_id, c.name AS c_name, c.title AS c_title, c.description AS c_description,
       c.description_html AS c_description_html, c.rules AS c_rules,
       c.creator_id AS c_creator_id, c.created_at AS c_created_at,
       c.member_count AS c_member_count, c.post_count AS c_post_count,
       c.chain_status AS c_chain_status, c.token_address AS c_token_address,
       c.governor_address AS c_governor_address
  FROM posts p
  JOIN users u ON u.id = p.author_id
  JOIN communities c ON c.id = p.community_id;

-- A comment joined with its author.
CREATE VIEW comment_views AS
SELECT m.id, m.post_id, m.parent_id, m.path, m.depth, m.author_id, m.body, m.body_html,
       m.created_at, m.edited_at, m.deleted_at, m.removed_at, m.score, m.upvotes, m.downvotes,
       m.reply_count, m.confidence, p.community_id,
       u.id AS a_id, u.address AS a_address, u.display_name AS a_display_name, u.bio AS a_bio,
       u.post_karma AS a_post_karma, u.comment_karma AS a_comment_karma,
       u.created_at AS a_created_at
  FROM comments m
  JOIN posts p ON p.id = m.post_id
  JOIN users u ON u.id = m.author_id;
