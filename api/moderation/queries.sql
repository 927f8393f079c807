-- name: log_action
INSERT INTO modlog (community_id, moderator_id, action, target_user_id, target_post_id,
                    target_comment_id, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id;

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
-- The forum's moderator actions (source 0, sequence: the modlog id) and the chain's elections
-- and impeachments (source 1, sequence: block number * 2^20 + log index), newest first, after
-- the key ($2 time, $3 source, $4 sequence) of the previous page's last entry. A chain entry's
-- moderator and target are the account elected or impeached; `proposal_id` is the proposal its
-- governor executed in that transaction (null for the creator, elected with the community).
-- Accounts the forum has never seen are left out, as in `moderators`.
SELECT * FROM (
    SELECT l.created_at, 0 AS source, l.id AS sequence, l.action, l.reason, l.target_post_id,
           l.target_comment_id, NULL::numeric AS proposal_id, NULL::bytea AS tx_hash,
           m AS moderator, t AS target_user
      FROM modlog l
      JOIN users m ON m.id = l.moderator_id
      LEFT JOIN users t ON t.id = l.target_user_id
     WHERE l.community_id = $1
       AND ($2::timestamptz IS NULL OR (l.created_at, 0, l.id) < ($2, $3::integer, $4::bigint))
    UNION ALL
    SELECT to_timestamp(e.block_timestamp), 1, e.block_number * 1048576 + e.log_index,
           CASE WHEN e.elected THEN 'ELECT_MODERATOR' ELSE 'IMPEACH_MODERATOR' END,
           NULL, NULL, NULL, executed.proposal_id, e.tx_hash,
           u, u
      FROM communities c
      JOIN chain_communities cc ON cc.name = c.name
      JOIN chain_moderator_events e ON e.community_id = cc.community_id
      JOIN users u ON u.address = '0x' || encode(e.account, 'hex')
      LEFT JOIN chain_proposal_events executed
        ON executed.tx_hash = e.tx_hash AND executed.kind = 'executed'
       AND executed.governor = cc.governor
     WHERE c.id = $1
       AND ($2::timestamptz IS NULL
            OR (to_timestamp(e.block_timestamp), 1, e.block_number * 1048576 + e.log_index)
               < ($2, $3::integer, $4::bigint))
) entries
 ORDER BY created_at DESC, source DESC, sequence DESC
 LIMIT $5;

-- name: create_report
-- Reporting the same thing again changes nothing while the report is open; once resolved, it
-- reopens it with the new reason, since what was resolved may have changed since.
INSERT INTO reports (community_id, reporter_id, post_id, comment_id, reason)
VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (reporter_id, coalesce(post_id, 0), coalesce(comment_id, 0)) DO UPDATE
   SET reason = EXCLUDED.reason, created_at = now(), resolved_at = NULL, resolved_by = NULL
 WHERE reports.resolved_at IS NOT NULL;

-- name: list_reports
SELECT * FROM report_views
 WHERE community_id = $1 AND id < $2
 ORDER BY id DESC
 LIMIT $3;

-- name: list_open_reports
-- The same as list_reports, but only the open ones: its own query (not a flag in list_reports)
-- so that the planner always proves the partial index reports_community_open applies.
SELECT * FROM report_views
 WHERE community_id = $1 AND id < $2 AND resolved_at IS NULL
 ORDER BY id DESC
 LIMIT $3;

-- name: get_report_by_id
SELECT * FROM report_views WHERE id = $1;

-- name: resolve_report
-- Only an open report changes: resolving twice (or two moderators at once) keeps the first
-- resolution, as the row lock of the UPDATE makes the second one see it resolved.
UPDATE reports SET resolved_at = now(), resolved_by = $2
 WHERE id = $1 AND resolved_at IS NULL;

-- name: reopen_report
UPDATE reports SET resolved_at = NULL, resolved_by = NULL
 WHERE id = $1 AND resolved_at IS NOT NULL;

-- name: list_bans
-- The bans in force (an expired ban no longer counts, as in loaders.sql), newest first.
SELECT b.user_id, b.reason, b.expires_at, b.created_at, u AS banned
  FROM bans b
  JOIN users u ON u.id = b.user_id
 WHERE b.community_id = $1
   AND (b.expires_at IS NULL OR b.expires_at > now())
   AND ($2::timestamptz IS NULL OR (b.created_at, b.user_id) < ($2, $3))
 ORDER BY b.created_at DESC, b.user_id DESC
 LIMIT $4;
