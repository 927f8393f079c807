-- A review window between an epoch's close and its mint (README "How rewards work"), and the
-- root of what it mints.
--
-- An epoch closes into 'review': its lines are computed and booked, and public, but nothing is
-- queued to mint until review_ends_at. Then (ledger/epochs.py, `release`) every line whose item
-- was removed or deleted, or whose author was banned in the community, before the window ended is
-- voided: a 'void' transfer earned -> pool gives its amount back to the pool, the line keeps its
-- amount and says when and why it was voided, and the epoch's distributed, undistributed and
-- recipients become what is minted. merkle_root is the root of OpenZeppelin's StandardMerkleTree of
-- the (address, uint256) rows minted (ledger/merkle.py); every mint of the epoch carries it (its
-- mint_epoch intent's payload, migration 0005, gains "root": 0x-hex, for mintEpoch's bytes32).

ALTER TABLE reward_epochs DROP CONSTRAINT reward_epochs_status_check;
ALTER TABLE reward_epochs
    ADD CONSTRAINT reward_epochs_status_check
        CHECK (status IN ('open', 'review', 'closed', 'paid')),
    ADD COLUMN review_ends_at timestamptz,
    ADD COLUMN merkle_root bytea CHECK (octet_length(merkle_root) = 32),
    ADD CONSTRAINT reward_epochs_review_ends CHECK (status <> 'review' OR review_ends_at IS NOT NULL);
-- What the release looks for (beat, every few seconds).
CREATE INDEX reward_epochs_in_review ON reward_epochs (review_ends_at) WHERE status = 'review';

ALTER TABLE reward_lines
    ADD COLUMN voided_at timestamptz,
    ADD COLUMN void_reason text CHECK (void_reason IN ('removed', 'deleted', 'banned')),
    ADD CONSTRAINT reward_lines_voided CHECK ((voided_at IS NULL) = (void_reason IS NULL));

ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_kind_check;
ALTER TABLE ledger_transfers
    ADD CONSTRAINT ledger_transfers_kind_check
        CHECK (kind IN ('emission', 'reward', 'payout', 'grant', 'void'));
