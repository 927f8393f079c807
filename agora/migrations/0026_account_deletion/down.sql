-- Deleted accounts get their address back; this fails if one was reused by a new account since
-- (two rows cannot share it), which is the point: the down migration must not merge two people.
DROP INDEX users_deleted_address;
UPDATE users SET address = deleted_address WHERE address IS NULL;
ALTER TABLE users
    DROP CONSTRAINT users_deleted_detached,
    DROP COLUMN deleted_address,
    DROP COLUMN deleted_at,
    ALTER COLUMN address SET NOT NULL;
