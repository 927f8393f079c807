-- The ledger's books (ledger/journal.py runs them): accounts, and transfers that are never
-- changed. Lock order, shared with every writer of the ledger: accounts (in user id order), then
-- transfers.

-- name: ensure_accounts
-- In user id order (see the lock order above); community accounts have no user.
INSERT INTO ledger_accounts (community_id, kind, user_id)
SELECT $1, t.kind, t.user_id
  FROM unnest($2::text[], $3::bigint[]) AS t(kind, user_id)
 ORDER BY t.user_id NULLS FIRST, t.kind
ON CONFLICT DO NOTHING;

-- name: get_accounts
SELECT id, kind, user_id FROM ledger_accounts
 WHERE community_id = $1 AND (user_id IS NULL OR user_id = ANY($2::bigint[]));

-- name: insert_transfers
-- No ON CONFLICT: a transfer id already posted means a second payout was attempted, and the
-- whole transaction must fail (TigerBeetle answers "exists"). Amounts as decimal text: cheaper
-- to send than numerics, by the hundred thousand.
INSERT INTO ledger_transfers
    (id, community_id, debit_account_id, credit_account_id, amount, kind, epoch_number)
SELECT t.id, $1, t.debit, t.credit, t.amount::numeric, $2, $3
  FROM unnest($4::text[], $5::bigint[], $6::bigint[], $7::text[]) AS t(id, debit, credit, amount);

-- name: insert_transfers_once
-- For a writer without a lock of its own (a genesis settled twice at once): a transfer whose id
-- is already posted is skipped, the ids being fixed by what they book.
INSERT INTO ledger_transfers
    (id, community_id, debit_account_id, credit_account_id, amount, kind, epoch_number)
SELECT t.id, $1, t.debit, t.credit, t.amount::numeric, $2, $3
  FROM unnest($4::text[], $5::bigint[], $6::bigint[], $7::text[]) AS t(id, debit, credit, amount)
ON CONFLICT (id) DO NOTHING;

-- name: users_by_address
-- The account each address of a mint paid. After a deletion (migration 0026) an address may name
-- a deleted account and a new one: the mint paid the one whose reward in community $2 is owed
-- (a positive 'earned' balance), else the live one.
SELECT DISTINCT ON (a.address) u.id, a.address
  FROM users u
 CROSS JOIN LATERAL (SELECT coalesce(u.address, u.deleted_address) AS address) AS a
 WHERE u.address = ANY($1::text[]) OR u.deleted_address = ANY($1::text[])
 ORDER BY a.address,
          coalesce((SELECT b.balance FROM ledger_balances b
                     WHERE b.community_id = $2 AND b.kind = 'earned' AND b.user_id = u.id), 0) > 0
              DESC,
          u.deleted_at IS NULL DESC;
