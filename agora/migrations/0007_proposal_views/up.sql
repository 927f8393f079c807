-- Deliberate repeat: proposal_views is restated whole by 0010 and 0017 (a view is redefined
-- whole), and their down.sql restore it verbatim.
-- A mirrored proposal joined with its community, its state as the governor computes it, its
-- execution and its proposer's forum account (if any): what the API shows of a proposal, written
-- once for the listing and the single read. Proposer columns are prefixed proposer_.
CREATE VIEW proposal_views AS
SELECT p.governor, p.proposal_id, p.proposer, p.description, p.targets, p."values",
       p.calldatas, p.vote_start, p.vote_end, p.block_number, p.log_index, p.tx_hash,
       p.block_timestamp, c.community_id, c.name AS community_name,
       st.state, st.for_votes, st.against_votes, st.abstain_votes, st.quorum,
       (SELECT e.tx_hash FROM chain_proposal_events AS e
         WHERE e.governor = p.governor AND e.proposal_id = p.proposal_id AND e.kind = 'executed'
         LIMIT 1) AS executed_tx,
       u.id AS proposer_id, u.address AS proposer_address,
       u.display_name AS proposer_display_name, u.bio AS proposer_bio,
       u.post_karma AS proposer_post_karma, u.comment_karma AS proposer_comment_karma,
       u.created_at AS proposer_created_at
  FROM chain_proposals AS p
  JOIN chain_communities AS c ON c.governor = p.governor
  JOIN chain_proposal_states AS st ON st.governor = p.governor AND st.proposal_id = p.proposal_id
  LEFT JOIN users AS u ON u.address = '0x' || encode(p.proposer, 'hex');
