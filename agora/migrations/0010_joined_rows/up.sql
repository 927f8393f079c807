-- Deliberate repeats: the views of 0001, 0002 and 0007 restated whole with joined rows (a view
-- is redefined whole); 0017 and 0034 restate or restore its definitions in turn.
-- A joined person or community is one column holding the whole row (its table's row type),
-- instead of its columns copied out one by one under a prefix: the column list of users and of
-- communities is written once, in their tables, and the API reads `author` as a users row
-- (asyncpg decodes a composite as a Record with the table's column names). A column added to
-- users later is in every view at once.

DROP VIEW post_views;
DROP VIEW comment_views;
DROP VIEW report_views;
DROP VIEW proposal_views;

-- A post joined with its author and community: what a listing shows, in one round trip.
-- (Lemmy's PostView.)
CREATE VIEW post_views AS
SELECT p.id, p.community_id, p.author_id, p.title, p.body, p.body_html, p.url, p.created_at,
       p.edited_at, p.deleted_at, p.removed_at, p.score, p.upvotes, p.downvotes,
       p.comment_count, p.last_activity_at, p.hot_rank, p.active_rank, p.controversy_rank,
       u AS author, c AS community
  FROM posts p
  JOIN users u ON u.id = p.author_id
  JOIN communities c ON c.id = p.community_id;

-- A comment joined with its author.
CREATE VIEW comment_views AS
SELECT m.id, m.post_id, m.parent_id, m.path, m.depth, m.author_id, m.body, m.body_html,
       m.created_at, m.edited_at, m.deleted_at, m.removed_at, m.score, m.upvotes, m.downvotes,
       m.reply_count, m.confidence, p.community_id,
       u AS author
  FROM comments m
  JOIN posts p ON p.id = m.post_id
  JOIN users u ON u.id = m.author_id;

-- A report joined with its reporter and, once resolved, the moderator who resolved it (null
-- until then: the whole row of an unmatched outer join is null).
CREATE VIEW report_views AS
SELECT r.id, r.community_id, r.reporter_id, r.post_id, r.comment_id, r.reason, r.created_at,
       r.resolved_at, r.resolved_by,
       u AS reporter, v AS resolver
  FROM reports r
  JOIN users u ON u.id = r.reporter_id
  LEFT JOIN users v ON v.id = r.resolved_by;

-- A mirrored proposal with its proposer's forum account, if any (see 0007).
CREATE VIEW proposal_views AS
SELECT p.governor, p.proposal_id, p.proposer, p.description, p.targets, p."values",
       p.calldatas, p.vote_start, p.vote_end, p.block_number, p.log_index, p.tx_hash,
       p.block_timestamp, c.community_id, c.name AS community_name,
       st.state, st.for_votes, st.against_votes, st.abstain_votes, st.quorum,
       (SELECT e.tx_hash FROM chain_proposal_events AS e
         WHERE e.governor = p.governor AND e.proposal_id = p.proposal_id AND e.kind = 'executed'
         LIMIT 1) AS executed_tx,
       u AS proposer_account
  FROM chain_proposals AS p
  JOIN chain_communities AS c ON c.governor = p.governor
  JOIN chain_proposal_states AS st ON st.governor = p.governor AND st.proposal_id = p.proposal_id
  LEFT JOIN users AS u ON u.address = '0x' || encode(p.proposer, 'hex');

-- One vote trigger for posts and comments (they were the same function written twice): applies
-- one vote row's change to its target's score and counts, then to the author's karma of that
-- kind. Lock order as before: vote row -> post/comment -> author. Static statements per kind,
-- not dynamic SQL, so each keeps its cached plan.
CREATE FUNCTION votes_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_value integer := CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.value END;
    new_value integer := CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE NEW.value END;
    vote record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    delta integer := new_value - old_value;
    ups integer := (new_value = 1)::integer - (old_value = 1)::integer;
    downs integer := (new_value = -1)::integer - (old_value = -1)::integer;
    author bigint;
BEGIN
    IF delta = 0 THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'post_votes' THEN
        UPDATE posts
           SET score = score + delta, upvotes = upvotes + ups, downvotes = downvotes + downs
         WHERE id = vote.post_id
        RETURNING author_id INTO author;
        UPDATE users SET post_karma = post_karma + delta WHERE id = author;
    ELSE
        UPDATE comments
           SET score = score + delta, upvotes = upvotes + ups, downvotes = downvotes + downs
         WHERE id = vote.comment_id
        RETURNING author_id INTO author;
        UPDATE users SET comment_karma = comment_karma + delta WHERE id = author;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER post_votes_apply ON post_votes;
DROP TRIGGER comment_votes_apply ON comment_votes;
DROP FUNCTION post_votes_apply();
DROP FUNCTION comment_votes_apply();
CREATE TRIGGER post_votes_apply AFTER INSERT OR UPDATE OR DELETE ON post_votes
    FOR EACH ROW EXECUTE FUNCTION votes_apply();
CREATE TRIGGER comment_votes_apply AFTER INSERT OR UPDATE OR DELETE ON comment_votes
    FOR EACH ROW EXECUTE FUNCTION votes_apply();
