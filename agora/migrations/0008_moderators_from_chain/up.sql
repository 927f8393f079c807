-- The forum obeys the chain: who moderates a community, and whether the community exists
-- on-chain, are read from the indexer's mirror (0004) instead of being written by the API.
--
-- `moderators` becomes a view with the columns of the table it replaces, so that every reader
-- (permissions, loaders, listings) switches in this one transaction: there is no moment where
-- the chain says a community has a moderator and the forum shows none, and an impeachment takes
-- effect as soon as its block is indexed. The old rows are dropped: the chain is the truth.
--
-- A forum community is matched with its on-chain twin by name. The chain's id is keccak256 of
-- the name (governance.community_id), which SQL cannot compute (no keccak in PostgreSQL, and
-- pgcrypto's SHA-3 is not keccak), so existing rows could not be backfilled with it; the name
-- is what the operator sends to CommunityFactory.createCommunity (only the operator may call
-- it), and the factory refuses a second community of the same id, hence of the same name.
-- An account the forum has never seen (no `users` row) is not listed: a read never creates one.

DROP TABLE moderators;

CREATE INDEX chain_communities_name ON chain_communities (name);

-- A moderator is an account whose latest registry event in the community is an election;
-- `added_at` is the time of the block of that election.
CREATE VIEW moderators AS
SELECT c.id AS community_id, u.id AS user_id, to_timestamp(e.block_timestamp) AS added_at
  FROM chain_moderator_events e
  JOIN chain_communities cc ON cc.community_id = e.community_id
  JOIN communities c ON c.name = cc.name
  -- users.address is lowercase 0x-hex (its CHECK), as encode(…, 'hex') writes it.
  JOIN users u ON u.address = '0x' || encode(e.account, 'hex')
 WHERE e.elected
   AND NOT EXISTS (
       SELECT 1 FROM chain_moderator_events later
        WHERE later.community_id = e.community_id AND later.account = e.account
          AND (later.block_number, later.log_index) > (e.block_number, e.log_index));

-- Each community's creation on-chain: CONFIRMED once the mirror holds it (whatever the outbox
-- says: the sender may have found it already made), else FAILED if the operator's transaction
-- failed, else PENDING (intent pending or sent, or mined but not indexed yet).
CREATE VIEW community_chains AS
SELECT c.id AS community_id,
       CASE WHEN cc.community_id IS NOT NULL THEN 'CONFIRMED'
            WHEN t.status = 'failed' THEN 'FAILED'
            ELSE 'PENDING' END AS status,
       cc.token, cc.governor, cc.tx_hash, cc.block_number
  FROM communities c
  LEFT JOIN chain_communities cc ON cc.name = c.name
  LEFT JOIN operator_transactions t ON t.dedupe_key = 'create_community:' || c.id;

-- The public log interleaves forum actions with the chain's elections and impeachments by time.
CREATE INDEX modlog_community_time ON modlog (community_id, created_at DESC, id DESC);

