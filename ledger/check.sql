-- The ledger's own proofs (`agora ledger check`, ledger/check.py).

-- name: unbalanced_transfers
-- Each transfer's postings sum to zero by construction; this proves it of the stored rows.
SELECT transfer_id FROM ledger_postings GROUP BY transfer_id HAVING sum(amount) <> 0 LIMIT 100;

-- name: unbalanced_communities
SELECT community_id, sum(balance) AS total FROM ledger_balances
 GROUP BY community_id HAVING sum(balance) <> 0;

-- name: epoch_mismatches
-- A closed epoch emitted its emission, gave out what it says it distributed (its rewards less
-- what its review voided back to the pool), and its lines not voided explain exactly that.
SELECT * FROM (
    SELECT e.community_id, e.number, e.emission, e.distributed,
           coalesce((SELECT sum(t.amount) FROM ledger_transfers t
                      WHERE t.community_id = e.community_id AND t.epoch_number = e.number
                        AND t.kind = 'emission'), 0) AS emitted,
           coalesce((SELECT sum(t.amount) FROM ledger_transfers t
                      WHERE t.community_id = e.community_id AND t.epoch_number = e.number
                        AND t.kind = 'reward'), 0)
         - coalesce((SELECT sum(t.amount) FROM ledger_transfers t
                      WHERE t.community_id = e.community_id AND t.epoch_number = e.number
                        AND t.kind = 'void'), 0) AS rewarded,
           coalesce((SELECT sum(l.amount) FROM reward_lines l
                      WHERE l.community_id = e.community_id AND l.epoch_number = e.number
                        AND l.voided_at IS NULL), 0)
               AS explained
      FROM reward_epochs e
     WHERE e.status <> 'open' AND ($1::bigint IS NULL OR e.community_id = $1)
) m
 WHERE emitted <> emission OR rewarded <> distributed OR explained <> distributed
 LIMIT 100;

-- name: published_distributions
-- The rows of every released epoch's published distribution (its lines not voided, summed per
-- recipient), to rebuild the merkle root it stored and its mints carry.
SELECT e.community_id, e.number, e.merkle_root, u.address, sum(l.amount) AS amount
  FROM reward_epochs e
  JOIN reward_lines l ON l.community_id = e.community_id AND l.epoch_number = e.number
  JOIN users u ON u.id = l.author_id
 WHERE e.merkle_root IS NOT NULL AND l.voided_at IS NULL
   AND ($1::bigint IS NULL OR e.community_id = $1)
 GROUP BY e.community_id, e.number, e.merkle_root, u.address
HAVING sum(l.amount) > 0
 ORDER BY e.community_id, e.number;

-- name: mints_without_their_root
-- Mint intents of a released epoch that do not carry its root.
SELECT p.community_id, p.epoch_number, p.chain_epoch_id
  FROM reward_payouts p
  JOIN reward_epochs e ON e.community_id = p.community_id AND e.number = p.epoch_number
  JOIN operator_transactions o ON o.id = p.operator_transaction_id
 WHERE e.merkle_root IS NOT NULL AND ($1::bigint IS NULL OR p.community_id = $1)
   AND o.payload ->> 'root' IS DISTINCT FROM '0x' || encode(e.merkle_root, 'hex')
 LIMIT 100;

-- name: onchain_totals
-- What the ledger says each community's token has minted (every 'onchain' account).
-- The token is the mirror's (by name, unique on-chain): a community without one has none.
SELECT c.id, c.name, '0x' || encode(m.token, 'hex') AS token_address,
       coalesce((SELECT sum(b.balance) FROM ledger_balances b
                  WHERE b.community_id = c.id AND b.kind = 'onchain'), 0) AS onchain
  FROM communities c
  JOIN chain_communities m ON m.name = c.name
 WHERE $1::bigint IS NULL OR c.id = $1
 ORDER BY c.id;
