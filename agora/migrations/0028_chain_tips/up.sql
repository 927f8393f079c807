-- Deliberate repeat: a mirror table with the event columns and key of 0004's (block, tx_hash,
-- log_index).
-- Each Tipped of the Tips contract: `from` paid `amount` of `token` to `recipient` for the item
-- whose GraphQL id hashes (keccak256 of its UTF-8 bytes) to `item_ref`. The API maps items to
-- refs, never the other way: a ref no item has is kept and shown nowhere.
CREATE TABLE chain_tips (
    token bytea NOT NULL,
    tipper bytea NOT NULL,
    recipient bytea NOT NULL,
    amount numeric(78, 0) NOT NULL,
    item_ref bytea NOT NULL,
    block_number bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    block_timestamp bigint NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_tips_item ON chain_tips (item_ref, token);
CREATE INDEX chain_tips_recipient ON chain_tips (recipient, token);
CREATE INDEX chain_tips_tipper ON chain_tips (tipper, token);
CREATE INDEX chain_tips_block ON chain_tips (block_number);

-- A gasless tip: the operator relays a tip its tipper signed (Tips.tipBySig).
ALTER TABLE operator_transactions DROP CONSTRAINT operator_transactions_kind_check;
ALTER TABLE operator_transactions ADD CONSTRAINT operator_transactions_kind_check
    CHECK (kind IN ('create_community', 'mint_epoch', 'cast_vote_by_sig', 'tip_by_sig'));
