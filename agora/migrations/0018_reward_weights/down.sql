ALTER TABLE reward_lines DROP COLUMN co_voting_share, DROP COLUMN low_standing_share,
    DROP COLUMN weight;
-- Fails if a line earned with a score of zero or less (weighted votes): that history cannot go
-- back to the unweighted schema.
ALTER TABLE reward_lines ADD CONSTRAINT reward_lines_score_check CHECK (score > 0);
