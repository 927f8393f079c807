-- Releasing an epoch from its review (ledger/release.py runs them): void what the review took
-- back, then queue the mints of the rest. Lock order: that of ledger/epochs.sql.

-- name: end_reviews_at
-- The operator's lever (`agora ledger release --now`): reviews end at $1 instead of later.
UPDATE reward_epochs SET review_ends_at = $1
 WHERE status = 'review' AND review_ends_at > $1
   AND ($2::bigint IS NULL OR community_id = $2);

-- name: reviewed_epochs
-- Epochs whose review window has ended, by the database's clock (which stamps the votes), to
-- release.
SELECT community_id, number FROM reward_epochs
 WHERE status = 'review' AND review_ends_at <= clock_timestamp()
   AND ($1::bigint IS NULL OR community_id = $1)
 ORDER BY review_ends_at, community_id
 LIMIT 1000;

-- name: lock_reviewed_epoch
SELECT community_id, number, emission, status, closed_at, review_ends_at FROM reward_epochs
 WHERE community_id = $1 AND number = $2
   FOR UPDATE;

-- name: lines_to_void
-- Under the epoch's lock ($3: its review's end, $4: its close): the lines, not yet voided, whose
-- item was removed or deleted before the review ended (a comment also with its post, which
-- takes it from view), or whose author was banned in the community then (a ban that covered some
-- of the window). One reason each, the first that applies.
SELECT l.post_id, l.comment_id, l.author_id, l.amount,
       CASE WHEN coalesce(m.removed_at, p.removed_at) < $3 OR p2.removed_at < $3 THEN 'removed'
            WHEN coalesce(m.deleted_at, p.deleted_at) < $3 OR p2.deleted_at < $3 THEN 'deleted'
            ELSE 'banned' END AS reason
  FROM reward_lines l
  LEFT JOIN posts p ON p.id = l.post_id
  LEFT JOIN comments m ON m.id = l.comment_id
  LEFT JOIN posts p2 ON p2.id = m.post_id
 WHERE l.community_id = $1 AND l.epoch_number = $2 AND l.voided_at IS NULL
   AND (coalesce(m.removed_at, p.removed_at) < $3 OR coalesce(m.deleted_at, p.deleted_at) < $3
        OR p2.removed_at < $3 OR p2.deleted_at < $3
        OR EXISTS (SELECT 1 FROM bans b
                    WHERE b.community_id = $1 AND b.user_id = l.author_id
                      AND b.created_at < $3 AND (b.expires_at IS NULL OR b.expires_at > $4)))
 ORDER BY l.post_id NULLS LAST, l.comment_id;

-- name: void_lines
UPDATE reward_lines l SET voided_at = now(), void_reason = t.reason
  FROM unnest($3::bigint[], $4::bigint[], $5::text[]) AS t(post_id, comment_id, reason)
 WHERE l.community_id = $1 AND l.epoch_number = $2 AND l.voided_at IS NULL
   AND l.post_id IS NOT DISTINCT FROM t.post_id AND l.comment_id IS NOT DISTINCT FROM t.comment_id;

-- name: minted_amounts
-- What the epoch mints after its review: each author's lines not voided, with their address.
SELECT l.author_id, u.address, sum(l.amount) AS amount
  FROM reward_lines l
  JOIN users u ON u.id = l.author_id
 WHERE l.community_id = $1 AND l.epoch_number = $2 AND l.voided_at IS NULL
 GROUP BY l.author_id, u.address
HAVING sum(l.amount) > 0;

-- name: release_epoch
-- Out of review: what is minted ($4 distributed, $5 left in the pool, $6 recipients, $7 the root
-- of their tree), 'closed' until its mints are booked or 'paid' with nothing to mint.
UPDATE reward_epochs
   SET status = $3, distributed = $4, undistributed = $5, recipients = $6, merkle_root = $7
 WHERE community_id = $1 AND number = $2 AND status = 'review';
