-- The attack bench (tests/bench/economy.py): its community, and the old way of scoring (one
-- eligible vote, one unit) that the weighted scores of ledger/epochs.sql are compared with.

-- name: insert_users
INSERT INTO users (address, created_at)
SELECT t.address, t.created_at FROM unnest($1::text[], $2::timestamptz[]) AS t(address, created_at)
RETURNING id, address;

-- name: insert_community
INSERT INTO communities (name, title, creator_id, created_at) VALUES ($1, $1, $2, $3)
RETURNING id;

-- name: mirror_community
-- The token as the indexer mirrors its creation (ledger/epochs.sql finds it by name).
INSERT INTO chain_communities
    (community_id, name, name_raw, token, governor, creator, block_number, tx_hash, log_index,
     block_timestamp)
VALUES ($1, $2, convert_to($2, 'UTF8'), $3, $4, $5, 1, $6, 0, $7);

-- name: insert_posts
INSERT INTO posts (community_id, author_id, title, body, body_html, created_at, last_activity_at)
SELECT $1, t.author_id, 'post', '', '', t.created_at, t.created_at
  FROM unnest($2::bigint[], $3::timestamptz[]) WITH ORDINALITY AS t(author_id, created_at, n)
 ORDER BY t.n
RETURNING id;

-- name: insert_votes
-- Votes as they were cast (the vote triggers, which stamp them now, are off in this database).
INSERT INTO post_votes (post_id, user_id, value, created_at)
SELECT t.post_id, t.user_id, t.value, t.created_at
  FROM unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::timestamptz[])
       AS t(post_id, user_id, value, created_at)
ON CONFLICT DO NOTHING;

-- name: insert_mints
-- Points minted as the indexer mirrors the token's Transfer events from the zero address.
INSERT INTO chain_transfers
    (token, sender, recipient, value, block_number, tx_hash, log_index, block_timestamp)
SELECT $1, '\x0000000000000000000000000000000000000000'::bytea, t.recipient, t.value, $2,
       $3, t.n::integer, $4
  FROM unnest($5::bytea[], $6::numeric[]) WITH ORDINALITY AS t(recipient, value, n);

-- name: total_supply
SELECT coalesce(sum(value), 0) FROM chain_transfers WHERE token = $1;

-- name: old_scores
-- Issue 10's scoring: one eligible vote (not the author's, an account old enough), one unit.
SELECT p.id, p.author_id, count(*)::integer AS votes, sum(v.value)::integer AS score
  FROM posts p
  JOIN post_votes v ON v.post_id = p.id
  JOIN users u ON u.id = v.user_id
 WHERE p.community_id = $1 AND v.created_at >= $2 AND v.created_at < $3
   AND v.user_id <> p.author_id
   AND u.created_at <= v.created_at - make_interval(secs => $4)
 GROUP BY p.id
HAVING sum(v.value) > 0;
