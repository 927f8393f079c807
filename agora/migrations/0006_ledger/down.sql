DROP TABLE reward_payouts;
DROP TABLE reward_lines;
DROP TABLE reward_epochs;
DROP VIEW ledger_balances;
DROP VIEW ledger_postings;
DROP TABLE ledger_transfers;
DROP FUNCTION ledger_transfers_immutable();
DROP TABLE ledger_accounts;
