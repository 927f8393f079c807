"""Writing the inbox: the notifications the API writes in the transaction of what caused them
(replies, mentions, removals, bans), and the viewer's unread count. Low in the layers so that
every domain that causes a notification can write it; the GraphQL types are in
api.notifications."""
