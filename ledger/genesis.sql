-- A community's genesis grant (ledger/genesis.py): points minted outside any reward epoch, such
-- as the demo seed's, booked like every other movement of the ledger.

-- name: get_grant_transfers
SELECT id FROM ledger_transfers
 WHERE community_id = $1 AND kind = 'grant' AND epoch_number IS NULL
 LIMIT 1;

-- name: insert_grant_transfers
-- No ON CONFLICT: a grant already booked means a second one was attempted, and the whole
-- transaction (with its mint intent) must fail.
INSERT INTO ledger_transfers
    (id, community_id, debit_account_id, credit_account_id, amount, kind, epoch_number)
SELECT t.id, $1, t.debit, t.credit, t.amount, 'grant', NULL
  FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::numeric[]) AS t(id, debit, credit, amount);

-- name: insert_grant_intent
-- The operator's sender mints it like an epoch (kind mint_epoch); the dedupe key is unique.
INSERT INTO operator_transactions (kind, dedupe_key, payload)
VALUES ('mint_epoch', $1, $2::jsonb)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id;

-- name: get_grant_intent
SELECT status, payload FROM operator_transactions WHERE dedupe_key = $1;

-- name: insert_paid_transfers
-- Settling is safe to run twice or at once: a payout already booked is skipped by its id.
INSERT INTO ledger_transfers
    (id, community_id, debit_account_id, credit_account_id, amount, kind, epoch_number)
SELECT t.id, $1, t.debit, t.credit, t.amount, 'payout', NULL
  FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::numeric[]) AS t(id, debit, credit, amount)
ON CONFLICT (id) DO NOTHING;
