-- The columns of 0001, filled from the mirror they were dropped for (0x-hex, lowercase, as the
-- indexer's addresses are stored), so that an older reader sees what the chain says.
ALTER TABLE communities
    ADD COLUMN chain_status text NOT NULL DEFAULT 'PENDING'
        CHECK (chain_status IN ('PENDING', 'CONFIRMED', 'FAILED')),
    ADD COLUMN token_address text,
    ADD COLUMN governor_address text;

UPDATE communities c
   SET chain_status = s.status,
       token_address = '0x' || encode(s.token, 'hex'),
       governor_address = '0x' || encode(s.governor, 'hex')
  FROM community_chains s
 WHERE s.community_id = c.id AND s.status <> 'PENDING';
