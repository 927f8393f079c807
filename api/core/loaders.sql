-- name: get_viewer_state
-- What one viewer has to do with a page of posts, in one round trip: their votes on the posts
-- and whether they saved them or tipped them, their membership, moderation and bans in the posts'
-- communities, and whom and what they block (at most MAX_BLOCKS of each, api.blocks; for nearly everyone
-- nothing): such a viewer's listings differ from the shared ones.
SELECT 'vote' AS kind, post_id AS id, value::integer AS value
  FROM post_votes WHERE user_id = $1 AND post_id = ANY($2::bigint[])
UNION ALL
SELECT 'saved', post_id, 1
  FROM saved_items WHERE user_id = $1 AND post_id = ANY($2::bigint[])
UNION ALL
SELECT 'blocked_user', blocked_id, 1 FROM user_blocks WHERE blocker_id = $1
UNION ALL
SELECT 'blocked_community', community_id, 1 FROM community_blocks WHERE user_id = $1
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
   AND (expires_at IS NULL OR expires_at > now())
UNION ALL
-- The posts the viewer tipped ($4: the posts' tip refs, in the order of $2). Only whether: the
-- amounts are read apart (api.server.viewer_overlay) for the few who tipped one of the page.
SELECT DISTINCT 'tipped', k.post_id, 1
  FROM chain_tips AS t
  JOIN unnest($2::bigint[], $4::bytea[]) AS k (post_id, item_ref) ON k.item_ref = t.item_ref
 WHERE t.tipper = (SELECT decode(substr(v.address, 3), 'hex') FROM users AS v WHERE v.id = $1);

-- name: get_post_votes_of_user
SELECT post_id, value FROM post_votes WHERE user_id = $1 AND post_id = ANY($2::bigint[]);

-- name: get_comment_votes_of_user
SELECT comment_id, value FROM comment_votes WHERE user_id = $1 AND comment_id = ANY($2::bigint[]);

-- name: get_saved_posts_of_user
SELECT post_id FROM saved_items WHERE user_id = $1 AND post_id = ANY($2::bigint[]);

-- name: get_saved_comments_of_user
SELECT comment_id FROM saved_items WHERE user_id = $1 AND comment_id = ANY($2::bigint[]);

-- name: get_blocks_of_user
-- Whom and what the viewer blocks (at most MAX_BLOCKS of each, see api.blocks), which their
-- listings leave out.
SELECT array(SELECT blocked_id FROM user_blocks WHERE blocker_id = $1) AS users,
       array(SELECT community_id FROM community_blocks WHERE user_id = $1) AS communities;
