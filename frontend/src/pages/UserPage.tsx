import { useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useClient, useQuery } from "urql";
import { DeleteAccountMutation, UpdateProfileMutation, UserCommentsQuery, UserPostsQuery, UserQuery, UserRewardsQuery, UserTipsQuery } from "../ops";
import { Avatar, EmptyState, ErrorNote, FormActions, LoadMore, ServerHtml, Spinner, TextField, Time, UserLink } from "../components/bits";
import { PageItems, Paged, type PageArgs } from "../components/Paged";
import { PostCard } from "../components/PostCard";
import { toAppError, type AppError } from "../lib/errors";
import { displayName, fullDate, plural, pointsOf, shortAddress } from "../lib/format";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";
import { NotFoundPage } from "./NotFoundPage";
import { useTitle } from "../lib/title";
import { TxLink } from "../components/ChainClock";
import { HoldingsCard } from "../components/Holdings";

export function UserPage() {
  const { address = "" } = useParams();
  const [params] = useSearchParams();
  const asked = params.get("tab");
  const tab = asked === "comments" || asked === "rewards" ? asked : "posts";
  // Arrived from a community (a byline there): the profile shows their standing in it too.
  const community = params.get("community");
  const tabSearch = (t: string) => {
    const q = new URLSearchParams();
    if (t !== "posts") q.set("tab", t);
    if (community) q.set("community", community);
    const text = q.toString();
    return text ? `?${text}` : "";
  };
  const { isMe } = useSession();
  const notify = useToast();
  const [editing, setEditing] = useState(false);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: UserQuery, variables: { address } });
  useTitle(data?.user ? displayName(data.user) : null);

  if (!data && fetching) return <Spinner label="Loading profile…" />;
  if (!data && error) return <ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  const user = data?.user;
  if (!user) return <NotFoundPage title="No such user">{null}</NotFoundPage>;
  const me = isMe(user.address);

  return (
    <div className="page with-sidebar">
      <div className="content">
        <header className="profile-head">
          <Avatar user={user} size="large" />
          <div>
            <h1>{displayName(user)}</h1>
            <p className="muted small">
              <span title={user.address}>{shortAddress(user.address)}</span>{" "}
              <button
                type="button"
                className="link-button small"
                onClick={() => navigator.clipboard?.writeText(user.address).then(() => notify("Address copied."))}
              >
                Copy address
              </button>
            </p>
          </div>
        </header>
        <nav className="tabs" aria-label="Profile sections">
          <Link className="tab" to={{ search: tabSearch("posts") }} aria-current={tab === "posts" ? "page" : undefined} replace>
            Posts
          </Link>
          <Link className="tab" to={{ search: tabSearch("comments") }} aria-current={tab === "comments" ? "page" : undefined} replace>
            Comments
          </Link>
          <Link className="tab" to={{ search: tabSearch("rewards") }} aria-current={tab === "rewards" ? "page" : undefined} replace>
            Rewards
          </Link>
        </nav>
        <div className="post-list">
          {tab === "posts" ? (
            <Paged resetKey={`p:${address}`} page={(p) => <PostsChunk address={address} {...p} />} />
          ) : tab === "rewards" ? (
            <ul className="plain-list user-rewards" role="list">
              <Paged resetKey={`r:${address}`} page={(p) => <RewardsChunk address={address} {...p} />} />
            </ul>
          ) : (
            <ul className="plain-list user-comments" role="list">
              <Paged resetKey={`c:${address}`} page={(p) => <CommentsChunk address={address} {...p} />} />
            </ul>
          )}
        </div>
      </div>
      <aside className="sidebar" aria-label="Profile">
        <section className="card">
          <h2 className="card-title">{displayName(user)}</h2>
          {user.bio && <p className="bio">{user.bio}</p>}
          <dl className="stats">
            <div>
              <dt title="Upvotes minus downvotes on their posts and comments">Forum karma</dt>
              <dd data-testid="karma">{user.karma}</dd>
            </div>
            <div>
              <dt>Post karma</dt>
              <dd>{user.postKarma}</dd>
            </div>
            <div>
              <dt>Comment karma</dt>
              <dd>{user.commentKarma}</dd>
            </div>
          </dl>
          <p className="muted small">
            Karma counts the forum's votes on what they wrote; it is not points and carries no vote.
          </p>
          <p className="muted small">Joined {fullDate(user.createdAt)}</p>
          {me && !editing && (
            <button type="button" className="button ghost block" onClick={() => setEditing(true)}>
              Edit profile
            </button>
          )}
          {me && editing && <EditProfile initial={{ displayName: user.displayName ?? "", bio: user.bio ?? "" }} onDone={() => setEditing(false)} />}
        </section>
        <HoldingsCard address={user.address} first={community} />
        {me && <YourData address={user.address} />}
        <TipsReceived address={user.address} />
      </aside>
    </div>
  );
}

