-- The chain's mirror, written by the indexer alone (indexer/README.md explains the design).
--
-- Every mirrored fact is an event row keyed by (tx_hash, log_index) and stamped with its
-- block_number; current state (balances, delegations, voting power, moderators) is derived from
-- them by the views below. A reorg is undone by deleting the rows of blocks past the common
-- ancestor, in the same transaction that moves the checkpoint back: no journal of previous values
-- is needed because no row is ever updated in place by a later block.

-- Where the indexer is: one row, moved in the transaction of each applied block range.
CREATE TABLE chain_indexer_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    chain_id bigint NOT NULL,
    -- The deployment indexed: another factory means another deployment and a fresh mirror.
    factory bytea NOT NULL,
    block_number bigint NOT NULL,
    block_hash bytea NOT NULL,
    block_timestamp bigint NOT NULL,
    -- The node's head when this range was applied (for the lag the API shows).
    head_block bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The blocks not yet final (at most INDEXER_FINALITY_BLOCKS behind the checkpoint), to find the
-- common ancestor when the node's chain no longer holds the hash indexed.
CREATE TABLE chain_blocks (
    number bigint PRIMARY KEY,
    hash bytea NOT NULL,
    parent_hash bytea NOT NULL,
    timestamp bigint NOT NULL
);

-- The factory's CommunityCreated: also the indexer's watch list of tokens and governors.
CREATE TABLE chain_communities (
    community_id bytea NOT NULL UNIQUE,
    name text NOT NULL,
    token bytea NOT NULL UNIQUE,
    governor bytea NOT NULL UNIQUE,
    creator bytea NOT NULL,
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_communities_block ON chain_communities (block_number);

-- The registry's ModeratorElected / ModeratorImpeached.
CREATE TABLE chain_moderator_events (
    community_id bytea NOT NULL,
    account bytea NOT NULL,
    elected boolean NOT NULL,
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_moderator_events_account
    ON chain_moderator_events (community_id, account, block_number DESC, log_index DESC);
CREATE INDEX chain_moderator_events_block ON chain_moderator_events (block_number);

-- Each governor's ProposalCreated.
CREATE TABLE chain_proposals (
    governor bytea NOT NULL,
    proposal_id numeric(78, 0) NOT NULL,
    proposer bytea NOT NULL,
    description text NOT NULL,
    targets jsonb NOT NULL,      -- ["0x…"]
    "values" jsonb NOT NULL,     -- ["<decimal wei>"]
    signatures jsonb NOT NULL,   -- [""]
    calldatas jsonb NOT NULL,    -- ["0x…"]
    vote_start numeric(78, 0) NOT NULL,  -- the governor's clock: a timestamp
    vote_end numeric(78, 0) NOT NULL,
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    PRIMARY KEY (tx_hash, log_index),
    UNIQUE (governor, proposal_id)
);
CREATE INDEX chain_proposals_block ON chain_proposals (block_number);

-- ProposalQueued / ProposalExecuted / ProposalCanceled.
CREATE TABLE chain_proposal_events (
    governor bytea NOT NULL,
    proposal_id numeric(78, 0) NOT NULL,
    kind text NOT NULL CHECK (kind IN ('queued', 'executed', 'canceled')),
    eta_seconds numeric(78, 0),  -- queued only
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_proposal_events_proposal ON chain_proposal_events (governor, proposal_id);
CREATE INDEX chain_proposal_events_block ON chain_proposal_events (block_number);

-- VoteCast / VoteCastWithParams (params null for the former).
CREATE TABLE chain_votes (
    governor bytea NOT NULL,
    proposal_id numeric(78, 0) NOT NULL,
    voter bytea NOT NULL,
    support smallint NOT NULL,  -- 0 against, 1 for, 2 abstain
    weight numeric(78, 0) NOT NULL,
    reason text NOT NULL,
    params bytea,
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_votes_proposal ON chain_votes (governor, proposal_id, block_number, log_index);
CREATE INDEX chain_votes_block ON chain_votes (block_number);

-- Each token's Transfer.
CREATE TABLE chain_transfers (
    token bytea NOT NULL,
    sender bytea NOT NULL,
    recipient bytea NOT NULL,
    value numeric(78, 0) NOT NULL,
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_transfers_recipient ON chain_transfers (token, recipient);
CREATE INDEX chain_transfers_sender ON chain_transfers (token, sender);
CREATE INDEX chain_transfers_block ON chain_transfers (block_number);

-- Each token's DelegateChanged.
CREATE TABLE chain_delegate_changes (
    token bytea NOT NULL,
    delegator bytea NOT NULL,
    from_delegate bytea NOT NULL,
    to_delegate bytea NOT NULL,
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_delegate_changes_delegator
    ON chain_delegate_changes (token, delegator, block_number DESC, log_index DESC);
CREATE INDEX chain_delegate_changes_block ON chain_delegate_changes (block_number);

-- Each token's DelegateVotesChanged.
CREATE TABLE chain_delegate_votes (
    token bytea NOT NULL,
    delegate bytea NOT NULL,
    previous_votes numeric(78, 0) NOT NULL,
    new_votes numeric(78, 0) NOT NULL,
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_delegate_votes_delegate
    ON chain_delegate_votes (token, delegate, block_number DESC, log_index DESC);
CREATE INDEX chain_delegate_votes_block ON chain_delegate_votes (block_number);

-- Derived state. Within a block, logs are ordered by log_index.

-- The current moderators: those whose latest registry event is an election; `via_proposal_id`
-- is the proposal the governor executed in the same transaction (null for the creator).
CREATE VIEW chain_moderators AS
SELECT latest.community_id, latest.account, latest.block_number AS since_block, latest.tx_hash,
       executed.proposal_id AS via_proposal_id
FROM (
    SELECT DISTINCT ON (community_id, account) *
    FROM chain_moderator_events
    ORDER BY community_id, account, block_number DESC, log_index DESC
) AS latest
JOIN chain_communities AS c ON c.community_id = latest.community_id
LEFT JOIN chain_proposal_events AS executed
    ON executed.tx_hash = latest.tx_hash AND executed.kind = 'executed'
    AND executed.governor = c.governor
WHERE latest.elected;

-- Balances: what each holder received minus what it sent (the zero address mints and burns).
CREATE VIEW chain_token_balances AS
SELECT token, holder, sum(amount)::numeric(78, 0) AS balance
FROM (
    SELECT token, recipient AS holder, value AS amount FROM chain_transfers
    UNION ALL
    SELECT token, sender AS holder, -value AS amount FROM chain_transfers
) AS moves
WHERE holder <> '\x0000000000000000000000000000000000000000'::bytea
GROUP BY token, holder;

CREATE VIEW chain_delegations AS
SELECT DISTINCT ON (token, delegator) token, delegator, to_delegate AS delegatee, block_number
FROM chain_delegate_changes
ORDER BY token, delegator, block_number DESC, log_index DESC;

CREATE VIEW chain_voting_power AS
SELECT DISTINCT ON (token, delegate) token, delegate, new_votes AS votes, block_number
FROM chain_delegate_votes
ORDER BY token, delegate, block_number DESC, log_index DESC;
