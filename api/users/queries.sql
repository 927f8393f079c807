-- name: get_users_by_ids
SELECT * FROM users
 WHERE id = ANY($1::bigint[]);

-- name: get_user_by_address
SELECT * FROM users
 WHERE address = $1;

-- name: upsert_user_by_address
-- Signing in for the first time creates the account (`created`: a row inserted, not updated).
INSERT INTO users (address) VALUES ($1)
    ON CONFLICT (address) DO UPDATE SET address = EXCLUDED.address
RETURNING *, (xmax = 0) AS created;

-- name: carry_over_bans
-- A new account $1 for an address $2 whose earlier accounts were deleted (migration 0026) keeps
-- their bans that still run: deleting an account must not be a way around a ban.
INSERT INTO bans (community_id, user_id, moderator_id, reason, expires_at, created_at)
SELECT DISTINCT ON (b.community_id)
       b.community_id, $1, b.moderator_id, b.reason, b.expires_at, b.created_at
  FROM users d
  JOIN bans b ON b.user_id = d.id
 WHERE d.deleted_address = $2 AND (b.expires_at IS NULL OR b.expires_at > now())
 ORDER BY b.community_id, b.expires_at DESC NULLS FIRST
    ON CONFLICT DO NOTHING;

-- name: update_profile
UPDATE users
   SET display_name = CASE WHEN $2::boolean THEN $3 ELSE display_name END,
       bio = CASE WHEN $4::boolean THEN $5 ELSE bio END
 WHERE id = $1
RETURNING *;

-- name: get_token_standings
-- A holder's points (balance), voting power and delegate in communities, from the indexer's
-- mirror (read only): one row per (community id, holder) asked, in the order asked; zeros and
-- a null delegate where the mirror knows nothing. The delegate's forum account, if any, is joined
-- (a whole users row, or null).
SELECT k.ord,
       coalesce((SELECT b.balance FROM chain_token_balances AS b
                  WHERE b.token = c.token AND b.holder = k.holder), 0)::numeric(78, 0) AS points,
       coalesce((SELECT v.votes FROM chain_voting_power AS v
                  WHERE v.token = c.token AND v.delegate = k.holder), 0)::numeric(78, 0)
           AS voting_power,
       d.delegatee,
       d.block_timestamp AS delegated_at,
       u AS delegate_account
  FROM unnest($1::bytea[], $2::bytea[]) WITH ORDINALITY AS k (community_id, holder, ord)
  LEFT JOIN chain_communities AS c ON c.community_id = k.community_id
  LEFT JOIN LATERAL (
       SELECT x.to_delegate AS delegatee, x.block_timestamp FROM chain_delegate_changes AS x
        WHERE x.token = c.token AND x.delegator = k.holder
        ORDER BY x.block_number DESC, x.log_index DESC LIMIT 1
  ) AS d ON d.delegatee <> '\x0000000000000000000000000000000000000000'::bytea
  LEFT JOIN users AS u ON u.address = '0x' || encode(d.delegatee, 'hex')
 ORDER BY k.ord;

-- name: list_holder_communities
-- The on-chain communities (id, name) whose token an account ever received or held votes in,
-- by name, at most $2: one probe of chain_transfers_recipient and chain_delegate_votes_delegate
-- per community, so a profile never scans the transfers of every token.
SELECT c.community_id, c.name
  FROM chain_communities AS c
 WHERE EXISTS (SELECT 1 FROM chain_transfers AS t WHERE t.token = c.token AND t.recipient = $1)
    OR EXISTS (SELECT 1 FROM chain_delegate_votes AS v WHERE v.token = c.token AND v.delegate = $1)
 ORDER BY c.name
 LIMIT $2;
