-- Deliberate repeat: restores 0010's proposal_views verbatim (a reversible migration repeats
-- what it undoes).
DROP VIEW proposal_views;
CREATE VIEW proposal_views AS
SELECT p.governor, p.proposal_id, p.proposer, p.description, p.targets, p."values",
       p.calldatas, p.vote_start, p.vote_end, p.block_number, p.log_index, p.tx_hash,
       p.block_timestamp, c.community_id, c.name AS community_name,
       st.state, st.for_votes, st.against_votes, st.abstain_votes, st.quorum,
       (SELECT e.tx_hash FROM chain_proposal_events AS e
         WHERE e.governor = p.governor AND e.proposal_id = p.proposal_id AND e.kind = 'executed'
         LIMIT 1) AS executed_tx,
       u AS proposer_account
  FROM chain_proposals AS p
  JOIN chain_communities AS c ON c.governor = p.governor
  JOIN chain_proposal_states AS st ON st.governor = p.governor AND st.proposal_id = p.proposal_id
  LEFT JOIN users AS u ON u.address = '0x' || encode(p.proposer, 'hex');

DROP TABLE chain_undecodable_logs;
ALTER TABLE chain_proposals
    DROP COLUMN description_raw,
    DROP COLUMN description_hash,
    DROP COLUMN signatures_raw;
ALTER TABLE chain_votes DROP COLUMN reason_raw;
ALTER TABLE chain_communities DROP COLUMN name_raw;
