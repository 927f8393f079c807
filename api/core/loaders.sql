-- name: get_viewer_state
-- What one viewer has to do with a page of posts, in one round trip: their votes on the posts,
-- and their membership, moderation and bans in the posts' communities.
SELECT 'vote' AS kind, post_id AS id, value::integer AS value
  FROM post_votes WHERE user_id = $1 AND post_id = ANY($2::bigint[])
UNION ALL
SELECT 'member', community_id, 1
  FROM memberships WHERE user_id = $1 AND community_id = ANY($3::bigint[])
UNION ALL
SELECT 'moderator', community_id, 1
  FROM moderators WHERE user_id = $1 AND community_id = ANY($3::bigint[])
UNION ALL
SELECT 'banned', community_id, 1
  FROM bans
 WHERE user_id = $1 AND community_id = ANY($3::bigint[])
   AND (expires_at IS NULL OR expires_at > now());

-- name: get_post_votes_of_user
SELECT post_id, value FROM post_votes WHERE user_id = $1 AND post_id = ANY($2::bigint[]);

-- name: get_comment_votes_of_user
SELECT comment_id, value FROM comment_votes WHERE user_id = $1 AND comment_id = ANY($2::bigint[]);
