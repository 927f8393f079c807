-- Reports can be resolved (and reopened) by the community's moderators, as in Lemmy: a resolved
-- report leaves the moderators' queue but is kept, with who resolved it and when.

ALTER TABLE reports
    ADD COLUMN resolved_at timestamptz,
    ADD COLUMN resolved_by bigint REFERENCES users (id),
    -- Both or neither: a resolution always says who made it.
    ADD CONSTRAINT reports_resolution_complete CHECK ((resolved_at IS NULL) = (resolved_by IS NULL));

-- The queue moderators work through: open reports of a community, newest first. Partial, so it
-- stays the size of the queue however many reports were resolved before.
CREATE INDEX reports_community_open ON reports (community_id, id DESC) WHERE resolved_at IS NULL;

-- Moderators page through a community's bans newest first; the primary key (community, user)
-- cannot serve that order, so each page would otherwise sort every ban of the community.
CREATE INDEX bans_community_newest ON bans (community_id, created_at DESC, user_id DESC);
