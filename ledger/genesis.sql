-- A community's genesis grant (ledger/genesis.py): points minted outside any reward epoch, such
-- as the demo seed's, booked like every other movement of the ledger (ledger/journal.sql).

-- name: get_grant_transfers
SELECT id FROM ledger_transfers
 WHERE community_id = $1 AND kind = 'grant' AND epoch_number IS NULL
 LIMIT 1;

-- name: user_addresses
-- A deleted account (migration 0026) is still paid at the address it had.
SELECT id, coalesce(address, deleted_address) AS address FROM users WHERE id = ANY($1::bigint[]);

-- name: insert_grant_intent
-- The operator's sender mints it like an epoch (kind mint_epoch); the dedupe key is unique.
INSERT INTO operator_transactions (kind, dedupe_key, payload)
VALUES ('mint_epoch', $1, $2::jsonb)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id;

-- name: get_grant_intent
SELECT status, payload FROM operator_transactions WHERE dedupe_key = $1;
