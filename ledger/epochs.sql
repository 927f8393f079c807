-- Reward epochs: opening, scoring and closing (ledger/epochs.py runs them; the books are written
-- by ledger/journal.sql). Lock order, to keep concurrent closers from deadlocking: the epoch row,
-- then accounts (in user id order), then transfers, lines, intents and payouts. Releasing an
-- epoch from its review (release.sql) and settling its mints (settlement.sql) take the same order.

-- name: open_first_epochs
-- Communities with a token ($3: emission of epoch 1) get their first epoch, from their creation
-- (votes cast before the ledger ran count once) to the first boundary after now ($1 seconds long).
-- A community has its token once the indexer's mirror holds its creation (by name, unique
-- on-chain, as the view community_chains matches them).
INSERT INTO reward_epochs (community_id, number, starts_at, ends_at, emission)
SELECT c.id, 1, c.created_at,
       c.created_at + make_interval(
           secs => $1 * (floor(greatest(extract(epoch FROM $2::timestamptz - c.created_at), 0) / $1) + 1)),
       $3
  FROM communities c
 WHERE EXISTS (SELECT 1 FROM chain_communities m WHERE m.name = c.name)
   AND NOT EXISTS (SELECT 1 FROM reward_epochs e WHERE e.community_id = c.id)
ON CONFLICT DO NOTHING;

-- name: due_epochs
-- $1: now less the close's grace (ledger/epochs.py), after which no vote of the window is still
-- to commit.
SELECT community_id, number, starts_at, ends_at FROM reward_epochs
 WHERE status = 'open' AND ends_at <= $1 AND ($2::bigint IS NULL OR community_id = $2)
 ORDER BY ends_at, community_id
 LIMIT 1000;

-- name: lock_epoch
SELECT community_id, number, starts_at, ends_at, emission, status FROM reward_epochs
 WHERE community_id = $1 AND number = $2
   FOR UPDATE;

-- name: end_open_epochs_at
-- The operator's lever (`agora ledger close --now`): open epochs end at $1 instead of later.
-- With the same $1 twice nothing changes the second time (the next epoch starts at $1).
UPDATE reward_epochs SET ends_at = $1
 WHERE status = 'open' AND starts_at < $1 AND ends_at > $1
   AND ($2::bigint IS NULL OR community_id = $2);

-- name: standings
-- The whole points each holder of community $1[i]'s token held at $2[i] (the epoch's start: the
-- mirror's transfers stamped at or before it), for the holders with at least one.
SELECT e.community_id, '0x' || encode(h.holder, 'hex') AS address,
       floor(sum(h.amount) / 1e18)::bigint AS points
  FROM unnest($1::bigint[], $2::timestamptz[]) AS e(community_id, starts_at)
  JOIN communities c ON c.id = e.community_id
  JOIN chain_communities m ON m.name = c.name
  JOIN LATERAL (
      SELECT x.recipient AS holder, x.value AS amount FROM chain_transfers x
       WHERE x.token = m.token AND x.block_timestamp <= extract(epoch FROM e.starts_at)
      UNION ALL
      SELECT x.sender, -x.value FROM chain_transfers x
       WHERE x.token = m.token AND x.block_timestamp <= extract(epoch FROM e.starts_at)
  ) h ON h.holder <> '\x0000000000000000000000000000000000000000'::bytea
 GROUP BY e.community_id, h.holder
HAVING floor(sum(h.amount) / 1e18) >= 1;

-- name: community_posts
-- What a community's scoring costs grows with its votes; its posts are counted as they are
-- written (communities.post_count), its votes are not.
SELECT id, post_count FROM communities WHERE id = ANY($1::bigint[]);

-- name: scoring_settings
-- For the rest of the transaction (one scoring connection's, ledger/epochs.py; the figures in
-- tests/bench/README.md, "Rewards"): the sort, the window aggregates and the per-item aggregate
-- held in memory (some 5,000,000 votes per connection over the bench's year) instead of spilled
-- to disk; no parallel workers, since a connection's votes go through its window aggregates in
-- one process whatever the join did, and the scoring connections already share the cores; and
-- the joins in the order written, the scored communities' posts before the voters (the
-- planner's own order joins every vote of the span to its voter, other communities' too).
SET LOCAL work_mem = '1GB';
SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL join_collapse_limit = 1;

