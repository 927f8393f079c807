DROP VIEW comment_views, post_views;
DROP TABLE modlog, reports, comment_votes, post_votes, comments, posts, bans, moderators,
    memberships, communities, sessions, users;
DROP FUNCTION post_votes_apply(), comment_votes_apply(), agora_confidence(integer, integer),
    agora_controversy(integer, integer), agora_hot_rank(integer, timestamptz), agora_epoch(timestamptz);
