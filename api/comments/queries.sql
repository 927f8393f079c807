-- name: get_comment_views_by_ids
SELECT * FROM comment_views WHERE id = ANY($1::bigint[]);

-- name: get_comment_tree
-- The whole discussion of a post in pre-order (ORDER BY path); siblings are then ordered by the
-- requested sort in Python, which keeps each subtree under its parent.
SELECT * FROM comment_views WHERE post_id = $1 ORDER BY path LIMIT $2;

-- name: list_by_author
SELECT * FROM comment_views
 WHERE author_id = $4 AND deleted_at IS NULL AND removed_at IS NULL
   AND (created_at, id) < ($1, $2)
 ORDER BY created_at DESC, id DESC LIMIT $3;

-- name: get_comment_for_reply
SELECT id, post_id, path, deleted_at, removed_at FROM comments WHERE id = $1;

-- name: create_comment
-- The id is drawn first so that the path (ancestors, then the comment itself) is written with
-- the row, in one statement.
WITH new_comment AS (
    SELECT nextval(pg_get_serial_sequence('comments', 'id')) AS id
)
INSERT INTO comments (id, post_id, parent_id, path, author_id, body, body_html)
OVERRIDING SYSTEM VALUE
SELECT id, $1, $2, $3::bigint[] || id, $4, $5, $6 FROM new_comment
RETURNING id;

-- name: count_reply
UPDATE comments SET reply_count = reply_count + 1 WHERE id = $1;

-- name: count_comment_on_post
UPDATE posts SET comment_count = comment_count + 1, last_activity_at = now() WHERE id = $1;

-- name: lock_comment
SELECT m.id, m.post_id, m.author_id, m.deleted_at, m.removed_at, p.community_id
  FROM comments m JOIN posts p ON p.id = m.post_id
 WHERE m.id = $1
   FOR UPDATE OF m;

-- name: edit_comment
-- The trigger comment_revisions_kept keeps the text this replaces, in this transaction.
UPDATE comments SET body = $2, body_html = $3, edited_at = now() WHERE id = $1;

-- name: delete_comment
UPDATE comments SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL;

-- name: remove_comment
UPDATE comments SET removed_at = now() WHERE id = $1 AND removed_at IS NULL;

-- name: get_revisions_of_comments
-- What each edit replaced, oldest first: the latest $2 of each comment (the list's cap).
SELECT r.comment_id, r.body, r.edited_at
  FROM unnest($1::bigint[]) AS k (comment_id)
 CROSS JOIN LATERAL (
       SELECT comment_id, id, body, edited_at FROM comment_revisions
        WHERE comment_id = k.comment_id ORDER BY id DESC LIMIT $2) AS r
 ORDER BY r.comment_id, r.id;
