-- The sections of GET /export (api/account/export.py), one query each, all for the account $1
-- and read in one snapshot. Oldest first, keyed by the tables' own order; amounts as text (they
-- are uint256-sized). Sections of alike tables repeat each other's shape by design (deliberate:
-- one plain query per section, each reading its own table's index).

-- name: profile
SELECT id, address, display_name, bio, post_karma, comment_karma, created_at
  FROM users
 WHERE id = $1;

-- name: posts
SELECT p.id, c.name AS community, p.title, p.body, p.url, p.created_at, p.edited_at,
       p.deleted_at, p.removed_at, p.score, p.upvotes, p.downvotes, p.comment_count
  FROM posts p
  JOIN communities c ON c.id = p.community_id
 WHERE p.author_id = $1
 ORDER BY p.created_at, p.id;

-- name: comments
SELECT m.id, m.post_id, m.parent_id, m.body, m.created_at, m.edited_at, m.deleted_at,
       m.removed_at, m.score
  FROM comments m
 WHERE m.author_id = $1
 ORDER BY m.created_at, m.id;

-- name: post_votes
SELECT post_id, value, created_at
  FROM post_votes
 WHERE user_id = $1
 ORDER BY created_at, post_id;

-- name: comment_votes
SELECT comment_id, value, created_at
  FROM comment_votes
 WHERE user_id = $1
 ORDER BY created_at, comment_id;

-- name: memberships
SELECT c.name AS community, m.joined_at
  FROM memberships m
  JOIN communities c ON c.id = m.community_id
 WHERE m.user_id = $1
 ORDER BY m.joined_at, c.name;

-- name: reward_lines
-- Why each reward: the items that earned in closed epochs (as `User.rewards` reads them).
SELECT c.name AS community, l.epoch_number, l.post_id, l.comment_id, l.votes, l.score,
       l.amount::text AS amount
  FROM reward_lines l
  JOIN communities c ON c.id = l.community_id
 WHERE l.author_id = $1
 ORDER BY l.community_id, l.epoch_number, l.post_id NULLS LAST, l.comment_id;

-- name: ledger_transfers
-- Every transfer into or out of the account's ledger accounts ('earned', 'onchain'): rewards
-- owed, grants, and payouts booked once minted.
SELECT t.id, c.name AS community, t.kind, t.epoch_number, t.amount::text AS amount,
       d.kind AS debit_account, cr.kind AS credit_account, t.created_at
  FROM ledger_accounts a
  JOIN ledger_transfers t ON t.debit_account_id = a.id OR t.credit_account_id = a.id
  JOIN ledger_accounts d ON d.id = t.debit_account_id
  JOIN ledger_accounts cr ON cr.id = t.credit_account_id
  JOIN communities c ON c.id = t.community_id
 WHERE a.user_id = $1
 ORDER BY t.created_at, t.id;

-- name: saved
SELECT post_id, comment_id, created_at
  FROM saved_items
 WHERE user_id = $1
 ORDER BY created_at, id;

-- name: blocked_users
SELECT u.address, b.created_at
  FROM user_blocks b
  JOIN users u ON u.id = b.blocked_id
 WHERE b.blocker_id = $1
 ORDER BY b.created_at, b.blocked_id;

-- name: blocked_communities
SELECT c.name AS community, b.created_at
  FROM community_blocks b
  JOIN communities c ON c.id = b.community_id
 WHERE b.user_id = $1
 ORDER BY b.created_at, c.name;

-- name: notifications
SELECT n.kind, a.address AS actor, n.post_id, n.comment_id, c.name AS community,
       '0x' || encode(n.governor, 'hex') AS governor, n.proposal_id::text AS proposal_id,
       n.created_at, n.read_at
  FROM notifications n
  LEFT JOIN users a ON a.id = n.actor_id
  LEFT JOIN communities c ON c.id = n.community_id
 WHERE n.user_id = $1
 ORDER BY n.id;
