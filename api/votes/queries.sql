-- Votes are rows; triggers (migration 0034) apply each statement's changes to the scores of
-- their targets and to their authors' karma, so a change of mind is one atomic statement.

-- name: set_post_votes
-- The votes of distinct users on one post, in one statement (api/votes/batches.py): $2 the
-- users, $3 their votes (1, -1, or 0 to withdraw). Rows are written in user order. Checked in
-- the same statement: no votes on a deleted or removed post, none by those banned from its
-- community (what permissions.require_not_banned asks). Answers the post's state and which of
-- the users are banned; no row if there is no such post.
WITH target AS (
    SELECT p.community_id, p.deleted_at, p.removed_at FROM posts p WHERE p.id = $1
), banned AS (
    SELECT b.user_id FROM bans b, target t
     WHERE b.community_id = t.community_id AND b.user_id = ANY ($2::bigint[])
       AND (b.expires_at IS NULL OR b.expires_at > now())
), cast_votes AS (
    SELECT v.user_id, v.value
      FROM unnest($2::bigint[], $3::smallint[]) AS v (user_id, value), target t
     WHERE t.deleted_at IS NULL AND t.removed_at IS NULL
       AND v.user_id NOT IN (SELECT user_id FROM banned)
), withdrawn AS (
    DELETE FROM post_votes AS v USING cast_votes AS c
     WHERE v.post_id = $1 AND v.user_id = c.user_id AND c.value = 0
), written AS (
    INSERT INTO post_votes (post_id, user_id, value)
    SELECT $1, user_id, value FROM cast_votes WHERE value <> 0 ORDER BY user_id
        ON CONFLICT (post_id, user_id) DO UPDATE SET value = EXCLUDED.value
        WHERE post_votes.value <> EXCLUDED.value
)
SELECT t.deleted_at, t.removed_at, ARRAY(SELECT user_id FROM banned) AS banned FROM target t;

-- name: get_post_score
-- Read once the votes committed, with how far the primary's WAL is by then: past the votes'
-- commit, what their voters' next reads must include (as replica.sql's written_lsn).
SELECT score, upvotes, downvotes, (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint AS written
  FROM posts WHERE id = $1;

-- name: set_comment_votes
-- As set_post_votes, on comment_votes (deliberately repeated: one statement per table, since no
-- table name is assembled from strings).
WITH target AS (
    SELECT p.community_id, m.deleted_at, m.removed_at
      FROM comments m JOIN posts p ON p.id = m.post_id WHERE m.id = $1
), banned AS (
    SELECT b.user_id FROM bans b, target t
     WHERE b.community_id = t.community_id AND b.user_id = ANY ($2::bigint[])
       AND (b.expires_at IS NULL OR b.expires_at > now())
), cast_votes AS (
    SELECT v.user_id, v.value
      FROM unnest($2::bigint[], $3::smallint[]) AS v (user_id, value), target t
     WHERE t.deleted_at IS NULL AND t.removed_at IS NULL
       AND v.user_id NOT IN (SELECT user_id FROM banned)
), withdrawn AS (
    DELETE FROM comment_votes AS v USING cast_votes AS c
     WHERE v.comment_id = $1 AND v.user_id = c.user_id AND c.value = 0
), written AS (
    INSERT INTO comment_votes (comment_id, user_id, value)
    SELECT $1, user_id, value FROM cast_votes WHERE value <> 0 ORDER BY user_id
        ON CONFLICT (comment_id, user_id) DO UPDATE SET value = EXCLUDED.value
        WHERE comment_votes.value <> EXCLUDED.value
)
SELECT t.deleted_at, t.removed_at, ARRAY(SELECT user_id FROM banned) AS banned FROM target t;

-- name: get_comment_score
SELECT score, upvotes, downvotes, (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint AS written
  FROM comments WHERE id = $1;
