-- Listings of visible posts, one query per sort and scope so that each reads its own index
-- (posts_<sort> / posts_community_<sort>). Keyset pagination: the first page passes the largest
-- possible key, so the condition is always a plain index bound. The last parameters are what
-- the viewer blocks (empty arrays for most): authors everywhere, communities on the front page.
-- The queries below repeat each other by design (deliberate: one query per sort and scope, so
-- that each is planned against its own index); change one, change its siblings.

-- name: get_post_views_by_ids
SELECT * FROM post_views WHERE id = ANY($1::bigint[]);

-- name: list_hot
SELECT * FROM post_views
 WHERE deleted_at IS NULL AND removed_at IS NULL AND (hot_rank, id) < ($1, $2)
   AND author_id <> ALL($4::bigint[]) AND community_id <> ALL($5::bigint[])
 ORDER BY hot_rank DESC, id DESC LIMIT $3;

-- name: list_hot_in_community
SELECT * FROM post_views
 WHERE community_id = $4 AND deleted_at IS NULL AND removed_at IS NULL
   AND (hot_rank, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[])
 ORDER BY hot_rank DESC, id DESC LIMIT $3;

-- name: list_new
SELECT * FROM post_views
 WHERE deleted_at IS NULL AND removed_at IS NULL AND (created_at, id) < ($1, $2)
   AND author_id <> ALL($4::bigint[]) AND community_id <> ALL($5::bigint[])
 ORDER BY created_at DESC, id DESC LIMIT $3;

-- name: list_new_in_community
SELECT * FROM post_views
 WHERE community_id = $4 AND deleted_at IS NULL AND removed_at IS NULL
   AND (created_at, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[])
 ORDER BY created_at DESC, id DESC LIMIT $3;

-- name: list_top
SELECT * FROM post_views
 WHERE deleted_at IS NULL AND removed_at IS NULL AND (score, id) < ($1, $2)
   AND created_at >= $4
   AND author_id <> ALL($5::bigint[]) AND community_id <> ALL($6::bigint[])
 ORDER BY score DESC, id DESC LIMIT $3;

-- name: list_top_in_community
SELECT * FROM post_views
 WHERE community_id = $4 AND deleted_at IS NULL AND removed_at IS NULL
   AND (score, id) < ($1, $2) AND created_at >= $5
   AND author_id <> ALL($6::bigint[])
 ORDER BY score DESC, id DESC LIMIT $3;

-- name: list_controversial
SELECT * FROM post_views
 WHERE deleted_at IS NULL AND removed_at IS NULL AND (controversy_rank, id) < ($1, $2)
   AND author_id <> ALL($4::bigint[]) AND community_id <> ALL($5::bigint[])
 ORDER BY controversy_rank DESC, id DESC LIMIT $3;

-- name: list_controversial_in_community
SELECT * FROM post_views
 WHERE community_id = $4 AND deleted_at IS NULL AND removed_at IS NULL
   AND (controversy_rank, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[])
 ORDER BY controversy_rank DESC, id DESC LIMIT $3;

-- name: list_active
SELECT * FROM post_views
 WHERE deleted_at IS NULL AND removed_at IS NULL AND (active_rank, id) < ($1, $2)
   AND author_id <> ALL($4::bigint[]) AND community_id <> ALL($5::bigint[])
 ORDER BY active_rank DESC, id DESC LIMIT $3;

-- name: list_active_in_community
SELECT * FROM post_views
 WHERE community_id = $4 AND deleted_at IS NULL AND removed_at IS NULL
   AND (active_rank, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[])
 ORDER BY active_rank DESC, id DESC LIMIT $3;

-- name: list_most_comments
SELECT * FROM post_views
 WHERE deleted_at IS NULL AND removed_at IS NULL AND (comment_count, id) < ($1, $2)
   AND author_id <> ALL($4::bigint[]) AND community_id <> ALL($5::bigint[])
 ORDER BY comment_count DESC, id DESC LIMIT $3;

-- name: list_most_comments_in_community
SELECT * FROM post_views
 WHERE community_id = $4 AND deleted_at IS NULL AND removed_at IS NULL
   AND (comment_count, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[])
 ORDER BY comment_count DESC, id DESC LIMIT $3;

-- name: list_new_comments
SELECT * FROM post_views
 WHERE deleted_at IS NULL AND removed_at IS NULL AND (last_activity_at, id) < ($1, $2)
   AND author_id <> ALL($4::bigint[]) AND community_id <> ALL($5::bigint[])
 ORDER BY last_activity_at DESC, id DESC LIMIT $3;

