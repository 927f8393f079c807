-- name: get_users_by_ids
SELECT id, address, display_name, bio, post_karma, comment_karma, created_at
  FROM users
 WHERE id = ANY($1::bigint[]);

-- name: get_user_by_address
SELECT id, address, display_name, bio, post_karma, comment_karma, created_at
  FROM users
 WHERE address = $1;

-- name: upsert_user_by_address
-- Signing in for the first time creates the account.
INSERT INTO users (address) VALUES ($1)
    ON CONFLICT (address) DO UPDATE SET address = EXCLUDED.address
RETURNING id, address, display_name, bio, post_karma, comment_karma, created_at;

-- name: update_profile
UPDATE users
   SET display_name = CASE WHEN $2::boolean THEN $3 ELSE display_name END,
       bio = CASE WHEN $4::boolean THEN $5 ELSE bio END
 WHERE id = $1
RETURNING id, address, display_name, bio, post_karma, comment_karma, created_at;
