-- SQL of the operator's sender (ledger/sender.py): it alone updates operator_transactions.

-- name: try_lock
SELECT pg_try_advisory_lock($1);

-- name: lock
SELECT pg_advisory_lock($1);

-- name: next_unsettled
-- The oldest intent not settled yet: one at a time, in the order they were recorded.
SELECT id, kind, dedupe_key, payload, status, nonce, tx_hash, signed_tx, attempts
  FROM operator_transactions
 WHERE status IN ('pending', 'sent')
 ORDER BY id
 LIMIT 1;

-- name: get_community_token
-- The token of a community, from the receipt of its creation (until the indexer's mirror).
SELECT result ->> 'token'
  FROM operator_transactions
 WHERE dedupe_key = 'create_community:' || $1 AND status = 'mined';

-- name: mark_sent
-- Committed before the transaction is broadcast: a crash after this finds its hash.
UPDATE operator_transactions
   SET status = 'sent', nonce = $2, tx_hash = $3, signed_tx = $4, error = NULL,
       attempts = attempts + 1, updated_at = now()
 WHERE id = $1 AND status = 'pending';

-- name: mark_mined
UPDATE operator_transactions
   SET status = 'mined', tx_hash = coalesce($2, tx_hash), block_number = $3, result = $4,
       error = NULL, updated_at = now()
 WHERE id = $1 AND status IN ('pending', 'sent');

-- name: mark_failed
UPDATE operator_transactions
   SET status = 'failed', error = $2, block_number = $3, updated_at = now()
 WHERE id = $1 AND status IN ('pending', 'sent');

-- name: requeue
-- The transaction recorded can never be mined (its nonce went to another): send it anew.
UPDATE operator_transactions
   SET status = 'pending', nonce = NULL, tx_hash = NULL, signed_tx = NULL, error = $2,
       updated_at = now()
 WHERE id = $1 AND status = 'sent';
