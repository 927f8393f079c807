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
-- Where the indexer is: the node's head, the block applied and its time (the governor's clock).
SELECT chain_id, head_block, block_number, block_timestamp FROM chain_indexer_state;

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

-- name: get_chain_community
-- A community as the mirror has it on-chain, by on-chain id, with its governor's proposal
-- threshold now.
SELECT c.community_id, c.name, c.token, c.governor, s.proposal_threshold
  FROM chain_communities AS c
  LEFT JOIN chain_governor_current_settings AS s ON s.governor = c.governor
 WHERE c.community_id = $1;

-- name: forum_community_exists
SELECT EXISTS (SELECT 1 FROM communities WHERE name = $1);

-- name: get_voting_power
-- An account's votes in a token now (its own delegated to itself, and others' delegated to it).
SELECT coalesce((SELECT votes FROM chain_voting_power WHERE token = $1 AND delegate = $2), 0)
       ::numeric(78, 0);

-- name: is_chain_moderator
SELECT EXISTS (SELECT 1 FROM chain_moderators WHERE community_id = $1 AND account = $2);

-- name: proposal_exists
SELECT EXISTS (SELECT 1 FROM chain_proposals WHERE governor = $1 AND proposal_id = $2);

-- name: get_proposal_of_id
-- A proposal (with its community) by governor and id; or, with no governor ($1 NULL), by id
-- alone among every governor's (at most two rows: the caller refuses an ambiguous id).
SELECT p.governor, p.proposal_id, p.vote_start, c.community_id, c.name, c.token
  FROM chain_proposals AS p
  JOIN chain_communities AS c ON c.governor = p.governor
 WHERE ($1::bytea IS NULL OR p.governor = $1) AND p.proposal_id = $2
 LIMIT 2;

-- name: get_votes_at
-- An account's votes in a token at a time of the governor's clock (a proposal's snapshot): its
-- latest DelegateVotesChanged stamped at or before it, as the token's checkpoints count.
SELECT coalesce((
    SELECT new_votes FROM chain_delegate_votes
     WHERE token = $1 AND delegate = $2 AND block_timestamp <= $3
     ORDER BY block_number DESC, log_index DESC
     LIMIT 1
), 0)::numeric(78, 0);

-- name: has_mirrored_vote
SELECT EXISTS (
    SELECT 1 FROM chain_votes WHERE governor = $1 AND proposal_id = $2 AND voter = $3
);

-- name: record_vote_relay
-- The intent to send a signed ballot; nothing when an unsettled ballot of the same voter at the
-- same governor and nonce is in the outbox (the unique index of migration 0021: the chain counts
-- one ballot per nonce). Each relay is an intent of its own, its key ending with its id: a failed
-- ballot must not hold a key that the voter's correct one (the same bytes, were the failure
-- passing) would need.
WITH next AS (SELECT nextval(pg_get_serial_sequence('operator_transactions', 'id')) AS id)
INSERT INTO operator_transactions (id, kind, dedupe_key, payload)
SELECT next.id, 'cast_vote_by_sig', $1 || '#' || next.id, $2
  FROM next
ON CONFLICT DO NOTHING
RETURNING id, status, tx_hash, error;

-- name: get_live_vote_relay
-- The voter's relay on the proposal that did not fail (pending, sent or mined), if any.
SELECT id, status, tx_hash, error
  FROM operator_transactions
 WHERE kind = 'cast_vote_by_sig'
   AND lower(payload ->> 'governor') = $1
   AND payload ->> 'proposalId' = $2
   AND lower(payload ->> 'voter') = $3
   AND status <> 'failed'
 ORDER BY id
 LIMIT 1;

-- name: get_unsettled_ballot_at_nonce
-- The voter's unsettled ballot at the governor and nonce (what refused a new one there).
SELECT id, payload ->> 'proposalId' AS proposal_id
  FROM operator_transactions
 WHERE kind = 'cast_vote_by_sig'
   AND lower(payload ->> 'governor') = $1
   AND lower(payload ->> 'voter') = $2
   AND payload ->> 'nonce' = $3
   AND status IN ('pending', 'sent');

-- name: get_vote_relay_by_id
SELECT id, status, tx_hash, error FROM operator_transactions WHERE id = $1;

-- name: list_proposals_changed
-- A governor's proposals whose tally or state may have changed when the indexer moved from
-- block $2 (time $4) to block $3 (time $5): a vote, an execution, a cancellation or their
-- creation in those blocks, or their vote opening or closing between those times (the state
-- view's PENDING ends once the head's time passes vote_start, ACTIVE once it passes vote_end).
SELECT p.*
  FROM proposal_views AS p
 WHERE p.governor = $1
   AND p.proposal_id IN (
       SELECT v.proposal_id FROM chain_votes AS v
        WHERE v.governor = $1 AND v.block_number > $2 AND v.block_number <= $3
       UNION
       SELECT e.proposal_id FROM chain_proposal_events AS e
        WHERE e.governor = $1 AND e.block_number > $2 AND e.block_number <= $3
       UNION
       SELECT x.proposal_id FROM chain_proposals AS x
        WHERE x.governor = $1
          AND ((x.block_number > $2 AND x.block_number <= $3)
               OR (x.vote_start >= $4 AND x.vote_start < $5)
               OR (x.vote_end >= $4 AND x.vote_end < $5)))
 ORDER BY p.block_number, p.log_index;