-- name: list_new_comments_in_community
SELECT * FROM post_views
 WHERE community_id = $4 AND deleted_at IS NULL AND removed_at IS NULL
   AND (last_activity_at, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[])
 ORDER BY last_activity_at DESC, id DESC LIMIT $3;

-- The SUBSCRIBED feed: the front page limited to the communities the viewer ($4) joined, less
-- what they block.

-- name: list_hot_subscribed
SELECT * FROM post_views
 WHERE community_id IN (SELECT community_id FROM memberships WHERE user_id = $4)
   AND deleted_at IS NULL AND removed_at IS NULL AND (hot_rank, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[]) AND community_id <> ALL($6::bigint[])
 ORDER BY hot_rank DESC, id DESC LIMIT $3;

-- name: list_new_subscribed
SELECT * FROM post_views
 WHERE community_id IN (SELECT community_id FROM memberships WHERE user_id = $4)
   AND deleted_at IS NULL AND removed_at IS NULL AND (created_at, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[]) AND community_id <> ALL($6::bigint[])
 ORDER BY created_at DESC, id DESC LIMIT $3;

-- name: list_top_subscribed
SELECT * FROM post_views
 WHERE community_id IN (SELECT community_id FROM memberships WHERE user_id = $4)
   AND deleted_at IS NULL AND removed_at IS NULL AND (score, id) < ($1, $2)
   AND created_at >= $5
   AND author_id <> ALL($6::bigint[]) AND community_id <> ALL($7::bigint[])
 ORDER BY score DESC, id DESC LIMIT $3;

-- name: list_controversial_subscribed
SELECT * FROM post_views
 WHERE community_id IN (SELECT community_id FROM memberships WHERE user_id = $4)
   AND deleted_at IS NULL AND removed_at IS NULL AND (controversy_rank, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[]) AND community_id <> ALL($6::bigint[])
 ORDER BY controversy_rank DESC, id DESC LIMIT $3;

-- name: list_active_subscribed
SELECT * FROM post_views
 WHERE community_id IN (SELECT community_id FROM memberships WHERE user_id = $4)
   AND deleted_at IS NULL AND removed_at IS NULL AND (active_rank, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[]) AND community_id <> ALL($6::bigint[])
 ORDER BY active_rank DESC, id DESC LIMIT $3;

-- name: list_most_comments_subscribed
SELECT * FROM post_views
 WHERE community_id IN (SELECT community_id FROM memberships WHERE user_id = $4)
   AND deleted_at IS NULL AND removed_at IS NULL AND (comment_count, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[]) AND community_id <> ALL($6::bigint[])
 ORDER BY comment_count DESC, id DESC LIMIT $3;

-- name: list_new_comments_subscribed
SELECT * FROM post_views
 WHERE community_id IN (SELECT community_id FROM memberships WHERE user_id = $4)
   AND deleted_at IS NULL AND removed_at IS NULL AND (last_activity_at, id) < ($1, $2)
   AND author_id <> ALL($5::bigint[]) AND community_id <> ALL($6::bigint[])
 ORDER BY last_activity_at DESC, id DESC LIMIT $3;

-- name: list_by_author
SELECT * FROM post_views
 WHERE author_id = $4 AND deleted_at IS NULL AND removed_at IS NULL
   AND (created_at, id) < ($1, $2)
 ORDER BY created_at DESC, id DESC LIMIT $3;

-- name: create_post
WITH post AS (
    INSERT INTO posts (community_id, author_id, title, body, body_html, url)
    VALUES ($1, $2, $3, $4, $5, $6)
    RETURNING id
), counted AS (
    UPDATE communities SET post_count = post_count + 1 WHERE id = $1
)
SELECT id FROM post;

-- name: lock_post
-- Locks the post for the rest of the transaction (edits, deletes, removals and new comments
-- of one post are applied one at a time).
SELECT id, community_id, author_id, deleted_at, removed_at FROM posts WHERE id = $1 FOR UPDATE;

-- name: edit_post
-- The trigger post_revisions_kept keeps the text this replaces, in this transaction.
UPDATE posts SET body = $2, body_html = $3, url = $4, edited_at = now() WHERE id = $1;

-- name: delete_post
UPDATE posts SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL;

-- name: remove_post
UPDATE posts SET removed_at = now() WHERE id = $1 AND removed_at IS NULL;

-- name: get_revisions_of_posts
-- What each edit replaced, oldest first: the latest $2 of each post (the list's cap).
SELECT r.post_id, r.title, r.body, r.edited_at
  FROM unnest($1::bigint[]) AS k (post_id)
 CROSS JOIN LATERAL (
       SELECT post_id, id, title, body, edited_at FROM post_revisions
        WHERE post_id = k.post_id ORDER BY id DESC LIMIT $2) AS r
 ORDER BY r.post_id, r.id;
