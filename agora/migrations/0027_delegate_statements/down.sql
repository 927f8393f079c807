DROP TABLE delegate_statements;
