-- The indexer's mirror, read only. Addresses are bytea there and lower-case '0x…' text in `users`.

-- name: get_governance_of_communities
-- Each community's token and governor with the governor's settings now and the token's total
-- supply (mints minus burns), for the communities (by on-chain id) the mirror holds.
SELECT c.community_id, c.name, c.token, c.governor,
       s.voting_delay, s.voting_period, s.proposal_threshold, s.quorum_numerator,
       coalesce((
           SELECT sum(CASE WHEN x.sender = '\x0000000000000000000000000000000000000000'::bytea
                           THEN x.value ELSE -x.value END)
             FROM chain_transfers AS x
            WHERE x.token = c.token
              AND (x.sender = '\x0000000000000000000000000000000000000000'::bytea
                   OR x.recipient = '\x0000000000000000000000000000000000000000'::bytea)
       ), 0)::numeric(78, 0) AS total_supply
  FROM chain_communities AS c
  LEFT JOIN chain_governor_current_settings AS s ON s.governor = c.governor
 WHERE c.community_id = ANY($1::bytea[]);

-- name: list_proposals
-- A governor's proposals, newest first, after the keyset ($3 block, $4 log index), optionally
-- in one state ($2).
SELECT p.*
  FROM proposal_views AS p
 WHERE p.governor = $1
   AND ($2::text IS NULL OR p.state = $2)
   AND ($3::bigint IS NULL OR (p.block_number, p.log_index) < ($3, $4::integer))
 ORDER BY p.block_number DESC, p.log_index DESC
 LIMIT $5;

-- name: get_proposal
-- One proposal by governor and id.
SELECT p.*
  FROM proposal_views AS p
 WHERE p.governor = $1 AND p.proposal_id = $2;

-- name: list_votes
-- A proposal's votes, newest first, after the keyset ($3 block, $4 log index).
SELECT v.voter, v.support, v.weight, v.reason, v.tx_hash, v.block_number, v.log_index,
       v.block_timestamp, u AS voter_account
  FROM chain_votes AS v
  LEFT JOIN users AS u ON u.address = '0x' || encode(v.voter, 'hex')
 WHERE v.governor = $1 AND v.proposal_id = $2
   AND ($3::bigint IS NULL OR (v.block_number, v.log_index) < ($3, $4::integer))
 ORDER BY v.block_number DESC, v.log_index DESC
 LIMIT $5;

-- name: get_indexer_state
SELECT chain_id, head_block, block_number FROM chain_indexer_state;

-- name: get_users_by_addresses
SELECT * FROM users
 WHERE address = ANY($1::text[]);

-- name: get_votes_of_voters
-- Each (governor, proposal, voter)'s vote, if cast (the governor takes one per voter), with
-- the voter's forum account (a whole users row, or null); `ord` is the key's position.
SELECT k.ord, v.voter, v.support, v.weight, v.reason, v.tx_hash, v.block_number, v.log_index,
       v.block_timestamp, u AS voter_account
  FROM unnest($1::bytea[], $2::numeric[], $3::bytea[]) WITH ORDINALITY
       AS k (governor, proposal_id, voter, ord)
  JOIN chain_votes AS v
    ON v.governor = k.governor AND v.proposal_id = k.proposal_id AND v.voter = k.voter
  LEFT JOIN users AS u ON u.address = '0x' || encode(v.voter, 'hex');
