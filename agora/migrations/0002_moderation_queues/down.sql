DROP INDEX bans_community_newest;
DROP VIEW report_views;
DROP INDEX reports_community_open;
ALTER TABLE reports
    DROP CONSTRAINT reports_resolution_complete,
    DROP COLUMN resolved_by,
    DROP COLUMN resolved_at;
