-- Deliberate repeat: 0010's down.sql restores this report_views verbatim (a reversible
-- migration repeats what it undoes).
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

-- A report joined with its reporter (u_) and, once resolved, the moderator who resolved it (v_),
-- as post_views joins a post's author: every report query reads it.
CREATE VIEW report_views AS
SELECT r.id, r.community_id, r.reporter_id, r.post_id, r.comment_id, r.reason, r.created_at,
       r.resolved_at, r.resolved_by,
       u.id AS u_id, u.address AS u_address, u.display_name AS u_display_name, u.bio AS u_bio,
       u.post_karma AS u_post_karma, u.comment_karma AS u_comment_karma,
       u.created_at AS u_created_at,
       v.id AS v_id, v.address AS v_address, v.display_name AS v_display_name, v.bio AS v_bio,
       v.post_karma AS v_post_karma, v.comment_karma AS v_comment_karma,
       v.created_at AS v_created_at
  FROM reports r
  JOIN users u ON u.id = r.reporter_id
  LEFT JOIN users v ON v.id = r.resolved_by;

-- Moderators page through a community's bans newest first; the primary key (community, user)
-- cannot serve that order, so each page would otherwise sort every ban of the community.
CREATE INDEX bans_community_newest ON bans (community_id, created_at DESC, user_id DESC);
