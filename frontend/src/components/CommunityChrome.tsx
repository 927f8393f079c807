import { useId, useState } from "react";
import { Link, NavLink } from "react-router";
import { useClient } from "urql";
import { BAN_TYPES, BanUserMutation, UnbanUserMutation, type Community } from "../ops";
import { toAppError, type AppError } from "../lib/errors";
import { fullDate, plural, shortAddress, tokenSymbol } from "../lib/format";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";
import { ErrorNote, ServerHtml, UserLink } from "./bits";
import { JoinButton } from "./JoinButton";
import { CommunityBlockButton } from "./BlockButton";
import { AddressLink } from "./ChainClock";
import { Standing } from "./Governance";

/**
 * What a community being set up on-chain says, the same in the creator's toast and its
 * sidebar: until the indexer has mirrored the chain's creation nobody moderates it yet.
 */
export function settingUpText(name: string, creatorIsYou: boolean): string {
  const who = creatorIsYou ? "you become its moderator" : "its creator becomes its moderator";
  return `c/${name} is being set up on the chain: ${who}, with the moderator tools, once that's done (usually a few seconds).`;
}

/**
 * Whether the viewer moderates the community as its page shows it: as the API says and as its
 * list of moderators says, so that the tools never show beside a list without them (the list
 * and the viewer's standing can come from answers a moment apart).
 */
export function useShownModerator(community: Community): boolean {
  const { isMe } = useSession();
  return community.viewerIsModerator && community.moderators.some((m) => isMe(m.address));
}

/** Title band and section tabs of a community. */
export function CommunityHeader({ community }: { community: Community }) {
  const base = `/c/${community.name}`;
  const moderating = useShownModerator(community);
  const tabs = [
    { to: base, label: "Posts", end: true },
    { to: `${base}/modlog`, label: "Moderation log", end: false },
    { to: `${base}/governance`, label: "Governance", end: false },
    { to: `${base}/delegates`, label: "Delegates", end: false },
    { to: `${base}/rewards`, label: "Rewards", end: false },
    ...(moderating
      ? [
          { to: `${base}/reports`, label: "Reports", end: false },
          { to: `${base}/banned`, label: "Banned", end: false },
        ]
      : []),
  ];
  return (
    <header className="community-header">
      <div className="community-header-row">
        <div className="community-avatar" aria-hidden="true">
          {community.name.slice(0, 1).toUpperCase()}
        </div>
        <div className="community-titles">
          <h1>{community.title}</h1>
          <p className="muted">c/{community.name}</p>
        </div>
        <div className="community-header-actions">
          <Link className="button ghost" to={`/submit?community=${encodeURIComponent(community.name)}`}>
            Create post
          </Link>
          <JoinButton name={community.name} isMember={community.viewerIsMember} />
        </div>
      </div>
      {community.viewerIsBanned && (
        <p className="banner-warning" role="note">
          You're banned from c/{community.name}, so you can't post, comment or vote here.
        </p>
      )}
      <nav className="tabs section-tabs" aria-label={`c/${community.name} sections`}>
        {tabs.map((t) => (
          <NavLink key={t.to} to={t.to} end={t.end} className="tab">
            {t.label}
          </NavLink>
        ))}
      </nav>
    </header>
  );
}

const CHAIN_STATUS: Record<string, string> = {
  PENDING: "Being set up",
  CONFIRMED: "Active",
  FAILED: "Setup failed — the team has been told",
};

