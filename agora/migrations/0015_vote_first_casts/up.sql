-- Deliberate repeats: each function says its statements once per kind of vote (static
-- statements, no table name assembled, so that each keeps its cached plan).
-- A vote keeps the time of its first cast when it is withdrawn and cast again. A reward epoch
-- counts the votes whose time falls in it (ledger/epochs.sql, epoch_scores), so a vote counted
-- in a closed epoch, withdrawn, then cast again later would otherwise count again in a later
-- epoch: each voter's vote on an item now earns its author once at most.
--
-- Only a vote whose epoch had ended when it was withdrawn is remembered: that epoch counted it
-- (or will, at its close). A vote withdrawn while its epoch is still running was never counted,
-- so cast again it is a new vote and counts in the epoch it is cast in. (The one edge: a vote
-- withdrawn between its epoch's end and that epoch's close, during the grace period, counts in
-- neither epoch.)
--
-- Only withdrawn votes are remembered here (a withdrawal deletes the vote's row), so the votes'
-- tables and their scoring stay as they were. The first cast is restored after the insert, not
-- before it: an insert that waited for a concurrent withdrawal of the same vote (its primary
-- key) runs this trigger once the withdrawal has committed, and so sees what it recorded.

CREATE TABLE withdrawn_post_votes (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    first_cast_at timestamptz NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE withdrawn_comment_votes (
    comment_id bigint NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    first_cast_at timestamptz NOT NULL,
    PRIMARY KEY (comment_id, user_id)
);

-- Whether the reward epoch a vote cast at `cast_at` falls in has ended: the vote is older than
-- the community's open epoch, or that epoch is over (closing, after its grace period). Before a
-- community's first epoch opens (the ledger opens it once the token is mirrored), no vote has
-- been counted yet.
CREATE FUNCTION vote_epoch_has_ended(community bigint, cast_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT cast_at < e.starts_at OR e.ends_at <= now()
                       FROM reward_epochs AS e
                      WHERE e.community_id = community AND e.status = 'open'), false);
$$;

-- One function per job for both kinds of vote, as votes_apply (0010): static statements per
-- kind, not dynamic SQL, so each keeps its cached plan.
CREATE FUNCTION votes_withdrawn() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    community bigint;
BEGIN
    IF TG_TABLE_NAME = 'post_votes' THEN
        SELECT community_id INTO community FROM posts WHERE id = OLD.post_id;
    ELSE
        SELECT p.community_id INTO community
          FROM comments AS c JOIN posts AS p ON p.id = c.post_id
         WHERE c.id = OLD.comment_id;
    END IF;
    IF NOT vote_epoch_has_ended(community, OLD.created_at) THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'post_votes' THEN
        INSERT INTO withdrawn_post_votes (post_id, user_id, first_cast_at)
        VALUES (OLD.post_id, OLD.user_id, OLD.created_at)
            ON CONFLICT (post_id, user_id) DO UPDATE SET first_cast_at = EXCLUDED.first_cast_at
            WHERE withdrawn_post_votes.first_cast_at > EXCLUDED.first_cast_at;
    ELSE
        INSERT INTO withdrawn_comment_votes (comment_id, user_id, first_cast_at)
        VALUES (OLD.comment_id, OLD.user_id, OLD.created_at)
            ON CONFLICT (comment_id, user_id) DO UPDATE SET first_cast_at = EXCLUDED.first_cast_at
            WHERE withdrawn_comment_votes.first_cast_at > EXCLUDED.first_cast_at;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION votes_cast_again() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    first_cast timestamptz;
BEGIN
    IF TG_TABLE_NAME = 'post_votes' THEN
        SELECT first_cast_at INTO first_cast FROM withdrawn_post_votes
         WHERE post_id = NEW.post_id AND user_id = NEW.user_id;
        IF first_cast < NEW.created_at THEN
            UPDATE post_votes SET created_at = first_cast
             WHERE post_id = NEW.post_id AND user_id = NEW.user_id;
        END IF;
    ELSE
        SELECT first_cast_at INTO first_cast FROM withdrawn_comment_votes
         WHERE comment_id = NEW.comment_id AND user_id = NEW.user_id;
        IF first_cast < NEW.created_at THEN
            UPDATE comment_votes SET created_at = first_cast
             WHERE comment_id = NEW.comment_id AND user_id = NEW.user_id;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER post_votes_withdrawn AFTER DELETE ON post_votes
    FOR EACH ROW EXECUTE FUNCTION votes_withdrawn();
CREATE TRIGGER post_votes_cast_again AFTER INSERT ON post_votes
    FOR EACH ROW EXECUTE FUNCTION votes_cast_again();
CREATE TRIGGER comment_votes_withdrawn AFTER DELETE ON comment_votes
    FOR EACH ROW EXECUTE FUNCTION votes_withdrawn();
CREATE TRIGGER comment_votes_cast_again AFTER INSERT ON comment_votes
    FOR EACH ROW EXECUTE FUNCTION votes_cast_again();
