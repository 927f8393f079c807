-- Votes are rows; triggers (migration 0001) apply each row's change to the score of its target
-- and to its author's karma, so a change of mind is one atomic statement.

-- name: upsert_post_vote
INSERT INTO post_votes (post_id, user_id, value) VALUES ($1, $2, $3)
    ON CONFLICT (post_id, user_id) DO UPDATE SET value = EXCLUDED.value
    WHERE post_votes.value <> EXCLUDED.value;

-- name: delete_post_vote
DELETE FROM post_votes WHERE post_id = $1 AND user_id = $2;

-- name: get_post_score
SELECT score, upvotes, downvotes, deleted_at, removed_at, community_id FROM posts WHERE id = $1;

-- name: upsert_comment_vote
INSERT INTO comment_votes (comment_id, user_id, value) VALUES ($1, $2, $3)
    ON CONFLICT (comment_id, user_id) DO UPDATE SET value = EXCLUDED.value
    WHERE comment_votes.value <> EXCLUDED.value;

-- name: delete_comment_vote
DELETE FROM comment_votes WHERE comment_id = $1 AND user_id = $2;

-- name: get_comment_score
SELECT m.score, m.upvotes, m.downvotes, m.deleted_at, m.removed_at, p.community_id
  FROM comments m JOIN posts p ON p.id = m.post_id
 WHERE m.id = $1;
