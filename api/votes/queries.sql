-- Votes are rows; triggers (migration 0034) apply each statement's changes to the scores of
-- their targets and to their authors' karma, so a change of mind is one atomic statement.

-- name: set_post_votes
-- The votes of distinct users on one post, in one statement (api/votes/batches.py): $2 the
-- users, $3 their votes (1, -1, or 0 to withdraw). Rows are written in user order.
WITH cast_votes AS (
    SELECT * FROM unnest($2::bigint[], $3::smallint[]) AS v (user_id, value)
), withdrawn AS (
    DELETE FROM post_votes AS v USING cast_votes AS c
     WHERE v.post_id = $1 AND v.user_id = c.user_id AND c.value = 0
)
INSERT INTO post_votes (post_id, user_id, value)
SELECT $1, user_id, value FROM cast_votes WHERE value <> 0 ORDER BY user_id
    ON CONFLICT (post_id, user_id) DO UPDATE SET value = EXCLUDED.value
    WHERE post_votes.value <> EXCLUDED.value;

-- name: get_post_score
-- Read once the votes committed, with how far the primary's WAL is by then: past the votes'
-- commit, what their voters' next reads must include (as replica.sql's written_lsn).
SELECT score, upvotes, downvotes, (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint AS written
  FROM posts WHERE id = $1;

-- name: get_post_to_vote
-- What a vote of user $2 on post $1 depends on, in one round trip: the post's state, and whether
-- the voter is banned from its community (what permissions.require_not_banned asks).
SELECT p.deleted_at, p.removed_at,
       EXISTS (SELECT FROM bans b
                WHERE b.user_id = $2 AND b.community_id = p.community_id
                  AND (b.expires_at IS NULL OR b.expires_at > now())) AS voter_banned
  FROM posts p WHERE p.id = $1;

-- name: set_comment_votes
-- As set_post_votes, on comment_votes (deliberately repeated: one statement per table, since no
-- table name is assembled from strings).
WITH cast_votes AS (
    SELECT * FROM unnest($2::bigint[], $3::smallint[]) AS v (user_id, value)
), withdrawn AS (
    DELETE FROM comment_votes AS v USING cast_votes AS c
     WHERE v.comment_id = $1 AND v.user_id = c.user_id AND c.value = 0
)
INSERT INTO comment_votes (comment_id, user_id, value)
SELECT $1, user_id, value FROM cast_votes WHERE value <> 0 ORDER BY user_id
    ON CONFLICT (comment_id, user_id) DO UPDATE SET value = EXCLUDED.value
    WHERE comment_votes.value <> EXCLUDED.value;

-- name: get_comment_score
SELECT score, upvotes, downvotes, (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint AS written
  FROM comments WHERE id = $1;

-- name: get_comment_to_vote
SELECT m.deleted_at, m.removed_at,
       EXISTS (SELECT FROM bans b
                WHERE b.user_id = $2 AND b.community_id = p.community_id
                  AND (b.expires_at IS NULL OR b.expires_at > now())) AS voter_banned
  FROM comments m JOIN posts p ON p.id = m.post_id
 WHERE m.id = $1;
