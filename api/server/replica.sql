-- name: replayed_lsn
-- How far a hot standby has replayed the primary's WAL, in bytes from 0/0. A server that is not
-- in recovery (DATABASE_READ_URL naming a primary) holds everything it wrote: its own position.
SELECT (coalesce(pg_last_wal_replay_lsn(), pg_current_wal_lsn()) - '0/0'::pg_lsn)::bigint;

-- name: written_lsn
-- How far the primary has inserted into its WAL, in bytes from 0/0: past the commit record of
-- every transaction that committed before this statement began, even with synchronous_commit
-- off (pg_current_wal_lsn, what is written out, may then be short of a commit that returned).
SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint;
