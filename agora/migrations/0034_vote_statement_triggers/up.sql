-- Deliberate repeats: the statement per kind of vote (static statements keep their plans), and
-- a trigger per table and event (a transition table serves one event).
-- Votes apply to their targets once per statement, not once per row (issue 19: votes on one hot
-- post). The API writes the votes cast on one target at the same moment in one statement
-- (api/votes/batches.py); with a row trigger that statement still updated the post's row once
-- per vote (each a new version of the row with an entry in every index of posts, and its
-- tsvector computed again), and the author's row as often. Statement triggers with transition
-- tables sum the statement's changes per target and per author, and update each once.
--
-- Lock order as before: vote rows -> posts or comments -> authors.

-- One changed vote row: +1 for a row the statement wrote, -1 for a row it replaced or deleted.
CREATE TYPE vote_change AS (target bigint, value smallint, sign integer);

CREATE FUNCTION votes_applied() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes vote_change[];
    target_ids bigint[];
    score_deltas integer[];
    up_deltas integer[];
    down_deltas integer[];
BEGIN
    -- Each event has only its own transition tables: static statements per table and event,
    -- so each keeps its cached plan.
    IF TG_TABLE_NAME = 'post_votes' THEN
        IF TG_OP = 'INSERT' THEN
            changes := ARRAY(SELECT (post_id, value, 1)::vote_change FROM new_votes);
        ELSIF TG_OP = 'DELETE' THEN
            changes := ARRAY(SELECT (post_id, value, -1)::vote_change FROM old_votes);
        ELSE
            changes := ARRAY(SELECT (post_id, value, 1)::vote_change FROM new_votes
                             UNION ALL SELECT (post_id, value, -1)::vote_change FROM old_votes);
        END IF;
    ELSE
        IF TG_OP = 'INSERT' THEN
            changes := ARRAY(SELECT (comment_id, value, 1)::vote_change FROM new_votes);
        ELSIF TG_OP = 'DELETE' THEN
            changes := ARRAY(SELECT (comment_id, value, -1)::vote_change FROM old_votes);
        ELSE
            changes := ARRAY(SELECT (comment_id, value, 1)::vote_change FROM new_votes
                             UNION ALL SELECT (comment_id, value, -1)::vote_change FROM old_votes);
        END IF;
    END IF;
    -- The statement's net change per target; none for a target whose votes only moved in time.
    SELECT array_agg(target), array_agg(delta), array_agg(ups), array_agg(downs)
      INTO target_ids, score_deltas, up_deltas, down_deltas
      FROM (SELECT target,
                   sum(value * sign)::integer AS delta,
                   sum((value = 1)::integer * sign)::integer AS ups,
                   sum((value = -1)::integer * sign)::integer AS downs
              FROM unnest(changes)
             GROUP BY target) AS sums
     WHERE (delta, ups, downs) <> (0, 0, 0);
    IF target_ids IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'post_votes' THEN
        WITH scored AS (
            UPDATE posts AS p
               SET score = p.score + s.delta, upvotes = p.upvotes + s.ups,
                   downvotes = p.downvotes + s.downs
              FROM unnest(target_ids, score_deltas, up_deltas, down_deltas)
                   AS s (target, delta, ups, downs)
             WHERE p.id = s.target
            RETURNING p.author_id, s.delta
        )
        UPDATE users AS u SET post_karma = u.post_karma + k.delta
          FROM (SELECT author_id, sum(delta)::integer AS delta FROM scored GROUP BY author_id) AS k
         WHERE u.id = k.author_id AND k.delta <> 0;
    ELSE
        WITH scored AS (
            UPDATE comments AS m
               SET score = m.score + s.delta, upvotes = m.upvotes + s.ups,
                   downvotes = m.downvotes + s.downs
              FROM unnest(target_ids, score_deltas, up_deltas, down_deltas)
                   AS s (target, delta, ups, downs)
             WHERE m.id = s.target
            RETURNING m.author_id, s.delta
        )
        UPDATE users AS u SET comment_karma = u.comment_karma + k.delta
          FROM (SELECT author_id, sum(delta)::integer AS delta FROM scored GROUP BY author_id) AS k
         WHERE u.id = k.author_id AND k.delta <> 0;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER post_votes_apply ON post_votes;
DROP TRIGGER comment_votes_apply ON comment_votes;
DROP FUNCTION votes_apply();

-- A trigger with transition tables fires on one event only. An INSERT ... ON CONFLICT DO
-- UPDATE fires both the INSERT and the UPDATE one, each with its own rows.
CREATE TRIGGER post_votes_inserted AFTER INSERT ON post_votes
    REFERENCING NEW TABLE AS new_votes
    FOR EACH STATEMENT EXECUTE FUNCTION votes_applied();
CREATE TRIGGER post_votes_updated AFTER UPDATE ON post_votes
    REFERENCING OLD TABLE AS old_votes NEW TABLE AS new_votes
    FOR EACH STATEMENT EXECUTE FUNCTION votes_applied();
CREATE TRIGGER post_votes_deleted AFTER DELETE ON post_votes
    REFERENCING OLD TABLE AS old_votes
    FOR EACH STATEMENT EXECUTE FUNCTION votes_applied();
CREATE TRIGGER comment_votes_inserted AFTER INSERT ON comment_votes
    REFERENCING NEW TABLE AS new_votes
    FOR EACH STATEMENT EXECUTE FUNCTION votes_applied();
CREATE TRIGGER comment_votes_updated AFTER UPDATE ON comment_votes
    REFERENCING OLD TABLE AS old_votes NEW TABLE AS new_votes
    FOR EACH STATEMENT EXECUTE FUNCTION votes_applied();
CREATE TRIGGER comment_votes_deleted AFTER DELETE ON comment_votes
    REFERENCING OLD TABLE AS old_votes
    FOR EACH STATEMENT EXECUTE FUNCTION votes_applied();