-- name: epoch_scores
-- The items that scored in each epoch of community $1[i] between $2[i] and $3[i] ($5 and $6:
-- the earliest start and the latest end), their votes weighted by the voters' standing (README,
-- "How rewards work"). Eligible votes: cast in the window by a voter who is not the author, not
-- banned in the community during the epoch and had an account at least $4 seconds old when it
-- voted, on content neither deleted nor removed. A withdrawn vote is a deleted row: it is simply
-- not here. A vote's time is its first cast's, even when withdrawn and cast again (migration
-- 0015), so each voter's vote on an item counts in one epoch at most.
-- A voter's weight: $10[j] in community $8[j] for address $9[j] (ledger/epochs.py: the square
-- root of the whole points held at the epoch's start), 0 for anyone else, and 1 for every voter
-- when $7[i] (the community's bootstrap: no holder at the start). $11[j] says the voter has
-- little standing (so has every voter of a bootstrap). The weight is a budget: split equally
-- over the authors the voter voted on in the epoch, and each author's part equally over the
-- voter's votes on that author's items, signed by direction. An upvote on an author who upvoted
-- the voter back in the epoch (eligibly) carries $12 of its part (the rest is lost: a trading
-- circle's votes count for less). Scores in millionths of a weight unit (integers, so the split
-- stays exact); also per item its up-weight, and the part of it from voters with little standing.
-- Many epochs (at most one open per community) in one statement, so that closing every
-- community's epoch reads the votes once per scoring connection (each scores a share of the
-- communities: ledger/epochs.py); the votes of voters without weight are left out before they
-- are counted per voter. The eligible votes are gathered once: sorted by (voter, community,
-- author) for the two window aggregates (a voter's votes per author, then the voter's authors),
-- and as the set of upvotes (community, voter, author) that says whether an upvote was returned.
-- A community's items depend on its own votes alone, so they are the same whichever
-- connection, and with whichever other communities, it is scored.
WITH eligible AS MATERIALIZED (
    SELECT p.community_id, false AS comment, p.id, p.author_id,
           v.user_id AS voter_id, v.value,
           CASE WHEN e.bootstrap THEN 1 ELSE s.weight END AS weight,
           coalesce(s.low_standing, true) AS low_standing
      FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $7::boolean[])
               AS e(community_id, starts_at, ends_at, bootstrap)
      JOIN posts p ON p.community_id = e.community_id
      JOIN post_votes v ON v.post_id = p.id
      JOIN users u ON u.id = v.user_id
      LEFT JOIN unnest($8::bigint[], $9::text[], $10::float8[], $11::boolean[])
               AS s(community_id, address, weight, low_standing)
             ON s.community_id = e.community_id AND s.address = u.address
     WHERE p.deleted_at IS NULL AND p.removed_at IS NULL
       AND v.created_at >= e.starts_at AND v.created_at < e.ends_at
       -- The span of all the windows ($5 to $6), as bounds the planner sees: a day's votes
       -- are read by their time index (migration 0009), a year's by a scan.
       AND v.created_at >= $5 AND v.created_at < $6
       AND v.user_id <> p.author_id
       AND u.created_at <= v.created_at - make_interval(secs => $4)
       AND (e.bootstrap OR s.weight > 0)
       AND NOT EXISTS (
           SELECT 1 FROM bans b
            WHERE b.community_id = e.community_id AND b.user_id = v.user_id
              AND b.created_at < e.ends_at
              AND (b.expires_at IS NULL OR b.expires_at > e.starts_at))
    -- The same for comments' votes: alike by design, one SELECT per votes table (no table
    -- name is assembled from strings).
    UNION ALL
    SELECT p.community_id, true, m.id, m.author_id, v.user_id, v.value,
           CASE WHEN e.bootstrap THEN 1 ELSE s.weight END,
           coalesce(s.low_standing, true)
      FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $7::boolean[])
               AS e(community_id, starts_at, ends_at, bootstrap)
      JOIN posts p ON p.community_id = e.community_id
      JOIN comments m ON m.post_id = p.id
      JOIN comment_votes v ON v.comment_id = m.id
      JOIN users u ON u.id = v.user_id
      LEFT JOIN unnest($8::bigint[], $9::text[], $10::float8[], $11::boolean[])
               AS s(community_id, address, weight, low_standing)
             ON s.community_id = e.community_id AND s.address = u.address
     WHERE p.deleted_at IS NULL AND p.removed_at IS NULL
       AND m.deleted_at IS NULL AND m.removed_at IS NULL
       AND v.created_at >= e.starts_at AND v.created_at < e.ends_at
       AND v.created_at >= $5 AND v.created_at < $6
       AND v.user_id <> m.author_id
       AND u.created_at <= v.created_at - make_interval(secs => $4)
       AND (e.bootstrap OR s.weight > 0)
       AND NOT EXISTS (
           SELECT 1 FROM bans b
            WHERE b.community_id = e.community_id AND b.user_id = v.user_id
              AND b.created_at < e.ends_at
              AND (b.expires_at IS NULL OR b.expires_at > e.starts_at))
)
SELECT community_id, CASE WHEN comment THEN 'comment' ELSE 'post' END AS kind, id, author_id,
       count(*)::integer AS votes, sum(value)::integer AS score,
       round(sum(value * part) * 1e6)::bigint AS weight,
       round(sum(part) FILTER (WHERE value > 0) * 1e6)::bigint AS up_weight,
       coalesce(round(sum(part) FILTER (WHERE value > 0 AND low_standing) * 1e6), 0)::bigint
           AS low_standing_weight
  FROM (
      SELECT *, weight * CASE WHEN returned THEN $12::float8 ELSE 1 END
                / (per_author * sum(1::float8 / per_author)
                                    OVER (PARTITION BY voter_id, community_id)) AS part
        FROM (
            SELECT e.*,
                   count(*) OVER (PARTITION BY voter_id, community_id, author_id)::float8
                       AS per_author,
                   -- Uncorrelated, so one hash table of the upvotes probed once per upvote (as long
                   -- as the planner expects it to fit in work_mem times hash_mem_multiplier:
                   -- some 20,000,000 upvotes per connection with scoring_settings).
                   e.value > 0 AND (e.community_id, e.author_id, e.voter_id) IN (
                       SELECT r.community_id, r.voter_id, r.author_id FROM eligible r
                        WHERE r.value > 0) AS returned
              FROM eligible e
        ) counted
  ) shared
 GROUP BY community_id, comment, id, author_id
