-- One writer per state: whether a community exists on-chain, and its token and governor, are
-- what the indexer mirrors (chain_communities, read through the view community_chains of 0008).
-- The forum's own copies from 0001 have had no writer since then; a reader of them saw a
-- community that was never confirmed, so they go.
--
-- Views that hold a community as a whole row (post_views' `community`, 0010) depend on the
-- table's row type, not on these columns: they stay, and their rows lose the three fields.
ALTER TABLE communities
    DROP COLUMN chain_status,
    DROP COLUMN token_address,
    DROP COLUMN governor_address;
