DROP TRIGGER notifications_announce_chain ON notifications;
DROP FUNCTION announce_chain_notification();
