-- name: replayed_lsn
-- How far a hot standby has replayed the primary's WAL, in bytes from 0/0. A server that is not
-- in recovery (DATABASE_READ_URL naming a primary) holds everything it wrote: its own position.
SELECT (coalesce(pg_last_wal_replay_lsn(), pg_current_wal_lsn()) - '0/0'::pg_lsn)::bigint;

-- name: written_lsn
-- How far the primary has written its WAL, in bytes from 0/0: at or past the commit record of
-- every transaction that committed before this statement began.
SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint;
