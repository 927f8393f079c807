DROP TABLE operator_transactions;
DROP FUNCTION operator_transactions_notify();
