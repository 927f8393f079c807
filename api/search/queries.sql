-- Full-text search (0024): `websearch_to_tsquery` reads what people type into a search box
-- (quoted phrases, `or`, `-word`) and never fails on syntax. Only visible content is searched.
-- The documents of posts and comments are rows of post_search and comment_search (0037), which
-- hold only visible posts and comments (so a search of posts reads no other table to choose its
-- matches).
--
-- Each search ranks (ts_rank) the newest $5 matches, not all of them: a common word matches a
-- large part of a million posts, and ranking every match costs a read of each one's document.
-- The newest matches come from the primary key read backwards (a common word is found within a
-- few rows) or from the GIN index (a rare one), whichever the planner expects to be cheaper.
-- Pages are keyset on (rank, id): $2, $3 is the last one seen (+infinity first), $4 the limit.
-- The page is cut before the rows are joined to their views: only $4 rows are joined.
-- Posts and comments leave out what the viewer blocks (the last parameters; empty arrays for
-- most): authors everywhere, communities in a forum-wide search.
-- The queries repeat each other by design (deliberate: one per kind and scope, each planned for
-- its own index and document); change one, change its siblings.

-- name: search_posts
WITH matches AS (
    SELECT post_id AS id, document FROM post_search
     WHERE document @@ websearch_to_tsquery('english', $1)
       AND author_id <> ALL($6::bigint[]) AND community_id <> ALL($7::bigint[])
     ORDER BY post_id DESC LIMIT $5
), page AS (
    SELECT id, rank
      FROM (SELECT id, ts_rank(document, websearch_to_tsquery('english', $1)) AS rank
              FROM matches) ranked
     WHERE (rank, id) < ($2::real, $3)
     ORDER BY rank DESC, id DESC LIMIT $4
)
SELECT v.*, page.rank FROM page JOIN post_views v USING (id) ORDER BY page.rank DESC, page.id DESC;

-- name: search_posts_in_community
WITH matches AS (
    SELECT post_id AS id, document FROM post_search
     WHERE document @@ websearch_to_tsquery('english', $1) AND community_id = $6
       AND author_id <> ALL($7::bigint[])
     ORDER BY post_id DESC LIMIT $5
), page AS (
    SELECT id, rank
      FROM (SELECT id, ts_rank(document, websearch_to_tsquery('english', $1)) AS rank
              FROM matches) ranked
     WHERE (rank, id) < ($2::real, $3)
     ORDER BY rank DESC, id DESC LIMIT $4
)
SELECT v.*, page.rank FROM page JOIN post_views v USING (id) ORDER BY page.rank DESC, page.id DESC;

-- name: search_comments
-- A comment under a deleted or removed post is hidden with it.
WITH matches AS (
    SELECT m.comment_id AS id, m.document FROM comment_search m JOIN posts p ON p.id = m.post_id
     WHERE m.document @@ websearch_to_tsquery('english', $1)
       AND p.deleted_at IS NULL AND p.removed_at IS NULL
       AND m.author_id <> ALL($6::bigint[]) AND p.community_id <> ALL($7::bigint[])
     ORDER BY m.comment_id DESC LIMIT $5
), page AS (
    SELECT id, rank
      FROM (SELECT id, ts_rank(document, websearch_to_tsquery('english', $1)) AS rank
              FROM matches) ranked
     WHERE (rank, id) < ($2::real, $3)
     ORDER BY rank DESC, id DESC LIMIT $4
)
SELECT v.*, page.rank FROM page JOIN comment_views v USING (id) ORDER BY page.rank DESC, page.id DESC;

-- name: search_comments_in_community
WITH matches AS (
    SELECT m.comment_id AS id, m.document FROM comment_search m JOIN posts p ON p.id = m.post_id
     WHERE m.document @@ websearch_to_tsquery('english', $1)
       AND p.deleted_at IS NULL AND p.removed_at IS NULL AND p.community_id = $6
       AND m.author_id <> ALL($7::bigint[])
     ORDER BY m.comment_id DESC LIMIT $5
), page AS (
    SELECT id, rank
      FROM (SELECT id, ts_rank(document, websearch_to_tsquery('english', $1)) AS rank
              FROM matches) ranked
     WHERE (rank, id) < ($2::real, $3)
     ORDER BY rank DESC, id DESC LIMIT $4
)
SELECT v.*, page.rank FROM page JOIN comment_views v USING (id) ORDER BY page.rank DESC, page.id DESC;

-- name: search_communities
WITH matches AS (
    SELECT id FROM communities
     WHERE agora_community_document(name, title, description)
           @@ websearch_to_tsquery('english', $1)
     ORDER BY id DESC LIMIT $5
)
SELECT * FROM (
    SELECT c.*,
           ts_rank(agora_community_document(c.name, c.title, c.description),
                   websearch_to_tsquery('english', $1)) AS rank
      FROM matches JOIN communities c USING (id)
) ranked
 WHERE (rank, id) < ($2::real, $3)
 ORDER BY rank DESC, id DESC LIMIT $4;

-- name: search_users
-- Names are matched as written (the 'simple' configuration of agora_user_document).
WITH matches AS (
    SELECT id FROM users
     WHERE agora_user_document(display_name, bio)
           @@ (websearch_to_tsquery('simple', $1) || websearch_to_tsquery('english', $1))
     ORDER BY id DESC LIMIT $5
)
SELECT * FROM (
    SELECT u.*,
           ts_rank(agora_user_document(u.display_name, u.bio),
                   websearch_to_tsquery('simple', $1) || websearch_to_tsquery('english', $1))
               AS rank
      FROM matches JOIN users u USING (id)
) ranked
 WHERE (rank, id) < ($2::real, $3)
 ORDER BY rank DESC, id DESC LIMIT $4;

-- name: plan_for_the_words
-- Each search is planned for its own words, never by a generic plan of the prepared statement:
-- a common word is found by reading the primary key backwards, a rare one through the GIN
-- index, and a plan made without the word (PostgreSQL's generic plan, which asyncpg's cached
-- statements get after five runs) takes the index for every word: seconds for a common one.
SET LOCAL plan_cache_mode = force_custom_plan;
