-- The naive indexer of the indexer benchmark (tests/bench/indexer.py): one upsert per event, the
-- statements the indexer itself used before it staged each range by COPY.

-- name: upsert_communities
INSERT INTO chain_communities
    (community_id, name, token, governor, creator, block_number, tx_hash, log_index,
     block_timestamp, name_raw)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (tx_hash, log_index) DO UPDATE SET block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: upsert_moderator_events
INSERT INTO chain_moderator_events
    (community_id, account, elected, block_number, tx_hash, log_index, block_timestamp)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    community_id = EXCLUDED.community_id, account = EXCLUDED.account,
    elected = EXCLUDED.elected, block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: upsert_proposals
INSERT INTO chain_proposals
    (governor, proposal_id, proposer, description, targets, "values", signatures, calldatas,
     vote_start, vote_end, block_number, tx_hash, log_index, block_timestamp, description_raw,
     description_hash, signatures_raw)
VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13, $14,
        $15, $16, $17)
ON CONFLICT (tx_hash, log_index) DO UPDATE SET block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: upsert_proposal_events
INSERT INTO chain_proposal_events
    (governor, proposal_id, kind, eta_seconds, block_number, tx_hash, log_index, block_timestamp)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    governor = EXCLUDED.governor, proposal_id = EXCLUDED.proposal_id, kind = EXCLUDED.kind,
    eta_seconds = EXCLUDED.eta_seconds, block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: upsert_votes
INSERT INTO chain_votes
    (governor, proposal_id, voter, support, weight, reason, params, block_number, tx_hash,
     log_index, block_timestamp, reason_raw)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    governor = EXCLUDED.governor, proposal_id = EXCLUDED.proposal_id, voter = EXCLUDED.voter,
    support = EXCLUDED.support, weight = EXCLUDED.weight, reason = EXCLUDED.reason,
    reason_raw = EXCLUDED.reason_raw, params = EXCLUDED.params, block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: upsert_transfers
INSERT INTO chain_transfers
    (token, sender, recipient, value, block_number, tx_hash, log_index, block_timestamp)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    token = EXCLUDED.token, sender = EXCLUDED.sender, recipient = EXCLUDED.recipient,
    value = EXCLUDED.value, block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: upsert_delegate_changes
INSERT INTO chain_delegate_changes
    (token, delegator, from_delegate, to_delegate, block_number, tx_hash, log_index, block_timestamp)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    token = EXCLUDED.token, delegator = EXCLUDED.delegator,
    from_delegate = EXCLUDED.from_delegate, to_delegate = EXCLUDED.to_delegate,
    block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: upsert_delegate_votes
INSERT INTO chain_delegate_votes
    (token, delegate, previous_votes, new_votes, block_number, tx_hash, log_index, block_timestamp)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    token = EXCLUDED.token, delegate = EXCLUDED.delegate,
    previous_votes = EXCLUDED.previous_votes, new_votes = EXCLUDED.new_votes,
    block_number = EXCLUDED.block_number,
    block_timestamp = EXCLUDED.block_timestamp;

-- name: upsert_governor_settings
INSERT INTO chain_governor_settings
    (governor, name, value, block_number, tx_hash, log_index, block_timestamp)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (tx_hash, log_index) DO UPDATE SET
    governor = EXCLUDED.governor, name = EXCLUDED.name, value = EXCLUDED.value,
    block_number = EXCLUDED.block_number, block_timestamp = EXCLUDED.block_timestamp;
