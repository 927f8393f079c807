-- The indexer's SQL: the checkpoint, the unfinalized blocks, the mirror's rows (staged by COPY,
-- then upserted keyed by (tx_hash, log_index)) and the rollback of a reorg.

-- name: get_state
SELECT chain_id, factory, block_number, block_hash, block_timestamp, head_block
FROM chain_indexer_state;

-- name: set_state
INSERT INTO chain_indexer_state
    (chain_id, factory, block_number, block_hash, block_timestamp, head_block, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, now())
ON CONFLICT (singleton) DO UPDATE SET
    chain_id = EXCLUDED.chain_id, factory = EXCLUDED.factory,
    block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash,
    block_timestamp = EXCLUDED.block_timestamp, head_block = EXCLUDED.head_block,
    updated_at = now();

-- name: forget_checkpoint
DELETE FROM chain_indexer_state;

-- name: watched_contracts
SELECT token, governor FROM chain_communities;

-- name: upsert_block
INSERT INTO chain_blocks (number, hash, parent_hash, timestamp) VALUES ($1, $2, $3, $4)
ON CONFLICT (number) DO UPDATE SET
    hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash, timestamp = EXCLUDED.timestamp;

-- name: unfinalized_blocks
SELECT number, hash, parent_hash, timestamp FROM chain_blocks
WHERE number <= $1 ORDER BY number DESC;

-- name: prune_blocks
DELETE FROM chain_blocks WHERE number < $1;

-- name: create_stage_tables
-- Per connection: each range's rows are copied (COPY, binary) into these, then merged into the
-- mirror by one INSERT ... SELECT per table; ON COMMIT DELETE ROWS empties them with the range's
-- transaction.
CREATE TEMP TABLE stage_communities (LIKE chain_communities) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_moderator_events (LIKE chain_moderator_events) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_proposals (LIKE chain_proposals) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_proposal_events (LIKE chain_proposal_events) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_votes (LIKE chain_votes) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_transfers (LIKE chain_transfers) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_delegate_changes (LIKE chain_delegate_changes) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_delegate_votes (LIKE chain_delegate_votes) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_governor_settings (LIKE chain_governor_settings) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_tips (LIKE chain_tips) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE stage_undecodable_logs (LIKE chain_undecodable_logs) ON COMMIT DELETE ROWS;

-- The merge_* statements repeat one shape by design (deliberate: one upsert per mirrored table,
-- its columns spelled out, since no table or column name is assembled from strings).

-- name: merge_communities
INSERT INTO chain_communities
    (community_id, name, name_raw, token, governor, creator, block_number, tx_hash, log_index,
     block_timestamp)
SELECT community_id, name, name_raw, token, governor, creator, block_number, tx_hash, log_index,
       block_timestamp
  FROM stage_communities
ON CONFLICT (tx_hash, log_index) DO UPDATE SET block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: merge_moderator_events
INSERT INTO chain_moderator_events
    (community_id, account, elected, block_number, tx_hash, log_index, block_timestamp)
SELECT community_id, account, elected, block_number, tx_hash, log_index, block_timestamp
  FROM stage_moderator_events
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    community_id = EXCLUDED.community_id, account = EXCLUDED.account,
    elected = EXCLUDED.elected, block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: merge_proposals
INSERT INTO chain_proposals
    (governor, proposal_id, proposer, description, description_raw, description_hash, targets,
     "values", signatures, signatures_raw, calldatas, vote_start, vote_end, block_number, tx_hash,
     log_index, block_timestamp)
SELECT governor, proposal_id, proposer, description, description_raw, description_hash, targets,
       "values", signatures, signatures_raw, calldatas, vote_start, vote_end, block_number,
       tx_hash, log_index, block_timestamp
  FROM stage_proposals
ON CONFLICT (tx_hash, log_index) DO UPDATE SET block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: merge_proposal_events
INSERT INTO chain_proposal_events
    (governor, proposal_id, kind, eta_seconds, block_number, tx_hash, log_index, block_timestamp)
SELECT governor, proposal_id, kind, eta_seconds, block_number, tx_hash, log_index, block_timestamp
  FROM stage_proposal_events
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    governor = EXCLUDED.governor, proposal_id = EXCLUDED.proposal_id, kind = EXCLUDED.kind,
    eta_seconds = EXCLUDED.eta_seconds, block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: merge_votes
INSERT INTO chain_votes
    (governor, proposal_id, voter, support, weight, reason, reason_raw, params, block_number,
     tx_hash, log_index, block_timestamp)
