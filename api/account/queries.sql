-- Deleting an account (api/account/mutations.py), in one transaction, in this order.

-- name: lock_account
-- The account's row first: two deletions of one account (two tabs) queue here.
SELECT id, address FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE;

-- name: delete_posts
UPDATE posts SET deleted_at = now() WHERE author_id = $1 AND deleted_at IS NULL;

-- name: delete_comments
UPDATE comments SET deleted_at = now() WHERE author_id = $1 AND deleted_at IS NULL;

-- name: leave_communities
-- As leave_community does one at a time; communities in id order (their lock order).
WITH left_ AS (
    DELETE FROM memberships WHERE user_id = $1
    RETURNING community_id
)
UPDATE communities SET member_count = member_count - 1
 WHERE id IN (SELECT community_id FROM left_ ORDER BY community_id);

-- name: forget_private_lists
-- What only the account saw (its saves and its blocks) goes with it; others' blocks of it stay.
WITH saved AS (DELETE FROM saved_items WHERE user_id = $1),
     users_blocked AS (DELETE FROM user_blocks WHERE blocker_id = $1)
DELETE FROM community_blocks WHERE user_id = $1;

-- name: end_sessions
DELETE FROM sessions WHERE user_id = $1
RETURNING token_hash;

-- name: detach_account
-- The profile emptied, the address freed for a new account (migration 0026).
UPDATE users
   SET deleted_address = address, address = NULL, deleted_at = now(),
       display_name = NULL, bio = NULL
 WHERE id = $1;
