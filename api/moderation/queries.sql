-- name: log_action
INSERT INTO modlog (community_id, moderator_id, action, target_user_id, target_post_id,
                    target_comment_id, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: ban_user
INSERT INTO bans (community_id, user_id, moderator_id, reason, expires_at)
VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (community_id, user_id) DO UPDATE
   SET moderator_id = EXCLUDED.moderator_id, reason = EXCLUDED.reason,
       expires_at = EXCLUDED.expires_at, created_at = now()
RETURNING community_id, user_id, reason, expires_at, created_at;

-- name: unban_user
DELETE FROM bans WHERE community_id = $1 AND user_id = $2 RETURNING user_id;

-- name: list_modlog
SELECT l.id, l.action, l.reason, l.created_at, l.target_post_id, l.target_comment_id,
       m.id AS m_id, m.address AS m_address, m.display_name AS m_display_name, m.bio AS m_bio,
       m.post_karma AS m_post_karma, m.comment_karma AS m_comment_karma,
       m.created_at AS m_created_at,
       t.id AS t_id, t.address AS t_address, t.display_name AS t_display_name, t.bio AS t_bio,
       t.post_karma AS t_post_karma, t.comment_karma AS t_comment_karma,
       t.created_at AS t_created_at
  FROM modlog l
  JOIN users m ON m.id = l.moderator_id
  LEFT JOIN users t ON t.id = l.target_user_id
 WHERE l.community_id = $1 AND l.id < $2
 ORDER BY l.id DESC
 LIMIT $3;

-- name: create_report
INSERT INTO reports (community_id, reporter_id, post_id, comment_id, reason)
VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT DO NOTHING;

-- name: list_reports
SELECT r.id, r.reason, r.created_at, r.post_id, r.comment_id,
       u.id AS u_id, u.address AS u_address, u.display_name AS u_display_name, u.bio AS u_bio,
       u.post_karma AS u_post_karma, u.comment_karma AS u_comment_karma,
       u.created_at AS u_created_at
  FROM reports r
  JOIN users u ON u.id = r.reporter_id
 WHERE r.community_id = $1 AND r.id < $2
 ORDER BY r.id DESC
 LIMIT $3;
