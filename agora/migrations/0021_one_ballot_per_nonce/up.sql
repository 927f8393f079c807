-- A relayed ballot spends its voter's nonce at its governor: OpenZeppelin's Governor checks
-- every ballot (on any proposal) against `nonces(voter)` and uses it up, so of the ballots a voter
-- signed at one nonce the chain counts one at most, and the others revert and cost the operator
-- gas. So the outbox holds at most one unsettled ballot per (governor, voter, nonce). A failed or
-- mined one holds nothing: a failed ballot spent no nonce (the voter's correct one must still
-- pass), a mined one moved the chain's nonce on (the API checks new ballots against it).
--
-- Before this, ballots of one nonce could be queued together; all but the one the sender reaches
-- first would revert. They are failed now, as the chain would fail them, so that the index can
-- hold (a sent one, whose transaction is out, is the one kept).
UPDATE operator_transactions AS t
   SET status = 'failed',
       error = 'another ballot of this voter at the same nonce was relayed first',
       updated_at = now()
 WHERE t.kind = 'cast_vote_by_sig'
   AND t.status = 'pending'
   AND EXISTS (
       SELECT 1 FROM operator_transactions AS o
        WHERE o.kind = 'cast_vote_by_sig'
          AND o.id <> t.id
          AND (o.status = 'sent' OR (o.status = 'pending' AND o.id < t.id))
          AND lower(o.payload ->> 'governor') = lower(t.payload ->> 'governor')
          AND lower(o.payload ->> 'voter') = lower(t.payload ->> 'voter')
          AND o.payload ->> 'nonce' = t.payload ->> 'nonce');

CREATE UNIQUE INDEX operator_transactions_ballot_nonce
    ON operator_transactions
       (lower(payload ->> 'governor'), lower(payload ->> 'voter'), (payload ->> 'nonce'))
    WHERE kind = 'cast_vote_by_sig' AND status IN ('pending', 'sent');

-- The relays of a voter's vote on a proposal, whatever their nonce: one that is not failed means
-- the vote is being relayed, or was.
CREATE INDEX operator_transactions_ballots
    ON operator_transactions
       (lower(payload ->> 'governor'), (payload ->> 'proposalId'), lower(payload ->> 'voter'))
    WHERE kind = 'cast_vote_by_sig';
