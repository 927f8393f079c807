-- Back to epochs minted at their close. Void transfers are immutable history: with any posted,
-- the old kind check cannot hold and this refuses (the books would no longer explain themselves).
ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_kind_check;
ALTER TABLE ledger_transfers
    ADD CONSTRAINT ledger_transfers_kind_check
        CHECK (kind IN ('emission', 'reward', 'payout', 'grant'));

ALTER TABLE reward_lines
    DROP CONSTRAINT reward_lines_voided,
    DROP COLUMN void_reason,
    DROP COLUMN voided_at;

DROP INDEX reward_epochs_in_review;
-- An epoch still in review has no mint queued; without the window it is closed as it was booked
-- (its mints are not queued by this down: release them first).
UPDATE reward_epochs SET status = 'closed' WHERE status = 'review';
ALTER TABLE reward_epochs
    DROP CONSTRAINT reward_epochs_review_ends,
    DROP COLUMN merkle_root,
    DROP COLUMN review_ends_at,
    DROP CONSTRAINT reward_epochs_status_check;
ALTER TABLE reward_epochs
    ADD CONSTRAINT reward_epochs_status_check CHECK (status IN ('open', 'closed', 'paid'));
