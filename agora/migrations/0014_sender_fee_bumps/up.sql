-- A transaction of the operator's sender that waits too long is replaced by the same call at the
-- same nonce with higher fees (ledger/sender.py). Whichever of them is mined is the intent's:
-- the hashes it replaced are kept, and when the current one was signed, so that the next bump
-- is due SENDER_REPLACE_AFTER_SECONDS after it, across restarts too.
ALTER TABLE operator_transactions
    ADD COLUMN replaced_tx_hashes bytea[] NOT NULL DEFAULT '{}',
    ADD COLUMN signed_at timestamptz;

-- Intents sent before this migration: their transaction was signed when it was last updated.
UPDATE operator_transactions SET signed_at = updated_at WHERE status = 'sent';
