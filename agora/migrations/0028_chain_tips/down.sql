-- Relayed tips go with the kind that named them.
DELETE FROM operator_transactions WHERE kind = 'tip_by_sig';
ALTER TABLE operator_transactions DROP CONSTRAINT operator_transactions_kind_check;
ALTER TABLE operator_transactions ADD CONSTRAINT operator_transactions_kind_check
    CHECK (kind IN ('create_community', 'mint_epoch', 'cast_vote_by_sig'));
DROP TABLE chain_tips;
