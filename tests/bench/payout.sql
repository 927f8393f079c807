-- The payout benchmark (tests/bench/payout.py): its forum, its epochs, and what it waits for.

-- name: insert_creator
INSERT INTO users (address, created_at)
VALUES ('0x' || substr(md5('payout-creator'), 1, 32) || substr(md5('creator'), 1, 8),
        now() - interval '30 days')
RETURNING id;

-- name: community_created
SELECT EXISTS (SELECT 1 FROM operator_transactions
                WHERE dedupe_key = 'create_community:' || $1::bigint AND status = 'mined');

-- name: community_token
SELECT result ->> 'token' FROM operator_transactions
 WHERE dedupe_key = 'create_community:' || $1::bigint AND status = 'mined';

-- name: insert_authors_posts_votes
-- $2 authors (accounts a month old) with one post each in community $1, each post up-voted an
-- hour ago by one voter old enough to count.
WITH authors AS (
    INSERT INTO users (address, created_at)
    SELECT '0x' || md5('payout-author-' || i) || substr(md5('a' || i), 1, 8),
           now() - interval '30 days'
      FROM generate_series(1, $2) AS i
    RETURNING id
), voter AS (
    INSERT INTO users (address, created_at)
    VALUES ('0x' || md5('payout-voter-1') || substr(md5('v1'), 1, 8), now() - interval '30 days')
    RETURNING id
), posts AS (
    INSERT INTO posts
        (community_id, author_id, title, body, body_html, created_at, last_activity_at)
    SELECT $1, a.id, 'Post of ' || a.id, 'Worth a reward.', '<p>Worth a reward.</p>',
           now() - interval '2 hours', now() - interval '2 hours'
      FROM authors a
    RETURNING id
)
INSERT INTO post_votes (post_id, user_id, value, created_at)
SELECT p.id, v.id, 1, now() - interval '1 hour' FROM posts p, voter v;

-- name: vote_again
-- A second voter up-votes every post of community $1 now (within epoch 2).
WITH voter AS (
    INSERT INTO users (address, created_at)
    VALUES ('0x' || md5('payout-voter-2') || substr(md5('v2'), 1, 8), now() - interval '30 days')
    RETURNING id
)
INSERT INTO post_votes (post_id, user_id, value)
SELECT p.id, v.id, 1 FROM posts p, voter v WHERE p.community_id = $1;

-- name: open_epoch
-- Epoch 1 of community $1, ended now: due at once.
INSERT INTO reward_epochs (community_id, number, starts_at, ends_at, emission)
VALUES ($1, 1, now() - interval '1 day', now(), $2);

-- name: epoch_batches
SELECT count(*) FROM reward_payouts WHERE community_id = $1 AND epoch_number = $2;

-- name: epoch_mined
-- Every mint of the epoch recorded as mined by the sender.
SELECT count(*) > 0 AND bool_and(o.status = 'mined')
  FROM reward_payouts p
  JOIN operator_transactions o ON o.id = p.operator_transaction_id
 WHERE p.community_id = $1 AND p.epoch_number = $2;

-- name: epoch_transactions
SELECT o.tx_hash
  FROM reward_payouts p
  JOIN operator_transactions o ON o.id = p.operator_transaction_id
 WHERE p.community_id = $1 AND p.epoch_number = $2;

-- name: mirror_mints
-- The mints of token $1 the indexer has mirrored (transfers from the zero address).
SELECT count(*) FROM chain_transfers WHERE token = $1 AND sender = decode(repeat('00', 20), 'hex');

-- name: mirror_has_mints
SELECT count(*) >= $2
  FROM chain_transfers WHERE token = $1 AND sender = decode(repeat('00', 20), 'hex');
