ALTER TABLE delegate_statements DROP COLUMN statement_html;
