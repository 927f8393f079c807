-- name: save_post
-- Saving again keeps the first save (and its place in the list).
INSERT INTO saved_items (user_id, post_id) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: save_comment
INSERT INTO saved_items (user_id, comment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: unsave_post
DELETE FROM saved_items WHERE user_id = $1 AND post_id = $2;

-- name: unsave_comment
DELETE FROM saved_items WHERE user_id = $1 AND comment_id = $2;

-- name: list_saved
-- Newest save first, keyset on (created_at, id) (index saved_items_newest).
SELECT id, post_id, comment_id, created_at FROM saved_items
 WHERE user_id = $1 AND (created_at, id) < ($2, $3)
 ORDER BY created_at DESC, id DESC LIMIT $4;
