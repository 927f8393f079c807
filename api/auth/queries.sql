-- name: create_session
INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4);

-- name: get_session
SELECT s.user_id, s.csrf_token, s.expires_at, u.address
  FROM sessions s
  JOIN users u ON u.id = s.user_id
 WHERE s.token_hash = $1 AND s.expires_at > now();

-- name: delete_session
DELETE FROM sessions WHERE token_hash = $1;
