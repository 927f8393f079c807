DROP TRIGGER comment_revisions_kept ON comments;
DROP FUNCTION keep_comment_revision();
DROP TRIGGER post_revisions_kept ON posts;
DROP FUNCTION keep_post_revision();
DROP TABLE comment_revisions;
DROP TABLE post_revisions;
DROP TABLE community_blocks;
DROP TABLE user_blocks;
DROP TABLE saved_items;
