-- name: block_user
INSERT INTO user_blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: unblock_user
DELETE FROM user_blocks WHERE blocker_id = $1 AND blocked_id = $2;

-- name: block_community
INSERT INTO community_blocks (user_id, community_id) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: unblock_community
DELETE FROM community_blocks WHERE user_id = $1 AND community_id = $2;

-- name: count_blocks
SELECT (SELECT count(*) FROM user_blocks WHERE blocker_id = $1) AS users,
       (SELECT count(*) FROM community_blocks WHERE user_id = $1) AS communities;

-- name: get_blocked_users
-- Newest block first.
SELECT blocked_id FROM user_blocks WHERE blocker_id = $1
 ORDER BY created_at DESC, blocked_id LIMIT $2;

-- name: get_blocked_communities
SELECT community_id FROM community_blocks WHERE user_id = $1
 ORDER BY created_at DESC, community_id LIMIT $2;
