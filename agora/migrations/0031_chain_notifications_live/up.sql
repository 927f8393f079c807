-- What the chain and the ledger tell a person arrives live, as what the API writes does.
--
-- The API announces the notifications it writes on Redis after its commit (api.inbox.events).
-- Those the indexer's triggers, the ledger's settle and the beat's reminders write (PROPOSAL_OPENED,
-- PROPOSAL_ENDING, ELECTED, IMPEACHED, REWARD_PAID) are announced here, by PostgreSQL itself:
-- a NOTIFY is sent only when its transaction commits (never for a range rolled back, nor for a
-- row a retry did not insert), so no writer had to change, and every API worker hears it on
-- its one LISTEN connection (api.core.chain_notifications). The payload is '<user id>:<notification id>'.
-- The API's own kinds are left out: they are announced already, and would come twice.

CREATE FUNCTION announce_chain_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agora_notification', NEW.user_id || ':' || NEW.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER notifications_announce_chain
    AFTER INSERT ON notifications
    FOR EACH ROW
    WHEN (NEW.kind IN ('PROPOSAL_OPENED', 'PROPOSAL_ENDING', 'ELECTED', 'IMPEACHED', 'REWARD_PAID'))
    EXECUTE FUNCTION announce_chain_notification();
