-- Booking the mints the operator's sender recorded as mined (ledger/settlement.py runs them).
-- Lock order: that of ledger/epochs.sql.

-- name: lock_closed_epoch
SELECT status FROM reward_epochs WHERE community_id = $1 AND number = $2 FOR UPDATE;

-- name: settleable_epochs
-- Closed epochs with a payout whose mint the operator's sender recorded as mined.
SELECT DISTINCT p.community_id, p.epoch_number
  FROM reward_payouts p
  JOIN operator_transactions o ON o.id = p.operator_transaction_id
  JOIN reward_epochs e ON e.community_id = p.community_id AND e.number = p.epoch_number
 WHERE p.settled_at IS NULL AND o.status = 'mined' AND e.status = 'closed'
 ORDER BY 1, 2
 LIMIT 1000;

-- name: mined_payouts
-- Under the epoch's lock: its payouts mined and not yet booked, with what each paid to whom.
SELECT p.batch, o.payload
  FROM reward_payouts p
  JOIN operator_transactions o ON o.id = p.operator_transaction_id
 WHERE p.community_id = $1 AND p.epoch_number = $2 AND p.settled_at IS NULL
   AND o.status = 'mined'
 ORDER BY p.batch;

-- name: mark_settled
UPDATE reward_payouts SET settled_at = now()
 WHERE community_id = $1 AND epoch_number = $2 AND batch = ANY($3::integer[]);

-- name: mark_paid_if_settled
-- The epoch is paid once every one of its payouts is booked (true when this made it so).
UPDATE reward_epochs SET status = 'paid'
 WHERE community_id = $1 AND number = $2 AND status = 'closed'
   AND NOT EXISTS (SELECT 1 FROM reward_payouts
                    WHERE community_id = $1 AND epoch_number = $2 AND settled_at IS NULL)
RETURNING true;

-- name: notify_reward_paid
-- Once the epoch is paid: REWARD_PAID to each person it paid, once (keyed by the epoch).
SELECT count(*)
  FROM reward_epochs AS e
 CROSS JOIN LATERAL notify(
       ARRAY(SELECT DISTINCT l.author_id FROM reward_lines AS l
              WHERE l.community_id = e.community_id AND l.epoch_number = e.number
                AND l.amount > 0),
       'REWARD_PAID', 'epoch:' || e.community_id || ':' || e.number,
       NULL, NULL, NULL, e.community_id, NULL, NULL) AS n
 WHERE e.community_id = $1 AND e.number = $2 AND e.status = 'paid';
