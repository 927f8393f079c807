-- Tips, from the indexer's mirror (read only). A tip counts for an item when it names the item
-- (item_ref = keccak256 of the item's GraphQL id, computed by the caller: PostgreSQL has no
-- keccak), is paid in the token of the item's community and to the item's author: a tip that
-- names an item but pays someone else, or in another community's points, is not the item's.

-- name: get_tip_summaries
-- Per item ($1 kinds 'Post' or 'Comment', $2 row ids, $3 refs): its tips' count and total, and
-- what the viewer ($4 user id, or null) gave; in the order of the keys.
SELECT k.ord,
       count(t.tx_hash)::integer AS count,
       coalesce(sum(t.amount), 0)::numeric(78, 0) AS total,
       coalesce(sum(t.amount) FILTER (
           WHERE t.tipper = (SELECT decode(substr(v.address, 3), 'hex') FROM users AS v
                              WHERE v.id = $4::bigint)), 0)::numeric(78, 0) AS viewer_total
  FROM unnest($1::text[], $2::bigint[], $3::bytea[]) WITH ORDINALITY AS k (kind, item_id, item_ref, ord)
  LEFT JOIN comments AS cm ON k.kind = 'Comment' AND cm.id = k.item_id
  LEFT JOIN posts AS p ON p.id = CASE WHEN k.kind = 'Post' THEN k.item_id ELSE cm.post_id END
  LEFT JOIN users AS a ON a.id = coalesce(cm.author_id, p.author_id)
  LEFT JOIN communities AS fc ON fc.id = p.community_id
  LEFT JOIN chain_communities AS c ON c.name = fc.name
  LEFT JOIN chain_tips AS t
         ON t.item_ref = k.item_ref AND t.token = c.token
        AND t.recipient = decode(substr(a.address, 3), 'hex')
 GROUP BY k.ord
 ORDER BY k.ord;

-- name: list_item_tips
-- One item's tips ($1 kind, $2 row id, $3 ref), newest first, after the keyset ($4 block,
-- $5 log index).
SELECT t.*, c.name AS community, tu AS tipper_account, ru AS recipient_account
  FROM (SELECT $1::text AS kind, $2::bigint AS item_id) AS k
  LEFT JOIN comments AS cm ON k.kind = 'Comment' AND cm.id = k.item_id
  JOIN posts AS p ON p.id = CASE WHEN k.kind = 'Post' THEN k.item_id ELSE cm.post_id END
  JOIN users AS a ON a.id = coalesce(cm.author_id, p.author_id)
  JOIN communities AS fc ON fc.id = p.community_id
  JOIN chain_communities AS c ON c.name = fc.name
  JOIN chain_tips AS t
    ON t.item_ref = $3 AND t.token = c.token AND t.recipient = decode(substr(a.address, 3), 'hex')
  LEFT JOIN users AS tu ON tu.address = '0x' || encode(t.tipper, 'hex')
  LEFT JOIN users AS ru ON ru.address = '0x' || encode(t.recipient, 'hex')
 WHERE ($4::bigint IS NULL OR (t.block_number, t.log_index) < ($4, $5::integer))
 ORDER BY t.block_number DESC, t.log_index DESC
 LIMIT $6;

-- name: list_account_tips
-- The tips an address received ($1 true) or sent ($1 false) ($2 address), optionally in one
-- community ($3 its name), newest first, after the keyset ($4 block, $5 log index).
SELECT t.*, c.name AS community, tu AS tipper_account, ru AS recipient_account
  FROM chain_tips AS t
  JOIN chain_communities AS c ON c.token = t.token
  LEFT JOIN users AS tu ON tu.address = '0x' || encode(t.tipper, 'hex')
  LEFT JOIN users AS ru ON ru.address = '0x' || encode(t.recipient, 'hex')
 WHERE CASE WHEN $1::boolean THEN t.recipient ELSE t.tipper END = $2::bytea
   AND ($3::text IS NULL OR c.name = $3)
   AND ($4::bigint IS NULL OR (t.block_number, t.log_index) < ($4, $5::integer))
 ORDER BY t.block_number DESC, t.log_index DESC
 LIMIT $6;

-- name: get_tip_target
-- What a tip for an item ($1 'Post' or 'Comment', $2 row id) pays: its author's address, its
-- community and that community's token (null when not on-chain); nothing for a deleted or
-- removed item.
SELECT a.address AS author, fc.name AS community, c.token
  FROM (SELECT $1::text AS kind, $2::bigint AS item_id) AS k
  LEFT JOIN comments AS cm ON k.kind = 'Comment' AND cm.id = k.item_id
  JOIN posts AS p ON p.id = CASE WHEN k.kind = 'Post' THEN k.item_id ELSE cm.post_id END
  JOIN users AS a ON a.id = coalesce(cm.author_id, p.author_id)
  JOIN communities AS fc ON fc.id = p.community_id
  LEFT JOIN chain_communities AS c ON c.name = fc.name
 WHERE (k.kind = 'Post' OR cm.id IS NOT NULL)
   AND coalesce(cm.deleted_at, p.deleted_at) IS NULL
   AND coalesce(cm.removed_at, p.removed_at) IS NULL;

-- name: get_points
-- A holder's balance of a token, as the mirror has it.
SELECT coalesce((SELECT balance FROM chain_token_balances WHERE token = $1 AND holder = $2), 0)
       ::numeric(78, 0);

-- name: record_tip_relay
-- The intent to send a signed tip; nothing when one at the same tipper's nonce is recorded.
INSERT INTO operator_transactions (kind, dedupe_key, payload)
VALUES ('tip_by_sig', $1, $2)
ON CONFLICT DO NOTHING
RETURNING id, status, tx_hash, error;

-- name: get_tip_relay
SELECT id, status, tx_hash, error FROM operator_transactions WHERE id = $1;
