-- Deliberate repeats: restores the definitions of 0001, 0002 and 0007 verbatim, a vote function
-- per table as they were (a reversible migration repeats what it undoes).
-- Back to the prefixed columns of 0001/0002 and the two vote functions.

DROP TRIGGER post_votes_apply ON post_votes;
DROP TRIGGER comment_votes_apply ON comment_votes;
DROP FUNCTION votes_apply();

CREATE FUNCTION post_votes_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_value integer := CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.value END;
    new_value integer := CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE NEW.value END;
    target bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.post_id ELSE NEW.post_id END;
    author bigint;
BEGIN
    IF old_value = new_value THEN
        RETURN NULL;
    END IF;
    UPDATE posts
       SET score = score + new_value - old_value,
           upvotes = upvotes + (new_value = 1)::integer - (old_value = 1)::integer,
           downvotes = downvotes + (new_value = -1)::integer - (old_value = -1)::integer
     WHERE id = target
    RETURNING author_id INTO author;
    UPDATE users SET post_karma = post_karma + new_value - old_value WHERE id = author;
    RETURN NULL;
END
$$;
CREATE TRIGGER post_votes_apply AFTER INSERT OR UPDATE OR DELETE ON post_votes
    FOR EACH ROW EXECUTE FUNCTION post_votes_apply();

CREATE FUNCTION comment_votes_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_value integer := CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.value END;
    new_value integer := CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE NEW.value END;
    target bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.comment_id ELSE NEW.comment_id END;
    author bigint;
BEGIN
    IF old_value = new_value THEN
        RETURN NULL;
    END IF;
    UPDATE comments
       SET score = score + new_value - old_value,
           upvotes = upvotes + (new_value = 1)::integer - (old_value = 1)::integer,
           downvotes = downvotes + (new_value = -1)::integer - (old_value = -1)::integer
     WHERE id = target
    RETURNING author_id INTO author;
    UPDATE users SET comment_karma = comment_karma + new_value - old_value WHERE id = author;
    RETURN NULL;
END
$$;
CREATE TRIGGER comment_votes_apply AFTER INSERT OR UPDATE OR DELETE ON comment_votes
    FOR EACH ROW EXECUTE FUNCTION comment_votes_apply();

DROP VIEW post_views;
DROP VIEW comment_views;
DROP VIEW report_views;
DROP VIEW proposal_views;

CREATE VIEW post_views AS
SELECT p.id, p.community_id, p.author_id, p.title, p.body, p.body_html, p.url, p.created_at,
       p.edited_at, p.deleted_at, p.removed_at, p.score, p.upvotes, p.downvotes,
       p.comment_count, p.last_activity_at, p.hot_rank, p.active_rank, p.controversy_rank,
       u.id AS a_id, u.address AS a_address, u.display_name AS a_display_name, u.bio AS a_bio,
       u.post_karma AS a_post_karma, u.comment_karma AS a_comment_karma,
       u.created_at AS a_created_at,
       c.id AS c_id, c.name AS c_name, c.title AS c_title, c.description AS c_description,
       c.description_html AS c_description_html, c.rules AS c_rules,
       c.creator_id AS c_creator_id, c.created_at AS c_created_at,
       c.member_count AS c_member_count, c.post_count AS c_post_count,
       c.chain_status AS c_chain_status, c.token_address AS c_token_address,
       c.governor_address AS c_governor_address
  FROM posts p
  JOIN users u ON u.id = p.author_id
  JOIN communities c ON c.id = p.community_id;

CREATE VIEW comment_views AS
SELECT m.id, m.post_id, m.parent_id, m.path, m.depth, m.author_id, m.body, m.body_html,
       m.created_at, m.edited_at, m.deleted_at, m.removed_at, m.score, m.upvotes, m.downvotes,
       m.reply_count, m.confidence, p.community_id,
       u.id AS a_id, u.address AS a_address, u.display_name AS a_display_name, u.bio AS a_bio,
       u.post_karma AS a_post_karma, u.comment_karma AS a_comment_karma,
       u.created_at AS a_created_at
  FROM comments m
  JOIN posts p ON p.id = m.post_id
  JOIN users u ON u.id = m.author_id;

CREATE VIEW report_views AS
SELECT r.id, r.community_id, r.reporter_id, r.post_id, r.comment_id, r.reason, r.created_at,
       r.resolved_at, r.resolved_by,
       u.id AS u_id, u.address AS u_address, u.display_name AS u_display_name, u.bio AS u_bio,
       u.post_karma AS u_post_karma, u.comment_karma AS u_comment_karma,
       u.created_at AS u_created_at,
       v.id AS v_id, v.address AS v_address, v.display_name AS v_display_name, v.bio AS v_bio,
       v.post_karma AS v_post_karma, v.comment_karma AS v_comment_karma,
       v.created_at AS v_created_at
  FROM reports r
  JOIN users u ON u.id = r.reporter_id
  LEFT JOIN users v ON v.id = r.resolved_by;

CREATE VIEW proposal_views AS
SELECT p.governor, p.proposal_id, p.proposer, p.description, p.targets, p."values",
       p.calldatas, p.vote_start, p.vote_end, p.block_number, p.log_index, p.tx_hash,
       p.block_timestamp, c.community_id, c.name AS community_name,
       st.state, st.for_votes, st.against_votes, st.abstain_votes, st.quorum,
       (SELECT e.tx_hash FROM chain_proposal_events AS e
         WHERE e.governor = p.governor AND e.proposal_id = p.proposal_id AND e.kind = 'executed'
         LIMIT 1) AS executed_tx,
       u.id AS proposer_id, u.address AS proposer_address,
       u.display_name AS proposer_display_name, u.bio AS proposer_bio,
       u.post_karma AS proposer_post_karma, u.comment_karma AS proposer_comment_karma,
       u.created_at AS proposer_created_at
  FROM chain_proposals AS p
  JOIN chain_communities AS c ON c.governor = p.governor
  JOIN chain_proposal_states AS st ON st.governor = p.governor AND st.proposal_id = p.proposal_id
  LEFT JOIN users AS u ON u.address = '0x' || encode(p.proposer, 'hex');
