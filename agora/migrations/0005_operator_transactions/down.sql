DROP TABLE operator_transactions;
