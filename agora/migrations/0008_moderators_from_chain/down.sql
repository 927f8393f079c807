DROP INDEX modlog_community_time;
DROP VIEW community_chains;

-- Back to a table, holding the moderators the chain had.
CREATE TABLE moderators_restored (
    community_id bigint NOT NULL,
    user_id bigint NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT moderators_restored_pkey PRIMARY KEY (community_id, user_id)
);
INSERT INTO moderators_restored SELECT community_id, user_id, added_at FROM moderators;
DROP VIEW moderators;
DROP INDEX chain_communities_name;
ALTER TABLE moderators_restored RENAME TO moderators;
ALTER TABLE moderators RENAME CONSTRAINT moderators_restored_pkey TO moderators_pkey;
ALTER TABLE moderators
    ADD CONSTRAINT moderators_community_id_fkey FOREIGN KEY (community_id) REFERENCES communities (id),
    ADD CONSTRAINT moderators_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);

