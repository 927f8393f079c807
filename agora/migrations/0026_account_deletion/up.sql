-- Deleting an account (Mutation.deleteAccount) detaches its users row from its address, so the
-- address can sign in again as a new account: `address` becomes null and `deleted_at` is set.
-- Everything that finds a person by address (sign-in, the mirror's moderators, proposers, voters
-- and delegates) then joins the new account, or none: the chain's facts stay about the address.
--
-- `deleted_address` keeps the address the account had, for the books only: its rewards were
-- minted to that address, and the ledger books a mined mint to the account it paid
-- (ledger/epochs.sql users_by_address), which may be a deleted one.
ALTER TABLE users
    ALTER COLUMN address DROP NOT NULL,
    ADD COLUMN deleted_at timestamptz,
    ADD COLUMN deleted_address text CHECK (deleted_address ~ '^0x[0-9a-f]{40}$'),
    ADD CONSTRAINT users_deleted_detached
        CHECK ((deleted_at IS NULL) = (address IS NOT NULL)
               AND (deleted_at IS NULL) = (deleted_address IS NULL));
CREATE INDEX users_deleted_address ON users (deleted_address) WHERE deleted_address IS NOT NULL;
