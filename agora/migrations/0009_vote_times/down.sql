DROP INDEX comment_votes_created;
DROP INDEX post_votes_created;
