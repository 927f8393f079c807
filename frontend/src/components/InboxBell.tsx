import { useEffect } from "react";
import { Link, useLocation } from "react-router";
import { useQuery, useSubscription } from "urql";
import { NotificationAddedSubscription, UnreadNotificationsQuery } from "../ops";
import { BellIcon } from "./icons";

// Said by the inbox page when it marked notifications read, so the bell counts again.
export const INBOX_READ_EVENT = "agora:inbox-read";
// The subscription carries what the API writes (replies, mentions, removals, bans); what the
// indexer and the ledger write (proposals, elections, rewards) is counted on navigation and
// at this interval: one small query a minute per open tab.
const RECOUNT_MS = 60_000;

/** The header's bell: the unread count, kept live by the notificationAdded subscription. */
export function InboxBell() {
  const location = useLocation();
  const [{ data }, refetch] = useQuery({ query: UnreadNotificationsQuery, requestPolicy: "network-only" });
  const [live] = useSubscription({ query: NotificationAddedSubscription });
  const recount = () => refetch({ requestPolicy: "network-only" });

  useEffect(() => {
    if (live.data) recount();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live.data]);
  useEffect(() => {
    window.addEventListener(INBOX_READ_EVENT, recount);
    const timer = window.setInterval(recount, RECOUNT_MS);
    return () => {
      window.removeEventListener(INBOX_READ_EVENT, recount);
      window.clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    recount();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [location.pathname]);

  const unread = data?.viewer?.unreadNotifications ?? 0;
  const label = unread === 0 ? "Inbox, nothing unread" : `Inbox, ${unread} unread`;
  return (
    <Link to="/inbox" className="icon-button inbox-bell" aria-label={label} title={label} data-testid="inbox-bell">
      <BellIcon />
      {unread > 0 && (
        <span className="inbox-count" aria-hidden="true" data-testid="inbox-count">
          {unread > 99 ? "99+" : unread}
        </span>
      )}
    </Link>
  );
}
