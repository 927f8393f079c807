-- Deliberate repeat: proposal_views (0010) restated whole with the description's hash (a view
-- is redefined whole); down.sql restores 0010's verbatim.
-- The mirror takes any bytes the chain takes (issue 15). A string of an event (a vote's reason,
-- a proposal's description and signatures, a community's name) may hold NUL, bytes that are
-- not UTF-8, controls and direction overrides, and be megabytes long: PostgreSQL's text refuses
-- the first two, and the rest is not fit to show. Each is now kept as it is, in a `*_raw` bytea
-- column, and its text column holds it made safe to show (agora/text.py, `safe_text`: valid
-- UTF-8, no controls but newline and tab, no bidi or invisible marks, capped), so the readers
-- of the text columns are unchanged. A proposal's `description_hash` is the keccak256 of its
-- raw description (what `execute` takes), which the text no longer gives.
--
-- The rows mirrored so far have neither their raw bytes' hash nor safe text, and SQL cannot
-- compute a keccak256: the mirror is emptied, and `agora index` indexes it anew from the
-- deployment's block on its next start (it is derived data: nothing else writes it).
WITH
    c AS (DELETE FROM chain_communities),
    m AS (DELETE FROM chain_moderator_events),
    p AS (DELETE FROM chain_proposals),
    pe AS (DELETE FROM chain_proposal_events),
    v AS (DELETE FROM chain_votes),
    t AS (DELETE FROM chain_transfers),
    dc AS (DELETE FROM chain_delegate_changes),
    dv AS (DELETE FROM chain_delegate_votes),
    gs AS (DELETE FROM chain_governor_settings),
    b AS (DELETE FROM chain_blocks),
    s AS (DELETE FROM chain_indexer_state)
SELECT 1;

ALTER TABLE chain_communities ADD COLUMN name_raw bytea NOT NULL;
ALTER TABLE chain_votes ADD COLUMN reason_raw bytea NOT NULL;
ALTER TABLE chain_proposals
    ADD COLUMN description_raw bytea NOT NULL,
    ADD COLUMN description_hash bytea NOT NULL,
    ADD COLUMN signatures_raw bytea[] NOT NULL;

-- A log of a mirrored event that could not be decoded (its data too short for its types, an
-- offset or a length past its end): recorded with its raw topics and data, and skipped, so
-- that no log's content stops the mirror. Rolled back on a reorg like every mirror table.
CREATE TABLE chain_undecodable_logs (
    address bytea NOT NULL,
    event text NOT NULL,  -- "Contract:Event", as indexer/events.py keys its handlers
    topics bytea[] NOT NULL,
    data bytea NOT NULL,
    error text NOT NULL,
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    block_timestamp bigint NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_undecodable_logs_block ON chain_undecodable_logs (block_number);

-- proposal_views (0010) with the description's hash.
CREATE OR REPLACE VIEW proposal_views AS
SELECT p.governor, p.proposal_id, p.proposer, p.description, p.targets, p."values",
       p.calldatas, p.vote_start, p.vote_end, p.block_number, p.log_index, p.tx_hash,
       p.block_timestamp, c.community_id, c.name AS community_name,
       st.state, st.for_votes, st.against_votes, st.abstain_votes, st.quorum,
       (SELECT e.tx_hash FROM chain_proposal_events AS e
         WHERE e.governor = p.governor AND e.proposal_id = p.proposal_id AND e.kind = 'executed'
         LIMIT 1) AS executed_tx,
       u AS proposer_account,
       p.description_hash
  FROM chain_proposals AS p
  JOIN chain_communities AS c ON c.governor = p.governor
  JOIN chain_proposal_states AS st ON st.governor = p.governor AND st.proposal_id = p.proposal_id
  LEFT JOIN users AS u ON u.address = '0x' || encode(p.proposer, 'hex');
