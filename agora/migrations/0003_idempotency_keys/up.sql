-- Idempotency keys of create mutations (Stripe's Idempotency-Key header): a client that lost the
-- answer to a write sends it again with the same key and gets the first result, not a duplicate.
-- A key is claimed in the transaction of the write it guards, so it exists if and only if the
-- write committed. Keys are per account and live a day (api/idempotency.py).
CREATE TABLE idempotency_keys (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key text NOT NULL,
    -- The mutation and a hash of its input: the same key with another request is a conflict.
    operation text NOT NULL,
    request_hash bytea NOT NULL,
    -- The row the write created; null only inside the claiming transaction.
    result_id bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
