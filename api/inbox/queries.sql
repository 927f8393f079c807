-- name: notify
-- Notify people of one event (see `notify` in migration 0023: never the actor, never twice).
SELECT id, user_id
  FROM notify($1::bigint[], $2, $3, $4, $5, $6, $7, NULL, NULL);

-- name: notify_mentions
-- Notify the forum's people among the addresses ($1, lower-case) that an item mentions them,
-- but $7 (the author it replies to, told of it already).
SELECT n.id, n.user_id
  FROM notify(ARRAY(SELECT id FROM users
                     WHERE address = ANY($1::text[]) AND id IS DISTINCT FROM $7::bigint),
              'MENTION', $2, $3, $4, $5, $6, NULL, NULL) AS n;

-- name: count_unread
SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL;

-- name: list_notifications
-- A person's notifications, newest first, after the keyset ($2: an id), unread only if $3.
SELECT *
  FROM notifications
 WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2) AND (NOT $3 OR read_at IS NULL)
 ORDER BY id DESC
 LIMIT $4;

-- name: get_notifications_by_ids
SELECT * FROM notifications WHERE id = ANY($1::bigint[]);

-- name: mark_read
-- Mark a person's notifications read: those of $2, or all when $2 is null; how many changed.
WITH changed AS (
    UPDATE notifications SET read_at = now()
     WHERE user_id = $1 AND read_at IS NULL AND ($2::bigint[] IS NULL OR id = ANY($2))
    RETURNING 1
)
SELECT count(*) FROM changed;