-- name: list_open_proposals
-- A governor's proposals whose tally or state can still change (after a reorganisation, when
-- what changed is not known).
SELECT p.*
  FROM proposal_views AS p
 WHERE p.governor = $1 AND p.state IN ('PENDING', 'ACTIVE', 'SUCCEEDED', 'QUEUED')
 ORDER BY p.block_number, p.log_index;

-- name: get_proposal_events
-- A proposal's queued / executed / canceled events, in the chain's order (its timeline).
SELECT kind, block_timestamp, tx_hash
  FROM chain_proposal_events
 WHERE governor = $1 AND proposal_id = $2
 ORDER BY block_number, log_index;

-- name: get_votes_at_snapshot
-- An account's votes at a governor's timepoint (a proposal's snapshot), in the governor's
-- token: as get_votes_at, the token found from the governor.
SELECT coalesce((
    SELECT v.new_votes
      FROM chain_communities AS c
      JOIN chain_delegate_votes AS v ON v.token = c.token
     WHERE c.governor = $1 AND v.delegate = $2 AND v.block_timestamp <= $3
     ORDER BY v.block_number DESC, v.log_index DESC
     LIMIT 1
), 0)::numeric(78, 0);

-- name: list_delegates
-- A token's delegates with votes now, most votes first, after the keyset ($3 votes, $4 address),
-- each with: how many accounts delegate to them now, how many votes they cast at the governor
-- ($2), their participation (of the governor's proposals whose snapshot came after they first
-- held votes, the share they voted on), their forum account and their statement in the forum's
-- community $6.
WITH power AS (
    SELECT delegate, votes FROM chain_voting_power WHERE token = $1 AND votes > 0
), current_delegation AS (
    SELECT DISTINCT ON (delegator) delegator, to_delegate
      FROM chain_delegate_changes
     WHERE token = $1
     ORDER BY delegator, block_number DESC, log_index DESC
), since AS (
    SELECT delegate, min(block_timestamp) AS first_power
      FROM chain_delegate_votes
     WHERE token = $1 AND new_votes > 0
     GROUP BY delegate
)
SELECT p.delegate, p.votes, s.first_power,
       (SELECT count(*) FROM current_delegation AS d WHERE d.to_delegate = p.delegate)::integer
           AS delegators,
       (SELECT count(*) FROM chain_votes AS v WHERE v.governor = $2 AND v.voter = p.delegate)
           ::integer AS votes_cast,
       (SELECT count(*) FROM chain_proposals AS x
         WHERE x.governor = $2 AND x.vote_start >= s.first_power)::integer AS eligible,
       (SELECT count(*) FROM chain_proposals AS x
          JOIN chain_votes AS v
            ON v.governor = x.governor AND v.proposal_id = x.proposal_id AND v.voter = p.delegate
         WHERE x.governor = $2 AND x.vote_start >= s.first_power)::integer AS voted,
       u AS account, st.statement, st.statement_html
  FROM power AS p
  LEFT JOIN since AS s ON s.delegate = p.delegate
  LEFT JOIN users AS u ON u.address = '0x' || encode(p.delegate, 'hex')
  LEFT JOIN delegate_statements AS st ON st.user_id = u.id AND st.community_id = $6
 WHERE $3::numeric IS NULL OR (p.votes, p.delegate) < ($3, $4::bytea)
 ORDER BY p.votes DESC, p.delegate DESC
 LIMIT $5;

-- name: get_delegate
-- One account as a delegate of a token (the columns of list_delegates), votes 0 if none.
WITH current_delegation AS (
    SELECT DISTINCT ON (delegator) delegator, to_delegate
      FROM chain_delegate_changes
     WHERE token = $1
     ORDER BY delegator, block_number DESC, log_index DESC
), since AS (
    SELECT min(block_timestamp) AS first_power
      FROM chain_delegate_votes
     WHERE token = $1 AND delegate = $3 AND new_votes > 0
)
SELECT $3::bytea AS delegate,
       coalesce((SELECT votes FROM chain_voting_power WHERE token = $1 AND delegate = $3), 0)
           ::numeric(78, 0) AS votes,
       s.first_power,
       (SELECT count(*) FROM current_delegation AS d WHERE d.to_delegate = $3)::integer
           AS delegators,
       (SELECT count(*) FROM chain_votes AS v WHERE v.governor = $2 AND v.voter = $3)::integer
           AS votes_cast,
       (SELECT count(*) FROM chain_proposals AS x
         WHERE x.governor = $2 AND x.vote_start >= s.first_power)::integer AS eligible,
       (SELECT count(*) FROM chain_proposals AS x
          JOIN chain_votes AS v
            ON v.governor = x.governor AND v.proposal_id = x.proposal_id AND v.voter = $3
         WHERE x.governor = $2 AND x.vote_start >= s.first_power)::integer AS voted,
       u AS account, st.statement, st.statement_html
  FROM since AS s
  LEFT JOIN users AS u ON u.address = '0x' || encode($3::bytea, 'hex')
  LEFT JOIN delegate_statements AS st ON st.user_id = u.id AND st.community_id = $4;

-- name: upsert_delegate_statement
INSERT INTO delegate_statements (community_id, user_id, statement, statement_html)
VALUES ($1, $2, $3, $4)
ON CONFLICT (community_id, user_id)
DO UPDATE SET statement = excluded.statement, statement_html = excluded.statement_html,
              updated_at = now();

-- name: get_forum_community
SELECT id, name FROM communities WHERE name = $1;
