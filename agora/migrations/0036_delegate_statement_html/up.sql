-- A delegate's statement rendered (sanitized HTML) when it is written, as posts' and comments'
-- bodies are, rather than on every read. Statements written before this migration have none
-- (NULL): the API renders those when read, until they are written again.
ALTER TABLE delegate_statements ADD COLUMN statement_html text;
