-- name: claim_idempotency_key
-- Claims the key ($1 user, $2 key) for a request ($3 operation, $4 hash of its input): a row
-- when the key is new or its earlier use is older than $5, nothing while an earlier use is live.
-- A concurrent claim of the same key is waited for (until it commits or rolls back), so two
-- sends of one request never both write. The user's other expired keys go on the way, which
-- keeps the table at about a day of each person's writes.
WITH expired AS (
    DELETE FROM idempotency_keys
     WHERE user_id = $1 AND key <> $2 AND created_at < now() - $5::interval
)
INSERT INTO idempotency_keys (user_id, key, operation, request_hash)
VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id, key) DO UPDATE
   SET operation = EXCLUDED.operation, request_hash = EXCLUDED.request_hash, result_id = NULL,
       created_at = now()
 WHERE idempotency_keys.created_at < now() - $5::interval
RETURNING true AS claimed;

-- name: get_idempotency_key
SELECT operation, request_hash, result_id FROM idempotency_keys WHERE user_id = $1 AND key = $2;

-- name: set_idempotency_result
UPDATE idempotency_keys SET result_id = $3 WHERE user_id = $1 AND key = $2;