/** Diaspora's "own your data": the export as a download, and deleting the account, which asks
 * for the address typed out (any letter case) so that no stray click deletes anything. */
function YourData({ address }: { address: string }) {
  const client = useClient();
  const navigate = useNavigate();
  const { forgetSession } = useSession();
  const notify = useToast();
  const [deleting, setDeleting] = useState(false);
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section className="card your-data" aria-labelledby="your-data-title">
      <h2 className="card-title" id="your-data-title">
        Your data
      </h2>
      <p className="small">Everything you wrote, voted and joined, and your rewards, as one JSON file.</p>
      <a className="button ghost block" href="/export" download data-testid="profile-export-link">
        Download your data
      </a>
      {!deleting ? (
        <button type="button" className="button ghost block warn" onClick={() => setDeleting(true)}>
          Delete account…
        </button>
      ) : (
        <form
          className="stack"
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            const res = await client.mutation(DeleteAccountMutation, { confirm: confirm.trim() }).toPromise();
            setBusy(false);
            if (res.error) {
              setError(toAppError(res.error));
              return;
            }
            forgetSession();
            notify("Your account was deleted. Your posts and comments now show as deleted.");
            navigate("/");
          }}
        >
          <p className="small">
            Your posts and comments will show as deleted, your profile will be emptied and you will be signed out everywhere. Rewards and
            on-chain votes stay: they are the community's books. Signing in with this wallet again starts a new account.
          </p>
          <TextField
            id="delete-confirm"
            label="Type your address to confirm"
            placeholder={address}
            autoComplete="off"
            spellCheck={false}
            error={error?.field === "confirm" ? error.message : null}
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
          {error && error.field !== "confirm" && <ErrorNote error={error} />}
          <div className="row end">
            <button type="button" className="button ghost" onClick={() => setDeleting(false)}>
              Cancel
            </button>
            <button type="submit" className="button danger" disabled={busy || confirm.trim().length === 0}>
              Delete my account
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The tips this person received lately: points members paid them for their posts and comments. */
function TipsReceived({ address }: { address: string }) {
  const [{ data }] = useQuery({ query: UserTipsQuery, variables: { address } });
  const edges = data?.user?.tipsReceived.edges ?? [];
  return (
    <section className="card" aria-labelledby="tips-title" data-testid="tips-received">
      <h2 className="card-title" id="tips-title">
        Tips received
      </h2>
      {edges.length === 0 ? (
        <p className="muted small">No tips yet.</p>
      ) : (
        <ul className="plain-list" role="list">
          {edges.map(({ node }) => (
            <li key={node.txHash}>
              ◆ {pointsOf(node.amount, node.community)} in c/{node.community} from <UserLink user={node.tipper} community={node.community} />{" "}
              <Time iso={node.createdAt} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function EditProfile({ initial, onDone }: { initial: { displayName: string; bio: string }; onDone: () => void }) {
  const client = useClient();
  const { refreshViewer } = useSession();
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="stack"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const res = await client.mutation(UpdateProfileMutation, { input: { displayName: form.displayName.trim(), bio: form.bio } }).toPromise();
        setBusy(false);
        if (res.error) {
          setError(toAppError(res.error));
          return;
        }
        void refreshViewer();
        onDone();
      }}
    >
      <TextField
        id="profile-name"
        label="Display name"
        error={error?.field === "displayName" ? error.message : null}
        value={form.displayName}
        maxLength={40}
        onChange={(e) => setForm({ ...form, displayName: e.target.value })}
      />
      <div className="field">
        <label htmlFor="profile-bio">About you</label>
        <textarea id="profile-bio" rows={3} value={form.bio} maxLength={500} onChange={(e) => setForm({ ...form, bio: e.target.value })} />
      </div>
      {error && error.field !== "displayName" && <ErrorNote error={error} />}
      <FormActions busy={busy} onCancel={onDone}>
        Save
      </FormActions>
    </form>
  );
}

function PostsChunk({ address, after, isFirst, isLast, loadMore }: { address: string; after: string | null; isFirst: boolean; isLast: boolean; loadMore: (c: string) => void }) {
  const variables = useMemo(() => ({ address, first: 25, after }), [address, after]);
  const [{ data, fetching, error }] = useQuery({ query: UserPostsQuery, variables });
  if (!data && fetching) return <Spinner />;
  if (!data && error) return <ErrorNote error={toAppError(error)} />;
  const conn = data?.user?.posts;
  if (!conn) return null;
  return (
    <>
      {isFirst && conn.edges.length === 0 && <EmptyState>No posts yet.</EmptyState>}
      {conn.edges.map((e) => (
        <PostCard key={e.node.id} post={e.node} showCommunity />
      ))}
      {isLast && conn.pageInfo.hasNextPage && conn.pageInfo.endCursor && (
        <LoadMore fetching={fetching} onClick={() => loadMore(conn.pageInfo.endCursor!)} />
      )}
    </>
  );
}

function CommentsChunk({ address, ...page }: PageArgs & { address: string }) {
  const variables = useMemo(() => ({ address, first: 25, after: page.after }), [address, page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: UserCommentsQuery, variables });
  return (
    <PageItems
      page={page}
      connection={data?.user?.comments}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading…"
      empty="No comments yet."
      item={(c) => (
        <li key={c.id} className="card user-comment">
          <p className="meta">
            On <Link to={`/c/${c.post.community.name}/p/${c.post.id}`}>{c.post.title}</Link> in{" "}
            <Link to={`/c/${c.post.community.name}`}>c/{c.post.community.name}</Link> · <Time iso={c.createdAt} /> · score {c.score}
          </p>
          {c.isRemoved ? <p className="muted">[removed]</p> : c.isDeleted ? <p className="muted">[deleted]</p> : <ServerHtml html={c.bodyHtml ?? ""} />}
        </li>
      )}
    />
  );
}

const REWARD_STATUS: Record<string, string> = { PENDING: "pending", SUBMITTED: "being minted", PAID: "paid on-chain" };

/** A member's rewards, per epoch: the amount, its status and transaction, and which items earned it. */
function RewardsChunk({ address, ...page }: PageArgs & { address: string }) {
  const variables = useMemo(() => ({ address, after: page.after }), [address, page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: UserRewardsQuery, variables });
  return (
    <PageItems
      page={page}
      connection={data?.user?.rewards}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading…"
      empty={<>No rewards yet. <Link to="/rewards">How rewards work</Link></>}
      item={(r) => (
        <li key={`${r.community.id}:${r.epoch.number}`} className="card user-reward" data-status={r.status}>
          <p className="meta">
            <strong>{pointsOf(r.amount, r.community.name, 4)}</strong> in <Link to={`/c/${r.community.name}/rewards`}>c/{r.community.name}</Link>, epoch{" "}
            {r.epoch.number} · <Time iso={r.epoch.endsAt} /> ·{" "}
            {r.epoch.status === "IN_REVIEW" && r.epoch.reviewEndsAt ? (
              <>
                in review, minted <Time iso={r.epoch.reviewEndsAt} />
              </>
            ) : (
              REWARD_STATUS[r.status] ?? r.status
            )}
            {r.txHash && (
              <>
                {" "}
                · transaction <TxLink hash={r.txHash} />
              </>
            )}
          </p>
          <ul className="small" role="list">
            {r.items.map((i) => {
              const post = i.post ?? i.comment?.post;
              return (
                <li key={i.post ? `p${i.post.id}` : `c${i.comment?.id}`} className="reward-item" data-voided={i.voided || undefined}>
                  {i.voided ? <s>{pointsOf(i.amount, r.community.name, 4)}</s> : pointsOf(i.amount, r.community.name, 4)}
                  {i.voided && " (voided in review: back to the pool)"} for {i.post ? "the post" : "a comment on"}{" "}
                  {post ? <Link to={`/c/${r.community.name}/p/${post.id}`}>{post.title}</Link> : "content no longer shown"}, from{" "}
                  {plural(i.votes, "eligible vote")} (score {i.score})
                </li>
              );
            })}
          </ul>
        </li>
      )}
    />
  );
}
