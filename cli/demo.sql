-- What `agora seed`'s governance and economy demo reads and writes (cli/demo.py). It writes only
-- forum state (the demo people's accounts); the ledger's books are written by ledger/ and the
-- chain's mirror by the indexer.

-- name: try_lock
-- Whether a service holding advisory lock $1 runs: taken and given back at once when free.
SELECT pg_try_advisory_lock($1);

-- name: unlock
SELECT pg_advisory_unlock($1);

-- name: get_community
SELECT id, created_at FROM communities WHERE name = $1;

-- name: get_users_by_addresses
SELECT id, address FROM users WHERE address = ANY($1::text[]);

-- name: backdate_users
-- The demo people joined before the demo community, by more than the age a voter needs for
-- their votes to earn rewards ($3 seconds): the seed's votes are then eligible.
UPDATE users SET created_at = least(created_at, $2::timestamptz - make_interval(secs => $3))
 WHERE address = ANY($1::text[]);

-- name: get_mirrored_community
SELECT '0x' || encode(token, 'hex') AS token, '0x' || encode(governor, 'hex') AS governor
  FROM chain_communities WHERE name = $1;

-- name: count_holders
-- How many of the addresses $2 the mirror shows holding the token $1.
SELECT count(*) FROM chain_token_balances
 WHERE token = decode(substr($1, 3), 'hex') AND balance > 0
   AND '0x' || encode(holder, 'hex') = ANY($2::text[]);

-- name: count_paid_epochs
-- The community's closed epochs that paid someone, and how many of them are paid.
SELECT count(*) FILTER (WHERE status <> 'open' AND recipients > 0) AS closed,
       count(*) FILTER (WHERE status = 'paid' AND recipients > 0) AS paid
  FROM reward_epochs WHERE community_id = $1;

-- name: get_proposal_states
-- The mirror's state of the governor $1's proposals $2 (decimal ids).
SELECT proposal_id::text AS proposal_id, state FROM chain_proposal_states
 WHERE governor = decode(substr($1, 3), 'hex') AND proposal_id = ANY($2::numeric[]);

-- name: is_moderator
SELECT EXISTS (SELECT 1 FROM chain_moderators m
                 JOIN chain_communities c ON c.community_id = m.community_id
                WHERE c.name = $1 AND '0x' || encode(m.account, 'hex') = $2);


-- name: get_tippable_posts
-- One post each of up to three of the members ($2 addresses) in the community $1: the demo's
-- tips go round them.
SELECT DISTINCT ON (u.address) p.id, u.address
  FROM posts AS p
  JOIN communities AS c ON c.id = p.community_id
  JOIN users AS u ON u.id = p.author_id
 WHERE c.name = $1 AND u.address = ANY($2::text[])
   AND p.deleted_at IS NULL AND p.removed_at IS NULL
 ORDER BY u.address, p.id
 LIMIT 3;

-- name: count_tips
-- How many tips in the token $1 the mirror holds.
SELECT count(*) FROM chain_tips WHERE token = decode(substr($1, 3), 'hex');
