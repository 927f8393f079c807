-- The operator's outbox: every transaction the operator key sends is first an intent here,
-- recorded in the transaction of the change that needs it; one sender owns the key's nonce.
-- (Placeholder with the shared definition of notes/COMMON2.md for the ledger branch's tests;
-- the operator-transactions branch owns this migration and its version wins at the merge.)
CREATE TABLE operator_transactions (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('create_community', 'mint_epoch', 'cast_vote_by_sig')),
    dedupe_key text NOT NULL UNIQUE,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','mined','failed')),
    nonce bigint, tx_hash bytea, block_number bigint, error text,
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now()
);
