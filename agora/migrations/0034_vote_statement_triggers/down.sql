-- Deliberate repeat: restores 0010's votes_apply() and row triggers verbatim (a reversible
-- migration repeats what it undoes).
DROP TRIGGER post_votes_inserted ON post_votes;
DROP TRIGGER post_votes_updated ON post_votes;
DROP TRIGGER post_votes_deleted ON post_votes;
DROP TRIGGER comment_votes_inserted ON comment_votes;
DROP TRIGGER comment_votes_updated ON comment_votes;
DROP TRIGGER comment_votes_deleted ON comment_votes;
DROP FUNCTION votes_applied();
DROP TYPE vote_change;

-- The row trigger of 0010.
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

CREATE TRIGGER post_votes_apply AFTER INSERT OR UPDATE OR DELETE ON post_votes
    FOR EACH ROW EXECUTE FUNCTION votes_apply();
CREATE TRIGGER comment_votes_apply AFTER INSERT OR UPDATE OR DELETE ON comment_votes
    FOR EACH ROW EXECUTE FUNCTION votes_apply();
