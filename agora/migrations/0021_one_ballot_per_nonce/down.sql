-- Ballots failed by the up migration stay failed: the chain would have refused them.
DROP INDEX operator_transactions_ballots;
DROP INDEX operator_transactions_ballot_nonce;
