-- name: is_moderator
SELECT EXISTS (SELECT 1 FROM moderators WHERE community_id = $1 AND user_id = $2);