HAVING round(sum(value * part) * 1e6) > 0;

-- name: plan_each_call
-- For the rest of the transaction, statements are planned with their parameters' values: the
-- co-voting signal's generic plan (after five calls) scans every post instead of a community's.
SET LOCAL plan_cache_mode = force_custom_plan;

-- name: co_voting_shares
-- Per live item of community $1 with upvotes cast between $2 and $3, the share of them cast by
-- co-voters: voters who upvoted at least $5 authors in the window, a set that overlaps that of
-- at least $6 other voters with a Jaccard index of $4 or more. Pairs to compare are found by
-- MinHash (README, "How rewards work"): per voter, the least of a hash of their authors under
-- each of 8 seeds; two voters are compared when they agree on both hashes of one of 4 bands, which
-- two sets with a Jaccard index J do with probability 1 - (1 - J^2)^4 (0.68 at 0.5, 0.94 at 0.75,
-- 1 for equal sets), so the work grows with the pairs that look alike, not with every two voters
-- of a popular author; and within a band value each voter is compared with the next 4 only. Each
-- candidate pair's overlap is then counted exactly.
WITH upvotes AS (
    SELECT p.id, false AS comment, p.author_id, v.user_id AS voter_id
      FROM posts p JOIN post_votes v ON v.post_id = p.id
     WHERE p.community_id = $1 AND v.value > 0 AND v.user_id <> p.author_id
       -- Live content only (what earns), which also lets the community's posts be found by
       -- the listings' partial indexes.
       AND p.deleted_at IS NULL AND p.removed_at IS NULL
       AND v.created_at >= $2 AND v.created_at < $3
    UNION ALL
    SELECT m.id, true, m.author_id, v.user_id
      FROM posts p JOIN comments m ON m.post_id = p.id
      JOIN comment_votes v ON v.comment_id = m.id
     WHERE p.community_id = $1 AND v.value > 0 AND v.user_id <> m.author_id
       AND p.deleted_at IS NULL AND p.removed_at IS NULL
       AND m.deleted_at IS NULL AND m.removed_at IS NULL
       AND v.created_at >= $2 AND v.created_at < $3
),
authors AS (
    SELECT DISTINCT voter_id, author_id FROM upvotes
),
signatures AS (
    SELECT voter_id, count(*) AS size,
           min(hashint8extended(author_id, 1)) AS h1, min(hashint8extended(author_id, 2)) AS h2,
           min(hashint8extended(author_id, 3)) AS h3, min(hashint8extended(author_id, 4)) AS h4,
           min(hashint8extended(author_id, 5)) AS h5, min(hashint8extended(author_id, 6)) AS h6,
           min(hashint8extended(author_id, 7)) AS h7, min(hashint8extended(author_id, 8)) AS h8
      FROM authors
     GROUP BY voter_id
    HAVING count(*) >= $5
),
bands AS (
    -- Per band value, its voters in id order, each with the next 4 (a crowd sharing it is
    -- compared in a chain, not every two: linear in the voters, not quadratic).
    SELECT s.voter_id, s.size,
           lead(s.voter_id, 1) OVER chain AS n1, lead(s.size, 1) OVER chain AS s1,
           lead(s.voter_id, 2) OVER chain AS n2, lead(s.size, 2) OVER chain AS s2,
           lead(s.voter_id, 3) OVER chain AS n3, lead(s.size, 3) OVER chain AS s3,
           lead(s.voter_id, 4) OVER chain AS n4, lead(s.size, 4) OVER chain AS s4
      FROM signatures s
     CROSS JOIN LATERAL (VALUES (1, s.h1, s.h2), (2, s.h3, s.h4), (3, s.h5, s.h6),
                                (4, s.h7, s.h8)) AS b(band, x, y)
    WINDOW chain AS (PARTITION BY b.band, b.x, b.y ORDER BY s.voter_id)
),
candidates AS (
    SELECT DISTINCT b.voter_id AS one, n.other, b.size AS one_size, n.other_size
      FROM bands b
     CROSS JOIN LATERAL (VALUES (b.n1, b.s1), (b.n2, b.s2), (b.n3, b.s3), (b.n4, b.s4))
           AS n(other, other_size)
     WHERE n.other IS NOT NULL
),
alike AS (
    SELECT c.one, c.other
      FROM candidates c
      JOIN authors x ON x.voter_id = c.one
      JOIN authors y ON y.voter_id = c.other AND y.author_id = x.author_id
     GROUP BY c.one, c.other, c.one_size, c.other_size
    HAVING count(*) >= $4::float8 * (c.one_size + c.other_size - count(*))
),
co_voters AS (
    SELECT voter_id
      FROM (SELECT one AS voter_id FROM alike UNION ALL SELECT other FROM alike) s
     GROUP BY voter_id
    HAVING count(*) >= $6
)
SELECT CASE WHEN u.comment THEN 'comment' ELSE 'post' END AS kind, u.id,
       (count(c.voter_id)::numeric / count(*))::numeric(7, 6) AS share
  FROM upvotes u LEFT JOIN co_voters c USING (voter_id)
 GROUP BY u.comment, u.id
