-- The outbox of the operator's transactions. The API and the ledger record an intent here in the
-- transaction of the change that needs it (a community, an epoch's payout); one sender
-- (`agora send`, ledger/sender.py) sends them in id order and records each step before taking
-- it, so a crash at any instant resumes without losing an intent or sending one twice.
CREATE TABLE operator_transactions (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('create_community', 'mint_epoch', 'cast_vote_by_sig')),
    -- 'create_community:<community id>', 'mint_epoch:<community id>:<epoch>': an intent
    -- recorded twice is refused here.
    dedupe_key text NOT NULL UNIQUE,
    -- create_community: {"communityId", "name", "creator": address}
    -- mint_epoch: {"communityId", "epoch", "recipients": [address], "amounts": ["<base units>"]}
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'mined', 'failed')),
    nonce bigint,
    tx_hash bytea,
    block_number bigint,
    error text,
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- What the mined receipt says, e.g. create_community: {"communityId", "token", "governor"}.
    result jsonb,
    -- The signed transaction of `tx_hash`, recorded before it is broadcast: sent again after a
    -- crash it is the same bytes, so the intent's nonce only ever has this one hash.
    signed_tx bytea
);

-- The sender's queue: what is not settled yet, oldest first.
CREATE INDEX operator_transactions_unsettled ON operator_transactions (id)
    WHERE status IN ('pending', 'sent');

-- Wakes the sender as soon as an intent commits (it also polls, in case it missed one).
CREATE FUNCTION operator_transactions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('operator_transactions', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER operator_transactions_notify
    AFTER INSERT ON operator_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION operator_transactions_notify();

-- Communities made before the outbox get their intent too: the sender creates those not yet
-- on-chain, and finds those already there (by name and creator) without sending anything.
INSERT INTO operator_transactions (kind, dedupe_key, payload)
SELECT 'create_community', 'create_community:' || c.id,
       jsonb_build_object('communityId', c.id, 'name', c.name, 'creator', u.address)
  FROM communities c
  JOIN users u ON u.id = c.creator_id
 ORDER BY c.id;
