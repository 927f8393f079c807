-- name: notify_proposals_ending
-- PROPOSAL_ENDING to each member of a community who has not voted on one of its proposals
-- whose vote is open and ends within $1 seconds of the chain's time (the indexed head's, as
-- the proposal's state is computed). Once per person and proposal: keyed by the proposal.
SELECT count(n.*)
  FROM chain_indexer_state AS h
 CROSS JOIN proposal_views AS p
  JOIN communities AS c ON c.name = p.community_name
 CROSS JOIN LATERAL notify(
       ARRAY(SELECT m.user_id
               FROM memberships AS m
               JOIN users AS u ON u.id = m.user_id
              WHERE m.community_id = c.id
                AND NOT EXISTS (SELECT 1 FROM chain_votes AS v
                                 WHERE v.governor = p.governor AND v.proposal_id = p.proposal_id
                                   AND v.voter = decode(substr(u.address, 3), 'hex'))),
       'PROPOSAL_ENDING', 'proposal:' || encode(p.governor, 'hex') || ':' || p.proposal_id,
       NULL, NULL, NULL, c.id, p.governor, p.proposal_id) AS n
 WHERE p.state = 'ACTIVE' AND p.vote_end <= h.block_timestamp + $1;
