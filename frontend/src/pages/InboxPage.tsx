import { useState } from "react";
import { Link } from "react-router";
import { useClient, useQuery } from "urql";
import { EmptyState, ErrorNote, LoadMore, Spinner, Time, UserLink } from "../components/bits";
import { INBOX_READ_EVENT } from "../components/InboxBell";
import { toAppError } from "../lib/errors";
import { useSession } from "../lib/session";
import { useTitle } from "../lib/title";
import { useToast } from "../lib/toast";
import { MarkNotificationsReadMutation, NotificationsQuery, type Notification } from "../ops";

const WHAT: Record<string, string> = {
  REPLY: "replied to you",
  MENTION: "mentioned you",
  CONTENT_REMOVED: "removed what you wrote",
  BANNED: "banned you",
  PROPOSAL_OPENED: "opened a proposal",
  PROPOSAL_ENDING: "A vote ends within a day and you have not voted",
  ELECTED: "You were elected moderator",
  IMPEACHED: "You were impeached as moderator",
  REWARD_PAID: "Your rewards were paid",
};

function target(n: Notification): { href: string; text: string } | null {
  if (n.post) return { href: `/c/${n.post.community.name}/p/${n.post.id}`, text: n.comment?.body ? n.comment.body.slice(0, 140) : n.post.title };
  if (n.proposal) return { href: `/c/${n.proposal.community.name}/governance/${encodeURIComponent(n.proposal.id)}`, text: n.proposal.description.slice(0, 140) };
  if (n.kind === "REWARD_PAID" && n.community) return { href: `/c/${n.community.name}/rewards`, text: `c/${n.community.name}` };
  if (n.community) return { href: `/c/${n.community.name}`, text: `c/${n.community.name}` };
  return null;
}

function Item({ n }: { n: Notification }) {
  const link = target(n);
  return (
    <li className={n.read ? "inbox-item" : "inbox-item unread"} data-testid="inbox-item" data-kind={n.kind}>
      <p>
        {n.actor && <UserLink user={n.actor} />} {WHAT[n.kind] ?? n.kind}
        {n.community && !n.post && n.kind !== "REWARD_PAID" && <> in c/{n.community.name}</>}
        {" · "}
        <Time iso={n.createdAt} />
      </p>
      {link && (
        <p className="inbox-target">
          <Link to={link.href}>{link.text}</Link>
        </p>
      )}
    </li>
  );
}

export function InboxPage() {
  useTitle("Inbox");
  const { viewer, checking } = useSession();
  const client = useClient();
  const notify = useToast();
  const [after, setAfter] = useState<string | null>(null);
  const [earlier, setEarlier] = useState<Notification[]>([]);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: NotificationsQuery,
    variables: { after },
    requestPolicy: "network-only",
    pause: !viewer,
  });
  const [busy, setBusy] = useState(false);

  if (checking) return <Spinner />;
  if (!viewer) return <EmptyState>Sign in to see your inbox.</EmptyState>;

  const page = data?.notifications;
  const items = [...earlier, ...(page?.edges.map((e) => e.node) ?? [])];

  async function markAllRead() {
    setBusy(true);
    const res = await client.mutation(MarkNotificationsReadMutation, { ids: null }).toPromise();
    setBusy(false);
    if (res.error) {
      notify(toAppError(res.error).message, "error");
      return;
    }
    setEarlier([]);
    setAfter(null);
    refetch({ requestPolicy: "network-only" });
    window.dispatchEvent(new Event(INBOX_READ_EVENT));
  }

  return (
    <section className="inbox-page">
      <div className="page-head">
        <h1>Inbox</h1>
        <button type="button" className="button ghost" disabled={busy || !items.some((n) => !n.read)} onClick={() => void markAllRead()}>
          Mark all read
        </button>
      </div>
      <ErrorNote error={error ? toAppError(error) : null} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      {items.length === 0 && !fetching && !error && <EmptyState>Nothing yet: replies, mentions and your communities' news will show here.</EmptyState>}
      <ul className="inbox-list">
        {items.map((n) => (
          <Item key={n.id} n={n} />
        ))}
      </ul>
      {page?.pageInfo.hasNextPage && (
        <LoadMore
          fetching={fetching}
          onClick={() => {
            setEarlier(items);
            setAfter(page.pageInfo.endCursor);
          }}
        />
      )}
    </section>
  );
}
