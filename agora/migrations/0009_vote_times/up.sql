-- Votes by the time they were cast: closing a reward epoch scores the votes of its window
-- (ledger/epochs.sql, epoch_scores). Without these, every daily close read every vote ever cast:
-- 7.8 s for one day of 1,000 communities on the benchmark's 10,000,000 votes (tests/bench).
CREATE INDEX post_votes_created ON post_votes (created_at);
CREATE INDEX comment_votes_created ON comment_votes (created_at);
