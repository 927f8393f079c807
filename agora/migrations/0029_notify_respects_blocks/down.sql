-- Deliberate repeat: restores 0023's notify() verbatim (a reversible migration repeats what it
-- undoes).
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
    ON CONFLICT (user_id, kind, event_key) DO NOTHING
    RETURNING *;
$$;
