-- Standing-weighted votes (README, "How rewards work"): a line keeps the weighted score the split
-- used, and the moderators' farming signals. Its `score` stays the balance of its eligible votes,
-- which may now be zero or less for an item that earns: votes of voters without standing weigh
-- nothing.
ALTER TABLE reward_lines DROP CONSTRAINT reward_lines_score_check;
ALTER TABLE reward_lines
    -- The votes weighted by their voters' standing, in millionths: what the split divided.
    ADD COLUMN weight bigint CHECK (weight > 0),
    -- The parts of the item's up-weight from voters with little standing and from co-voters
    -- (0 to 1); null on lines closed before the weights.
    ADD COLUMN low_standing_share numeric(7, 6)
        CHECK (low_standing_share BETWEEN 0 AND 1),
    ADD COLUMN co_voting_share numeric(7, 6) CHECK (co_voting_share BETWEEN 0 AND 1);
-- Before the weights, each eligible vote weighed one.
UPDATE reward_lines SET weight = score::bigint * 1000000;
ALTER TABLE reward_lines ALTER COLUMN weight SET NOT NULL;