SELECT governor, proposal_id, voter, support, weight, reason, reason_raw, params, block_number,
       tx_hash, log_index, block_timestamp
  FROM stage_votes
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    governor = EXCLUDED.governor, proposal_id = EXCLUDED.proposal_id, voter = EXCLUDED.voter,
    support = EXCLUDED.support, weight = EXCLUDED.weight, reason = EXCLUDED.reason,
    reason_raw = EXCLUDED.reason_raw, params = EXCLUDED.params,
    block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: merge_transfers
INSERT INTO chain_transfers
    (token, sender, recipient, value, block_number, tx_hash, log_index, block_timestamp)
SELECT token, sender, recipient, value, block_number, tx_hash, log_index, block_timestamp
  FROM stage_transfers
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    token = EXCLUDED.token, sender = EXCLUDED.sender, recipient = EXCLUDED.recipient,
    value = EXCLUDED.value, block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: merge_delegate_changes
INSERT INTO chain_delegate_changes
    (token, delegator, from_delegate, to_delegate, block_number, tx_hash, log_index, block_timestamp)
SELECT token, delegator, from_delegate, to_delegate, block_number, tx_hash, log_index,
       block_timestamp
  FROM stage_delegate_changes
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    token = EXCLUDED.token, delegator = EXCLUDED.delegator,
    from_delegate = EXCLUDED.from_delegate, to_delegate = EXCLUDED.to_delegate,
    block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: merge_delegate_votes
INSERT INTO chain_delegate_votes
    (token, delegate, previous_votes, new_votes, block_number, tx_hash, log_index, block_timestamp)
SELECT token, delegate, previous_votes, new_votes, block_number, tx_hash, log_index,
       block_timestamp
  FROM stage_delegate_votes
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    token = EXCLUDED.token, delegate = EXCLUDED.delegate,
    previous_votes = EXCLUDED.previous_votes, new_votes = EXCLUDED.new_votes,
    block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: merge_governor_settings
INSERT INTO chain_governor_settings
    (governor, name, value, block_number, tx_hash, log_index, block_timestamp)
SELECT governor, name, value, block_number, tx_hash, log_index, block_timestamp
  FROM stage_governor_settings
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    governor = EXCLUDED.governor, name = EXCLUDED.name, value = EXCLUDED.value,
    block_number = EXCLUDED.block_number, block_timestamp = EXCLUDED.block_timestamp;

-- name: merge_tips
INSERT INTO chain_tips
    (token, tipper, recipient, amount, item_ref, block_number, tx_hash, log_index, block_timestamp)
SELECT token, tipper, recipient, amount, item_ref, block_number, tx_hash, log_index,
       block_timestamp
  FROM stage_tips
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    token = EXCLUDED.token, tipper = EXCLUDED.tipper, recipient = EXCLUDED.recipient,
    amount = EXCLUDED.amount, item_ref = EXCLUDED.item_ref,
    block_number = EXCLUDED.block_number, block_timestamp = EXCLUDED.block_timestamp;

-- name: merge_undecodable_logs
INSERT INTO chain_undecodable_logs
    (address, event, topics, data, error, block_number, tx_hash, log_index, block_timestamp)
SELECT address, event, topics, data, error, block_number, tx_hash, log_index, block_timestamp
  FROM stage_undecodable_logs
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    address = EXCLUDED.address, event = EXCLUDED.event, topics = EXCLUDED.topics,
    data = EXCLUDED.data, error = EXCLUDED.error, block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: rollback_after
-- Everything derived from blocks past $1 (the common ancestor), children of the factory
-- created there included: the watch list is read from chain_communities. Past block -1 it is
-- the whole mirror (repository.empty).
WITH
    c AS (DELETE FROM chain_communities WHERE block_number > $1),
    m AS (DELETE FROM chain_moderator_events WHERE block_number > $1),
    p AS (DELETE FROM chain_proposals WHERE block_number > $1),
    pe AS (DELETE FROM chain_proposal_events WHERE block_number > $1),
    v AS (DELETE FROM chain_votes WHERE block_number > $1),
    t AS (DELETE FROM chain_transfers WHERE block_number > $1),
    dc AS (DELETE FROM chain_delegate_changes WHERE block_number > $1),
    dv AS (DELETE FROM chain_delegate_votes WHERE block_number > $1),
    gs AS (DELETE FROM chain_governor_settings WHERE block_number > $1),
    tp AS (DELETE FROM chain_tips WHERE block_number > $1),
    u AS (DELETE FROM chain_undecodable_logs WHERE block_number > $1),
    b AS (DELETE FROM chain_blocks WHERE number > $1)
SELECT 1;
