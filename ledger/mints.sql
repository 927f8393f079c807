-- The mints of a released epoch, in batches (ledger/mints.py runs them), under the epoch's lock
-- (lock order: ledger/epochs.sql).

-- name: insert_mint_intents
-- The operator's sender mints them (the outbox of migration 0005), in id order: the batches'
-- order here. The unique dedupe key is one more guard behind the epoch lock, and the token's
-- refusal of a second mintEpoch the last.
INSERT INTO operator_transactions (kind, dedupe_key, payload)
SELECT 'mint_epoch', t.dedupe_key, t.payload::jsonb
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(dedupe_key, payload, n)
 ORDER BY t.n
RETURNING id, dedupe_key;

-- name: insert_payouts
INSERT INTO reward_payouts
    (community_id, epoch_number, batch, chain_epoch_id, recipients, amount, operator_transaction_id)
SELECT $1, $2, t.batch, t.chain_epoch_id, t.recipients, t.amount::numeric, t.intent
  FROM unnest($3::integer[], $4::bigint[], $5::integer[], $6::text[], $7::bigint[])
       AS t(batch, chain_epoch_id, recipients, amount, intent);
