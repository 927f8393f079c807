ALTER TABLE operator_transactions
    DROP COLUMN replaced_tx_hashes,
    DROP COLUMN signed_at;