/** About, rules, moderators and (tucked away) the community's on-chain details. */
export function CommunitySidebar({ community }: { community: Community }) {
  const { isMe } = useSession();
  const moderating = useShownModerator(community);
  const token = community.chain.status === "CONFIRMED" ? community.chain.tokenAddress : null;
  return (
    <aside className="sidebar" aria-label={`About c/${community.name}`}>
      <section className="card">
        <h2 className="card-title">About c/{community.name}</h2>
        {community.descriptionHtml ? <ServerHtml html={community.descriptionHtml} /> : <p className="muted">No description yet.</p>}
        <dl className="stats">
          <div>
            <dt>Members</dt>
            <dd>{plural(community.memberCount, "member")}</dd>
          </div>
          <div>
            <dt>Posts</dt>
            <dd>{plural(community.postCount, "post")}</dd>
          </div>
        </dl>
        <p className="muted small">Created {fullDate(community.createdAt)}</p>
        <Link className="button primary block" to={`/submit?community=${encodeURIComponent(community.name)}`}>
          Create post
        </Link>
        <CommunityBlockButton name={community.name} />
      </section>

      {community.rules.length > 0 && (
        <section className="card">
          <h2 className="card-title">Rules</h2>
          <ol className="rules">
            {community.rules.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ol>
        </section>
      )}

      <section className="card">
        <h2 className="card-title">Moderators</h2>
        {community.moderators.length === 0 && community.chain?.status === "PENDING" && (
          <p className="pending-note small" role="status" data-testid="setting-up">
            <span className="spinner" aria-hidden="true" />
            {settingUpText(community.name, isMe(community.creator.address))}
          </p>
        )}
        <ul className="plain-list">
          {community.moderators.map((m) => (
            <li key={m.id}>
              <UserLink user={m} community={community.name} />
            </li>
          ))}
        </ul>
        <Link to={`/c/${community.name}/modlog`} className="small">
          Public moderation log
        </Link>
      </section>

      {token && <Standing community={community.name} token={token} symbol={tokenSymbol(community.name)} />}

      {moderating && <ModTools community={community.name} />}

      {community.chain && (
        <section className="card">
          <details className="chain">
            <summary>Community voting</summary>
            <p className="small muted">
              This community's decisions are recorded on a public blockchain, so anyone can check them.
            </p>
            <dl className="kv">
              <dt>Status</dt>
              <dd data-testid="chain-status">{CHAIN_STATUS[community.chain.status] ?? community.chain.status}</dd>
              <dt>Community ID</dt>
              <dd>
                <code title={community.chain.communityId}>{shortAddress(community.chain.communityId)}</code>
              </dd>
              {community.chain.tokenAddress && (
                <>
                  <dt>Token contract</dt>
                  <dd>
                    <AddressLink address={community.chain.tokenAddress}>
                      <code title={community.chain.tokenAddress}>{shortAddress(community.chain.tokenAddress)}</code>
                    </AddressLink>
                  </dd>
                </>
              )}
              {community.chain.governorAddress && (
                <>
                  <dt>Governor contract</dt>
                  <dd>
                    <AddressLink address={community.chain.governorAddress}>
                      <code title={community.chain.governorAddress}>{shortAddress(community.chain.governorAddress)}</code>
                    </AddressLink>
                  </dd>
                </>
              )}
            </dl>
          </details>
        </section>
      )}
    </aside>
  );
}

/** Moderators: ban or unban by address, and the way to the reports and the list of bans. */
function ModTools({ community }: { community: string }) {
  const id = useId();
  const client = useClient();
  const notify = useToast();
  const { isMe } = useSession();
  const [address, setAddress] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  async function act(kind: "ban" | "unban") {
    const a = address.trim();
    if (!/^0x[0-9a-fA-F]{40}$/.test(a)) {
      setError({ code: "BAD_USER_INPUT", field: "address", message: "Enter a full account address (0x followed by 40 characters)." });
      return;
    }
    if (isMe(a)) {
      setError({ code: "BAD_USER_INPUT", field: "address", message: "You can't ban yourself." });
      return;
    }
    setBusy(true);
    setError(null);
    const res =
      kind === "ban"
        ? await client.mutation(BanUserMutation, { input: { community, address: a, reason: reason.trim() || null } }).toPromise()
        : await client.mutation(UnbanUserMutation, { community, address: a }, BAN_TYPES).toPromise();
    setBusy(false);
    if (res.error) {
      setError(toAppError(res.error));
      return;
    }
    notify(kind === "ban" ? `${shortAddress(a)} is banned from c/${community}.` : `${shortAddress(a)} is no longer banned.`);
    setAddress("");
    setReason("");
  }

  return (
    <section className="card">
      <h2 className="card-title">Moderator tools</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void act("ban");
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-a`}>Member's account address</label>
          <input
            id={`${id}-a`}
            value={address}
            placeholder="0x…"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={error?.field === "address" ? true : undefined}
            onChange={(e) => setAddress(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-r`}>Reason (optional, public)</label>
          <input id={`${id}-r`} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <ErrorNote error={error} />
        <div className="row">
          <button type="submit" className="button danger" disabled={busy}>
            Ban
          </button>
          <button type="button" className="button ghost" disabled={busy} onClick={() => act("unban")}>
            Unban
          </button>
        </div>
      </form>
      <p className="small row">
        <Link to={`/c/${community}/reports`}>Open reports</Link>
        <Link to={`/c/${community}/banned`}>Banned people</Link>
      </p>
    </section>
  );
}
