-- name: notify_proposals_ending
-- PROPOSAL_ENDING to each member of a community, and each account with votes at the
-- proposal's snapshot (a holder delegating to themselves, a delegate: whose vote would count),
-- who has not voted on one of its proposals whose vote is open and ends within $1 seconds of
-- the chain's time (the indexed head's, as the proposal's state is computed). Once per person
-- and proposal: keyed by the proposal. An account's votes at the snapshot are its latest change
-- at or before it (as getPastVotes), read only for the few proposals about to close.
SELECT count(n.*)
  FROM chain_indexer_state AS h
 CROSS JOIN proposal_views AS p
  JOIN communities AS c ON c.name = p.community_name
  JOIN chain_communities AS cc ON cc.governor = p.governor
 CROSS JOIN LATERAL notify(
       ARRAY(SELECT u.id
               FROM users AS u
              WHERE (u.id IN (SELECT m.user_id FROM memberships AS m WHERE m.community_id = c.id)
                     OR u.address IN (
                        SELECT '0x' || encode(s.delegate, 'hex')
                          FROM (SELECT DISTINCT ON (dv.delegate) dv.delegate, dv.new_votes
                                  FROM chain_delegate_votes AS dv
                                 WHERE dv.token = cc.token AND dv.block_timestamp <= p.vote_start
                                 ORDER BY dv.delegate, dv.block_number DESC, dv.log_index DESC
                               ) AS s
                         WHERE s.new_votes > 0))
                AND NOT EXISTS (SELECT 1 FROM chain_votes AS v
                                 WHERE v.governor = p.governor AND v.proposal_id = p.proposal_id
                                   AND v.voter = decode(substr(u.address, 3), 'hex'))),
       'PROPOSAL_ENDING', 'proposal:' || encode(p.governor, 'hex') || ':' || p.proposal_id,
       NULL, NULL, NULL, c.id, p.governor, p.proposal_id) AS n
 WHERE p.state = 'ACTIVE' AND p.vote_end <= h.block_timestamp + $1;
