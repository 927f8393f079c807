DROP TRIGGER comment_votes_cast_again ON comment_votes;
DROP TRIGGER comment_votes_withdrawn ON comment_votes;
DROP TRIGGER post_votes_cast_again ON post_votes;
DROP TRIGGER post_votes_withdrawn ON post_votes;
DROP FUNCTION votes_cast_again(), votes_withdrawn();
DROP FUNCTION vote_epoch_has_ended(bigint, timestamptz);
DROP TABLE withdrawn_comment_votes;
DROP TABLE withdrawn_post_votes;
