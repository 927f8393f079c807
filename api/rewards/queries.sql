-- name: list_user_rewards
-- A person's rewards: one per epoch they earned in, newest first (keyset on the epoch's end);
-- its amount without the lines its review voided (a reward wholly voided is listed at 0).
SELECT l.community_id, l.epoch_number, e.ends_at,
       coalesce(sum(l.amount) FILTER (WHERE l.voided_at IS NULL), 0) AS amount
  FROM reward_lines l
  JOIN reward_epochs e ON e.community_id = l.community_id AND e.number = l.epoch_number
 WHERE l.author_id = $1
   AND ($2::bigint IS NULL OR l.community_id = $2)
   AND ($3::timestamptz IS NULL OR (e.ends_at, l.community_id, l.epoch_number) < ($3, $4, $5))
 GROUP BY l.community_id, l.epoch_number, e.ends_at
HAVING sum(l.amount) > 0
 ORDER BY e.ends_at DESC, l.community_id DESC, l.epoch_number DESC
 LIMIT $6;

-- name: get_user_payouts
-- The mint (batch) that pays each (community, epoch, user) asked: its outbox row's state.
SELECT k.community_id, k.epoch_number, k.user_id, t.status, t.tx_hash, p.settled_at
  FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS k (community_id, epoch_number, user_id)
  JOIN users u ON u.id = k.user_id
  JOIN reward_payouts p ON p.community_id = k.community_id AND p.epoch_number = k.epoch_number
  JOIN operator_transactions t ON t.id = p.operator_transaction_id
 WHERE EXISTS (SELECT FROM jsonb_array_elements_text(t.payload -> 'recipients') r
                WHERE lower(r) = u.address);

-- name: get_reward_lines
SELECT k.community_id, k.epoch_number, k.user_id, l.post_id, l.comment_id, l.votes, l.score,
       l.amount, l.void_reason, l.low_standing_share, l.co_voting_share
  FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS k (community_id, epoch_number, user_id)
  JOIN reward_lines l ON l.community_id = k.community_id AND l.epoch_number = k.epoch_number
                     AND l.author_id = k.user_id
 ORDER BY l.amount DESC, l.post_id NULLS LAST, l.comment_id;

-- name: get_epoch_lines
-- Each epoch's lines, the largest first, at most $3 per epoch.
SELECT l.community_id, l.epoch_number, l.post_id, l.comment_id, l.votes, l.score, l.amount,
       l.void_reason, l.low_standing_share, l.co_voting_share
  FROM unnest($1::bigint[], $2::int[]) AS k (community_id, number)
  CROSS JOIN LATERAL (
      SELECT * FROM reward_lines l
       WHERE l.community_id = k.community_id AND l.epoch_number = k.number
       ORDER BY l.amount DESC, l.post_id NULLS LAST, l.comment_id
       LIMIT $3
  ) l;

-- name: get_epochs
-- Each epoch with `voided`: what its review voided back to the pool (its voided lines).
SELECT e.*,
       (SELECT coalesce(sum(l.amount), 0) FROM reward_lines l
         WHERE l.community_id = e.community_id AND l.epoch_number = e.number
           AND l.voided_at IS NOT NULL) AS voided
  FROM unnest($1::bigint[], $2::int[]) AS k (community_id, number)
  JOIN reward_epochs e ON e.community_id = k.community_id AND e.number = k.number;

-- name: list_community_epochs
-- As get_epochs, a community's newest first.
SELECT e.*,
       (SELECT coalesce(sum(l.amount), 0) FROM reward_lines l
         WHERE l.community_id = e.community_id AND l.epoch_number = e.number
           AND l.voided_at IS NOT NULL) AS voided
  FROM reward_epochs e
 WHERE e.community_id = $1 AND ($2::int IS NULL OR e.number < $2)
 ORDER BY e.number DESC
 LIMIT $3;

-- name: get_payouts
SELECT k.community_id, k.number AS epoch_number, p.batch, p.chain_epoch_id, p.recipients,
       p.amount, p.settled_at, t.status, t.tx_hash
  FROM unnest($1::bigint[], $2::int[]) AS k (community_id, number)
  JOIN reward_payouts p ON p.community_id = k.community_id AND p.epoch_number = k.number
  JOIN operator_transactions t ON t.id = p.operator_transaction_id
 ORDER BY p.batch;

-- name: get_user_totals
-- Earned: everything the person was given in the community, owed (`earned`) or on-chain (`onchain`);
-- paid: their `onchain` balance (mints mined and booked).
SELECT coalesce(sum(balance) FILTER (WHERE kind IN ('earned', 'onchain')), 0) AS earned,
       coalesce(sum(balance) FILTER (WHERE kind = 'onchain'), 0) AS paid
  FROM ledger_balances
 WHERE community_id = $1 AND user_id = $2;

-- name: get_epoch_by_name
SELECT e.community_id, e.number, e.status
  FROM communities c
  JOIN reward_epochs e ON e.community_id = c.id
 WHERE c.name = $1 AND e.number = $2;

-- name: get_distribution
-- What an epoch mints (or, in review, will mint unless the review voids more): each recipient's
-- lines not voided, in address order.
SELECT u.address, sum(l.amount) AS amount
  FROM reward_lines l
  JOIN users u ON u.id = l.author_id
 WHERE l.community_id = $1 AND l.epoch_number = $2 AND l.voided_at IS NULL
 GROUP BY u.address
HAVING sum(l.amount) > 0
 ORDER BY u.address;
