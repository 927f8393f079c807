-- Deliberate repeat: notify() of 0023 restated whole with one more condition (a function is
-- redefined whole).
-- Nobody is notified by someone they block (issue 17: "never from someone you block"). notify()
-- (0023) is older than user_blocks (0025): it gets the condition now that the table exists.
CREATE OR REPLACE FUNCTION notify(
    recipients bigint[], kind text, event_key text, actor bigint,
    post bigint, comment bigint, community bigint, governor bytea, proposal numeric
) RETURNS SETOF notifications LANGUAGE sql AS $$
    INSERT INTO notifications (user_id, kind, actor_id, post_id, comment_id, community_id,
                               governor, proposal_id, event_key)
    SELECT DISTINCT r, kind, actor, post, comment, community, governor, proposal, event_key
      FROM unnest(recipients) AS r
     WHERE r IS NOT NULL
       -- Never for your own actions.
       AND r IS DISTINCT FROM actor
       -- Never from someone the recipient blocks.
       AND NOT EXISTS (
           SELECT 1 FROM user_blocks b WHERE b.blocker_id = r AND b.blocked_id = actor
       )
    ON CONFLICT (user_id, kind, event_key) DO NOTHING
    RETURNING *;
$$;
