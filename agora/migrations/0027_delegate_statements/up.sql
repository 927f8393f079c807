-- What a delegate says about themselves in a community (Delegate.statement): forum text, written
-- by the API; the chain knows nothing of it. Markdown, kept as written (cleaned of what cannot be
-- shown) and rendered sanitized when read.
CREATE TABLE delegate_statements (
    community_id bigint NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    statement text NOT NULL CHECK (char_length(statement) <= 2000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, user_id)
);