HAVING count(c.voter_id) > 0;

-- name: insert_reward_lines
-- Amounts as decimal text: cheaper to send than numerics, by the hundred thousand.
INSERT INTO reward_lines
    (community_id, epoch_number, post_id, comment_id, author_id, votes, score, share, amount,
     weight, low_standing_share, co_voting_share)
SELECT $1, $2, t.post_id, t.comment_id, t.author_id, t.votes, t.score, t.share::numeric,
       t.amount::numeric, t.weight, t.low_standing, t.co_voting
  FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::integer[], $7::integer[],
              $8::text[], $9::text[], $10::bigint[], $11::numeric[], $12::numeric[])
       AS t(post_id, comment_id, author_id, votes, score, share, amount, weight, low_standing,
            co_voting);

-- name: close_epoch
-- Into review ($3 'review', its window $7 seconds from now) or, with nothing to mint, 'paid'.
UPDATE reward_epochs
   SET status = $3, distributed = $4, undistributed = $5, recipients = $6, closed_at = now(),
       review_ends_at = now() + make_interval(secs => $7)
 WHERE community_id = $1 AND number = $2 AND status = 'open';

-- name: open_next_epoch
-- Epoch n + 1 starts where n ended and ends on the first boundary after now: time the worker
-- was down joins the next epoch instead of opening a run of empty ones.
INSERT INTO reward_epochs (community_id, number, starts_at, ends_at, emission)
SELECT e.community_id, e.number + 1, e.ends_at,
       e.ends_at + make_interval(
           secs => $3 * (floor(greatest(extract(epoch FROM $4::timestamptz - e.ends_at), 0) / $3) + 1)),
       $5
  FROM reward_epochs e
 WHERE e.community_id = $1 AND e.number = $2;
