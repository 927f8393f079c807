-- name: get_communities_by_ids
SELECT * FROM communities
 WHERE id = ANY($1::bigint[]);

-- name: get_community_by_name
SELECT * FROM communities
 WHERE name = $1;

-- name: create_community
-- The creator is the first member, and the intent to create the community on-chain is recorded
-- for the operator's sender (`agora send`), in the same transaction: the community exists if
-- and only if its creation on-chain will be attempted. The creator becomes its first moderator
-- on-chain (the factory registers them), hence in `moderators` once the indexer mirrors it.
WITH community AS (
    INSERT INTO communities (name, title, description, description_html, rules, creator_id, member_count)
    VALUES ($1, $2, $3, $4, $5, $6, 1)
    ON CONFLICT (name) DO NOTHING
    RETURNING *
), membership AS (
    INSERT INTO memberships (community_id, user_id) SELECT id, $6 FROM community
), intent AS (
    INSERT INTO operator_transactions (kind, dedupe_key, payload)
    SELECT 'create_community', 'create_community:' || c.id,
           jsonb_build_object('communityId', c.id, 'name', c.name, 'creator', u.address)
      FROM community c
      JOIN users u ON u.id = $6
)
SELECT * FROM community;

-- name: list_communities_popular
SELECT * FROM communities
 WHERE ($1::integer IS NULL OR (member_count, id) < ($1, $2))
 ORDER BY member_count DESC, id DESC
 LIMIT $3;

-- name: list_communities_new
SELECT * FROM communities
 WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2))
 ORDER BY created_at DESC, id DESC
 LIMIT $3;

-- name: list_communities_name
SELECT * FROM communities
 WHERE ($1::text IS NULL OR name > $1)
 ORDER BY name
 LIMIT $2;

-- name: join_community
WITH joined AS (
    INSERT INTO memberships (community_id, user_id) VALUES ($1, $2)
    ON CONFLICT DO NOTHING
    RETURNING community_id
)
UPDATE communities SET member_count = member_count + 1
 WHERE id = (SELECT community_id FROM joined);

-- name: leave_community
WITH left_ AS (
    DELETE FROM memberships WHERE community_id = $1 AND user_id = $2
    RETURNING community_id
)
UPDATE communities SET member_count = member_count - 1
 WHERE id = (SELECT community_id FROM left_);

-- name: get_moderators_of_communities
-- The first $2 moderators of each community, longest-serving first (`account`: a users row).
SELECT community_id, account
  FROM (SELECT m.community_id, u AS account, m.added_at, u.id,
               row_number() OVER (PARTITION BY m.community_id ORDER BY m.added_at, u.id) AS n
          FROM moderators m
          JOIN users u ON u.id = m.user_id
         WHERE m.community_id = ANY($1::bigint[])) ranked
 WHERE n <= $2
 ORDER BY added_at, id;

-- name: get_joined_communities
SELECT c.*
  FROM memberships m
  JOIN communities c ON c.id = m.community_id
 WHERE m.user_id = $1
 ORDER BY c.name
 LIMIT $2;

-- name: get_chain_of_communities
-- Each community's creation on-chain (view community_chains: the mirror, else the outbox).
SELECT community_id AS id, status, token, governor
  FROM community_chains
 WHERE community_id = ANY($1::bigint[]);
