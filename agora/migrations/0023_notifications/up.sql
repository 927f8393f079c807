-- Deliberate repeats: a notifying trigger function per mirror table; 0029 restates notify()
-- whole (a function is redefined whole) and its down.sql restores this one verbatim.
-- The inbox: what happened to a person, written where it happens, each event at most once.
--
-- Every notification is written by `notify` below, whoever writes it: the API in the
-- transaction of a reply, a mention, a removal or a ban; the mirror's triggers in the indexer's
-- range transaction for what the chain decided (a proposal opened, an election, an
-- impeachment); the ledger when it books a paid epoch; the ledger's beat for a vote ending.
-- So the rules every kind obeys are in one place: never to the one who acted, never twice for
-- one event (`event_key` names the event: a retry, a replay of blocks or a second run of a task
-- inserts nothing), and never from someone the recipient blocks (see `notify`).

CREATE TABLE notifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('REPLY', 'MENTION', 'CONTENT_REMOVED', 'BANNED',
                                       'PROPOSAL_OPENED', 'PROPOSAL_ENDING', 'ELECTED',
                                       'IMPEACHED', 'REWARD_PAID')),
    -- Who did it, when a person did (null for what the community or the chain did).
    actor_id bigint REFERENCES users (id) ON DELETE SET NULL,
    post_id bigint REFERENCES posts (id),
    comment_id bigint REFERENCES comments (id),
    community_id bigint REFERENCES communities (id),
    -- A proposal is the chain's: (governor, id), as the mirror keys it.
    governor bytea,
    proposal_id numeric(78, 0),
    -- The event: 'comment:<id>', 'post:<id>', 'modlog:<id>', 'chain:<tx hex>:<log index>',
    -- 'proposal:<governor hex>:<id>', 'epoch:<community>:<number>'.
    event_key text NOT NULL CHECK (char_length(event_key) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz,
    UNIQUE (user_id, kind, event_key),
    CHECK ((governor IS NULL) = (proposal_id IS NULL))
);
-- The inbox, newest first, and its unread count.
CREATE INDEX notifications_inbox ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id, id DESC) WHERE read_at IS NULL;
-- A reorg forgets what orphaned blocks said, by their events' keys.
CREATE INDEX notifications_chain_event ON notifications (event_key)
    WHERE kind IN ('PROPOSAL_OPENED', 'ELECTED', 'IMPEACHED');

-- Notify each of `recipients` of one event; the rows actually written (a second call for the
-- same event writes none).
CREATE FUNCTION notify(
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
       -- Never from someone the recipient blocks: added by 0029, once user_blocks exists.
    ON CONFLICT (user_id, kind, event_key) DO NOTHING
    RETURNING *;
$$;

CREATE FUNCTION chain_event_key(tx_hash bytea, log_index integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'chain:' || encode(tx_hash, 'hex') || ':' || log_index;

-- A proposal created on-chain: PROPOSAL_OPENED to the members of its community, but its proposer.
CREATE FUNCTION chain_proposals_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify(
        ARRAY(SELECT m.user_id FROM memberships m WHERE m.community_id = c.id),
        'PROPOSAL_OPENED', chain_event_key(NEW.tx_hash, NEW.log_index),
        (SELECT u.id FROM users u WHERE u.address = '0x' || encode(NEW.proposer, 'hex')),
        NULL, NULL, c.id, NEW.governor, NEW.proposal_id)
      FROM chain_communities cc
      JOIN communities c ON c.name = cc.name
     WHERE cc.governor = NEW.governor;
    RETURN NULL;
END $$;
CREATE TRIGGER chain_proposals_notify AFTER INSERT ON chain_proposals
    FOR EACH ROW EXECUTE FUNCTION chain_proposals_notify();

-- A moderator elected or impeached: ELECTED / IMPEACHED to them; not the creator made the first
-- moderator by the community's creation (their own act).
CREATE FUNCTION chain_moderator_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify(
        ARRAY[u.id], CASE WHEN NEW.elected THEN 'ELECTED' ELSE 'IMPEACHED' END,
        chain_event_key(NEW.tx_hash, NEW.log_index), NULL, NULL, NULL, c.id, NULL, NULL)
      FROM chain_communities cc
      JOIN communities c ON c.name = cc.name
      JOIN users u ON u.address = '0x' || encode(NEW.account, 'hex')
     WHERE cc.community_id = NEW.community_id AND cc.tx_hash <> NEW.tx_hash;
    RETURN NULL;
END $$;
CREATE TRIGGER chain_moderator_events_notify AFTER INSERT ON chain_moderator_events
    FOR EACH ROW EXECUTE FUNCTION chain_moderator_events_notify();

-- A reorg deletes the mirror's rows of orphaned blocks: what they said goes with them (and a
-- replay of the new chain writes it again if it still happened).
CREATE FUNCTION chain_events_forget_notifications() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM notifications
     WHERE event_key = chain_event_key(OLD.tx_hash, OLD.log_index)
       AND kind IN ('PROPOSAL_OPENED', 'ELECTED', 'IMPEACHED');
    RETURN NULL;
END $$;
CREATE TRIGGER chain_proposals_forget_notifications AFTER DELETE ON chain_proposals
    FOR EACH ROW EXECUTE FUNCTION chain_events_forget_notifications();
CREATE TRIGGER chain_moderator_events_forget_notifications AFTER DELETE ON chain_moderator_events
    FOR EACH ROW EXECUTE FUNCTION chain_events_forget_notifications();
