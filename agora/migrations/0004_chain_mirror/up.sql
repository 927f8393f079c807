-- Deliberate repeats: every mirror table has the same event columns and key (block, tx_hash,
-- log_index), as the later mirror tables (0017, 0028) do.
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
    block_timestamp bigint NOT NULL,
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
    block_timestamp bigint NOT NULL,
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
    block_timestamp bigint NOT NULL,
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
    block_timestamp bigint NOT NULL,
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
    block_timestamp bigint NOT NULL,
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
    block_timestamp bigint NOT NULL,
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
    block_timestamp bigint NOT NULL,
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
    block_timestamp bigint NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_delegate_votes_delegate
    ON chain_delegate_votes (token, delegate, block_number DESC, log_index DESC);
CREATE INDEX chain_delegate_votes_block ON chain_delegate_votes (block_number);

-- Each governor's VotingDelaySet / VotingPeriodSet / ProposalThresholdSet /
-- QuorumNumeratorUpdated (its initializer emits all four).
CREATE TABLE chain_governor_settings (
    governor bytea NOT NULL,
    name text NOT NULL CHECK (name IN
        ('voting_delay', 'voting_period', 'proposal_threshold', 'quorum_numerator')),
    value numeric(78, 0) NOT NULL,
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    block_timestamp bigint NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_governor_settings_name
    ON chain_governor_settings (governor, name, block_number DESC, log_index DESC);
CREATE INDEX chain_governor_settings_block ON chain_governor_settings (block_number);

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

-- Each governor's settings now.
CREATE VIEW chain_governor_current_settings AS
SELECT governor,
       max(value) FILTER (WHERE name = 'voting_delay') AS voting_delay,
       max(value) FILTER (WHERE name = 'voting_period') AS voting_period,
       max(value) FILTER (WHERE name = 'proposal_threshold') AS proposal_threshold,
       max(value) FILTER (WHERE name = 'quorum_numerator') AS quorum_numerator
FROM (
    SELECT DISTINCT ON (governor, name) governor, name, value
    FROM chain_governor_settings
    ORDER BY governor, name, block_number DESC, log_index DESC
) AS latest
GROUP BY governor;

-- A proposal's state as CommunityGovernor.state() computes it (OpenZeppelin 5's Governor with
-- simple counting, token votes, a quorum fraction and no timelock), at the time of the indexed
-- head: executed, canceled, then PENDING until vote_start, ACTIVE until vote_end (both
-- inclusive), then DEFEATED unless for + abstain reach the quorum at the snapshot and for beats
-- against, QUEUED if queued, else SUCCEEDED. Nothing but time needs to happen for it to change.
-- The quorum is the token's total supply at the snapshot (mints minus burns of blocks stamped at
-- or before vote_start) times the quorum numerator in force then, over 100.
CREATE VIEW chain_proposal_states AS
WITH head AS (SELECT block_timestamp AS now FROM chain_indexer_state),
tallies AS (
    SELECT governor, proposal_id,
           coalesce(sum(weight) FILTER (WHERE support = 0), 0) AS against_votes,
           coalesce(sum(weight) FILTER (WHERE support = 1), 0) AS for_votes,
           coalesce(sum(weight) FILTER (WHERE support = 2), 0) AS abstain_votes
    FROM chain_votes GROUP BY governor, proposal_id
),
computed AS (
    SELECT p.governor, p.proposal_id, p.vote_start, p.vote_end,
           coalesce(t.for_votes, 0) AS for_votes,
           coalesce(t.against_votes, 0) AS against_votes,
           coalesce(t.abstain_votes, 0) AS abstain_votes,
           div(
               coalesce((
                   SELECT sum(CASE WHEN x.sender = '\x0000000000000000000000000000000000000000'::bytea
                                   THEN x.value ELSE -x.value END)
                   FROM chain_transfers AS x
                   WHERE x.token = c.token AND x.block_timestamp <= p.vote_start
                     AND (x.sender = '\x0000000000000000000000000000000000000000'::bytea
                          OR x.recipient = '\x0000000000000000000000000000000000000000'::bytea)
               ), 0)
               * coalesce((
                   SELECT s.value FROM chain_governor_settings AS s
                   WHERE s.governor = p.governor AND s.name = 'quorum_numerator'
                     AND s.block_timestamp <= p.vote_start
                   ORDER BY s.block_number DESC, s.log_index DESC LIMIT 1
               ), 0),
               100
           )::numeric(78, 0) AS quorum,
           EXISTS (SELECT 1 FROM chain_proposal_events AS e WHERE e.governor = p.governor
                   AND e.proposal_id = p.proposal_id AND e.kind = 'executed') AS executed,
           EXISTS (SELECT 1 FROM chain_proposal_events AS e WHERE e.governor = p.governor
                   AND e.proposal_id = p.proposal_id AND e.kind = 'canceled') AS canceled,
           EXISTS (SELECT 1 FROM chain_proposal_events AS e WHERE e.governor = p.governor
                   AND e.proposal_id = p.proposal_id AND e.kind = 'queued') AS queued
    FROM chain_proposals AS p
    JOIN chain_communities AS c ON c.governor = p.governor
    LEFT JOIN tallies AS t ON t.governor = p.governor AND t.proposal_id = p.proposal_id
)
SELECT computed.governor, computed.proposal_id, computed.for_votes, computed.against_votes,
       computed.abstain_votes, computed.quorum,
       CASE
           WHEN executed THEN 'EXECUTED'
           WHEN canceled THEN 'CANCELED'
           WHEN vote_start >= head.now THEN 'PENDING'
           WHEN vote_end >= head.now THEN 'ACTIVE'
           WHEN quorum > for_votes + abstain_votes OR for_votes <= against_votes THEN 'DEFEATED'
           WHEN queued THEN 'QUEUED'
           ELSE 'SUCCEEDED'
       END AS state
FROM computed CROSS JOIN head;
