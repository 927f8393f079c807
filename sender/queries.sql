-- SQL of the operator's sender (the `sender` package): it alone updates operator_transactions.

-- name: next_unsettled
-- The intent to take next, one at a time: the one sent (there is at most one, and no other is
-- signed before it is settled: its nonce comes first), else the oldest pending one, in the order
-- they were recorded, but for those backing off after an error ($1, ids).
SELECT id, kind, dedupe_key, payload, status, nonce, tx_hash, signed_tx, attempts,
       replaced_tx_hashes, extract(epoch FROM now() - signed_at)::float8 AS signed_seconds_ago
  FROM operator_transactions
 WHERE status IN ('pending', 'sent') AND NOT id = ANY($1::bigint[])
 ORDER BY status = 'sent' DESC, id
 LIMIT 1;

-- name: get_community_creation
-- The community's creation intent: its status, and its token once the receipt gave it (until
-- the indexer's mirror); $1 is its key (governance.intents.CreateCommunity).
SELECT status, result ->> 'token' AS token
  FROM operator_transactions
 WHERE dedupe_key = $1;

-- name: mark_sent
-- Committed before the transaction is broadcast: a crash after this finds its hash.
UPDATE operator_transactions
   SET status = 'sent', nonce = $2, tx_hash = $3, signed_tx = $4, error = NULL,
       replaced_tx_hashes = '{}', signed_at = now(), attempts = attempts + 1, updated_at = now()
 WHERE id = $1 AND status = 'pending';

-- name: mark_bumped
-- The replacement of the sent transaction $2 (same nonce, higher fees), committed before it is
-- broadcast; $2 is kept, since it may still be the one mined.
UPDATE operator_transactions
   SET tx_hash = $3, signed_tx = $4, replaced_tx_hashes = replaced_tx_hashes || tx_hash,
       signed_at = now(), attempts = attempts + 1, updated_at = now()
 WHERE id = $1 AND status = 'sent' AND tx_hash = $2;

-- name: record_error
-- An unexpected error while taking the intent a step: it stays where it is, tried again later.
UPDATE operator_transactions
   SET error = $2, attempts = attempts + 1, updated_at = now()
 WHERE id = $1 AND status IN ('pending', 'sent');

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
       replaced_tx_hashes = '{}', signed_at = NULL, updated_at = now()
 WHERE id = $1 AND status = 'sent';
