-- name: get_users_by_ids
SELECT * FROM users
 WHERE id = ANY($1::bigint[]);

-- name: get_user_by_address
SELECT * FROM users
 WHERE address = $1;

-- name: upsert_user_by_address
-- Signing in for the first time creates the account.
INSERT INTO users (address) VALUES ($1)
    ON CONFLICT (address) DO UPDATE SET address = EXCLUDED.address
RETURNING *;

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
