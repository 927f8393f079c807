-- Deliberate repeat: restores 0034's votes_applied() and its type verbatim (a reversible migration
-- repeats what it undoes).
-- One changed vote row: +1 for a row the statement wrote, -1 for a row it replaced or deleted.
CREATE TYPE vote_change AS (target bigint, value smallint, sign integer);

CREATE OR REPLACE FUNCTION votes_applied() RETURNS trigger LANGUAGE plpgsql AS $$
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
