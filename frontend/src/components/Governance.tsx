// Pieces of the Governance tab and the proposal page: a proposal's summary, its tallies and
// quorum, the member's standing with the Delegate form, and the wait for the chain to count.
import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { useQuery, useSubscription } from "urql";
import { GovernanceQuery, IndexerQuery, ProposalUpdatedSubscription, StandingQuery, type ProposalSummary } from "../ops";
import type { ResultOf } from "../graphql";
import { toAppError, type AppError } from "../lib/errors";
import { displayName, fullDate, shortAddress, tokens } from "../lib/format";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";
import { CancelButton, ErrorNote, ServerHtml, UserLink } from "./bits";
import { ChainTime, countdown, useChainNow } from "./ChainClock";
import { StandingFigures } from "./Holdings";

export const STATE_LABEL: Record<string, string> = {
  PENDING: "Pending",
  ACTIVE: "Voting",
  CANCELED: "Canceled",
  DEFEATED: "Defeated",
  SUCCEEDED: "Succeeded",
  QUEUED: "Queued",
  EXPIRED: "Expired",
  EXECUTED: "Executed",
};

export const SUPPORT_LABEL: Record<string, string> = { FOR: "For", AGAINST: "Against", ABSTAIN: "Abstain" };

/** "Elect 0x12…ab moderator": what a proposal does, in a line. */
export function proposalTitle(p: Pick<ProposalSummary, "kind" | "candidate">): string {
  const who = p.candidate ? displayName(p.candidate) : "someone";
  if (p.kind === "ELECT_MODERATOR") return `Elect ${who} moderator`;
  if (p.kind === "IMPEACH_MODERATOR") return `Impeach moderator ${who}`;
  return "Other proposal";
}

const KIND_LABEL: Record<string, string> = { ELECT_MODERATOR: "Election", IMPEACH_MODERATOR: "Impeachment", OTHER: "Other" };

function percent(part: bigint, whole: bigint): number {
  if (whole <= 0n) return 0;
  return Number((part * 1000n) / whole) / 10;
}

/** Whether a proposal's votes reached its quorum (for and abstain count towards it). */
function quorumReached(p: ProposalSummary): boolean {
  return BigInt(p.forVotes) + BigInt(p.abstainVotes) >= BigInt(p.quorum);
}

/** When voting opens or ends (against the chain's clock), or how the proposal ended. */
function Timing({ proposal: p }: { proposal: ProposalSummary }) {
  switch (p.state) {
    case "PENDING":
      return <ChainTime iso={p.voteStart} prefix="Voting opens " />;
    case "ACTIVE":
      return <ChainTime iso={p.voteEnd} prefix="Voting ends " />;
    case "SUCCEEDED":
      return <>Passed: ready to execute</>;
    case "DEFEATED":
      return <>{quorumReached(p) ? "Defeated: it needed more votes for than against" : "Defeated: it did not reach its quorum"}</>;
    case "EXECUTED":
      return <>Passed and carried out</>;
    case "CANCELED":
      return <>Withdrawn by the proposer</>;
    default:
      return <>{STATE_LABEL[p.state] ?? p.state}</>;
  }
}

/** For / against / abstain and the quorum (for and abstain count towards it). */
export function Tally({ proposal: p, symbol }: { proposal: ProposalSummary; symbol: string }) {
  const f = BigInt(p.forVotes);
  const a = BigInt(p.againstVotes);
  const ab = BigInt(p.abstainVotes);
  const total = f + a + ab;
  const quorum = BigInt(p.quorum);
  const counted = f + ab;
  const quorumShare = quorum > 0n ? Math.min(100, percent(counted, quorum)) : 100;
  const rows = [
    { key: "for", label: "For", v: f },
    { key: "against", label: "Against", v: a },
    { key: "abstain", label: "Abstain", v: ab },
  ];
  return (
    <div className="tally">
      <dl className="tally-counts">
        {rows.map((r) => (
          <div key={r.key} className={`tally-${r.key}`} data-testid={`tally-${r.key}`}>
            <dt>{r.label}</dt>
            <dd>
              {tokens(r.v.toString(), 2)} {symbol}
              <span className="muted small"> ({percent(r.v, total)}%)</span>
            </dd>
          </div>
        ))}
      </dl>
      <div className="tally-bar" aria-hidden="true">
        {rows.map((r) => (
          <span key={r.key} className={`tally-${r.key}`} style={{ width: `${percent(r.v, total)}%` }} />
        ))}
      </div>
      <label className="quorum small" data-reached={counted >= quorum ? "true" : "false"}>
        <span data-testid="quorum">
          {counted >= quorum ? (
            <>
              <span aria-hidden="true">✓ </span>Quorum reached: {tokens(counted.toString(), 2)} {symbol} counted, {tokens(p.quorum, 2)} needed
            </>
          ) : (
            <>
              Quorum: {tokens(counted.toString(), 2)} of {tokens(p.quorum, 2)} {symbol} needed
            </>
          )}
        </span>
        <progress max={100} value={quorumShare}>
          {quorumShare}%
        </progress>
      </label>
    </div>
  );
}

/** One proposal in the Governance tab (and the head of its own page). */
export function ProposalSummaryView({ proposal: p, community, symbol, heading = "h3" }: { proposal: ProposalSummary; community: string; symbol: string; heading?: "h1" | "h3" }) {
  const H = heading;
  const title = proposalTitle(p);
  return (
    <>
      <p className="meta">
        <span className={`state-badge state-${p.state.toLowerCase()}`} data-testid="state">
          {STATE_LABEL[p.state] ?? p.state}
        </span>
        <span aria-hidden="true"> · </span>
        <span>{KIND_LABEL[p.kind] ?? p.kind}</span>
        <span aria-hidden="true"> · </span>
        <span>
          proposed by <UserLink user={p.proposer} community={community} />
        </span>
      </p>
      <H className="proposal-title">
        {heading === "h3" ? <Link to={`/c/${community}/governance/${encodeURIComponent(p.id)}`}>{title}</Link> : title}
      </H>
      {p.candidate && (
        <p className="small">
          {p.kind === "IMPEACH_MODERATOR" ? "Moderator" : "Candidate"}: <UserLink user={p.candidate} community={community} />
          {p.candidate.displayName?.trim() && (
            <>
              {" "}
              <code className="muted" title={p.candidate.address}>
                {shortAddress(p.candidate.address)}
              </code>
            </>
          )}
        </p>
      )}
      <ServerHtml html={p.descriptionHtml} />
      <Tally proposal={p} symbol={symbol} />
      <p className="small muted" data-testid="timing">
        <span title={`Voting ${fullDate(p.voteStart)} to ${fullDate(p.voteEnd)}`}>
          <Timing proposal={p} />
        </span>
        {p.viewerVote && (
          <>
            {" "}
            · <strong>You voted {SUPPORT_LABEL[p.viewerVote.support]?.toLowerCase()}</strong>
          </>
        )}
      </p>
    </>
  );
}

/** The chain id the indexer follows (null until known): a wallet on another chain is refused. */
export function useChainId(): number | null {
  const [{ data }] = useQuery({ query: IndexerQuery });
  return data?.indexer.chainId ?? null;
}

/** More blocks than this behind the chain's head and the forum says the mirror is behind. */
export const MIRROR_BEHIND_BLOCKS = 5;

/**
 * A notice while the indexer is behind the chain (stopped, or catching up): what the chain
 * decided lately (votes, elections, new communities) is not shown yet. The API measures the lag
 * against the node's head now; read again every 15 s while the tab is visible.
 */
export function MirrorBehind() {
  const [{ data }, reexecute] = useQuery({ query: IndexerQuery });
  const readRef = useRef(reexecute);
  readRef.current = reexecute;
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!document.hidden) readRef.current({ requestPolicy: "network-only" });
    }, 15_000);
    return () => window.clearInterval(timer);
  }, []);
  const lag = data?.indexer.lagBlocks ?? 0;
  if (lag <= MIRROR_BEHIND_BLOCKS) return null;
  return (
    <p className="banner-warning" role="status" data-testid="mirror-behind">
      The forum's copy of the chain is {lag} blocks behind: recent votes, elections and other
      on-chain changes may not show yet.
    </p>
  );
}

/**
 * After a wallet transaction: asks again every two seconds, for two minutes, until `done` (what
 * the transaction changes has been indexed), so the page shows the chain's answer by itself.
 */
export function useAwaitChain(refresh: () => void): { waiting: string | null; wait: (what: string, done: () => boolean) => void } {
  const [waiting, setWaiting] = useState<string | null>(null);
  const done = useRef<() => boolean>(() => true);
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  useEffect(() => {
    if (!waiting) return;
    const started = Date.now();
    const timer = window.setInterval(() => {
      if (done.current() || Date.now() - started > 120_000) {
        setWaiting(null);
        return;
      }
      refreshRef.current();
    }, 2000);
    return () => window.clearInterval(timer);
  }, [waiting]);
  return {
    waiting,
    wait: (what, isDone) => {
      done.current = isDone;
      setWaiting(what);
    },
  };
}

export function Pending({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p className="pending-note small" role="status">
      <span className="spinner" aria-hidden="true" />
      {text}
    </p>
  );
}

/**
 * The signed-in member's points and voting power here, whom they delegate to, and the Delegate
 * form (to themselves, or to another member's address): a wallet transaction to the token. The
 * community's one place for them: its sidebar, on every tab.
 */
export function Standing({ community, token, symbol }: { community: string; token: string; symbol: string }) {
  const { viewer } = useSession();
  const notify = useToast();
  const chainId = useChainId();
  const id = useId();
  const address = viewer?.user.address ?? "";
  const [{ data, error }, reexecute] = useQuery({ query: StandingQuery, variables: { address, community }, pause: !viewer, requestPolicy: "cache-and-network" });
  const [to, setTo] = useState("");
  // Delegating to someone else moves every vote: asked once more, in the page (not a dialog).
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AppError | null>(null);
  const standing = data?.user;
  const { waiting, wait } = useAwaitChain(() => reexecute({ requestPolicy: "network-only" }));
  const latest = useRef(standing);
  latest.current = standing;

  if (!viewer) return null;

  async function delegateTo(delegatee: string) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(delegatee)) {
      setProblem({ code: "BAD_USER_INPUT", field: "delegatee", message: "Enter a full account address (0x followed by 40 characters)." });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const chain = await import("../lib/chain");
      const tx = await chain.delegate({ address, chainId }, token, delegatee);
      notify(`Delegation sent (transaction ${tx.slice(0, 10)}…).`);
      setTo("");
      wait("Waiting for the chain to count your delegation…", () => latest.current?.delegate?.address.toLowerCase() === delegatee.toLowerCase());
    } catch (err) {
      setProblem(toAppError(err));
    } finally {
      setBusy(false);
    }
  }

  const delegate = standing?.delegate;
  const self = delegate && delegate.address.toLowerCase() === address.toLowerCase();
  const noPoints = !!standing && BigInt(standing.points) === 0n;

  function askToDelegate(delegatee: string) {
    if (delegatee.toLowerCase() !== address.toLowerCase() && standing && !noPoints && /^0x[0-9a-fA-F]{40}$/.test(delegatee)) {
      setConfirming(delegatee);
      return;
    }
    void delegateTo(delegatee);
  }
  return (
    <section className="card standing" aria-labelledby={`${id}-title`}>
      <h3 className="card-title" id={`${id}-title`}>
        Your say in c/{community}
      </h3>
      {error && !data && <ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      {standing && (
        <StandingFigures
          points={standing.points}
          votingPower={standing.votingPower}
          delegate={standing.delegate}
          address={address}
          symbol={symbol}
          community={community}
          yours
        />
      )}
      {noPoints ? (
        <p className="cannot small" data-testid="no-points">
          You have no {symbol} here yet, so you have no votes to delegate. Earn points by posting and commenting in c/{community}{" "}
          (<Link to="/rewards">how</Link>).
        </p>
      ) : (
        <div className="row">
          {!self && (
            <button type="button" className="button primary" disabled={busy || !!waiting} onClick={() => delegateTo(address)}>
              Delegate to myself
            </button>
          )}
        </div>
      )}
      {confirming && (
        <ConfirmDelegateAll
          points={standing?.points ?? "0"}
          symbol={symbol}
          name={shortAddress(confirming)}
          onConfirm={() => {
            const delegatee = confirming;
            setConfirming(null);
            void delegateTo(delegatee);
          }}
          onCancel={() => setConfirming(null)}
        />
      )}
      {!noPoints && (
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          askToDelegate(to.trim());
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-to`}>Or delegate to another member's address</label>
          <div className="row">
            <input
              id={`${id}-to`}
              className="grow"
              value={to}
              placeholder="0x…"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={problem?.field === "delegatee" ? true : undefined}
              onChange={(e) => setTo(e.target.value)}
            />
            <button type="submit" className="button ghost" disabled={busy || !!waiting}>
              Delegate
            </button>
          </div>
        </div>
      </form>
      )}
      <ErrorNote error={problem} />
      <Pending text={waiting} />
    </section>
  );
}

/** Delegating to someone else moves every vote at once: said plainly, and asked once more. */
export function ConfirmDelegateAll({
  points,
  symbol,
  name,
  onConfirm,
  onCancel,
}: {
  points: string;
  symbol: string;
  name: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div className="cannot stack" role="alertdialog" aria-label="Delegate all your votes?" data-testid="confirm-delegate">
      <p className="small">
        All your {tokens(points, 2)} {symbol} will vote as {name} decides, on every proposal opening from now on, until you
        delegate again. You keep your points.
      </p>
      <div className="row">
        <button type="button" className="button primary" onClick={onConfirm}>
          Delegate all my votes
        </button>
        <CancelButton onCancel={onCancel} />
      </div>
    </div>
  );
}

export type ProposalUpdate = ResultOf<typeof ProposalUpdatedSubscription>["proposalUpdated"];

/**
 * The community's proposals as the indexer sees them change (proposalUpdated), by id: their
 * tallies and state overlay what the page loaded.
 */
export function useLiveProposals(community: string, onUpdate?: (u: ProposalUpdate) => void): ReadonlyMap<string, ProposalUpdate> {
  const [updates, setUpdates] = useState<ReadonlyMap<string, ProposalUpdate>>(new Map());
  const handler = useRef(onUpdate);
  handler.current = onUpdate;
  useSubscription({ query: ProposalUpdatedSubscription, variables: { community } }, (_prev, data) => {
    const u = data.proposalUpdated;
    setUpdates((m) => new Map(m).set(u.id, u));
    handler.current?.(u);
    return data;
  });
  return updates;
}

export function withLive<P extends ProposalSummary>(p: P, live: ReadonlyMap<string, ProposalUpdate>): P {
  const u = live.get(p.id);
  return u ? { ...p, state: u.state, forVotes: u.forVotes, againstVotes: u.againstVotes, abstainVotes: u.abstainVotes, quorum: u.quorum, executedTx: u.executedTx } : p;
}

/**
 * Runs `read` twice, 2.5 s and 5 s from now: the API shares an answer among readers for 2 s,
 * then serves it once more while it computes the next, so the first read after a change may
 * still be the older answer; the second is the newer one.
 */
export function afterSharedAnswers(read: () => void) {
  window.setTimeout(read, 2500);
  window.setTimeout(read, 5000);
}

/**
 * While a proposal is open for votes, a banner on the community's pages: "Election of …: 2 days
 * left — vote", told against the chain's clock.
 */
export function ActiveVoteBanner({ community, named = false }: { community: string; named?: boolean }) {
  const [{ data }] = useQuery({ query: GovernanceQuery, variables: { community, state: "ACTIVE", after: null } });
  const now = useChainNow(1000);
  const active = data?.community?.governance?.proposals.edges.map((e) => e.node) ?? [];
  if (active.length === 0 || now === null) return null;
  const p = active[active.length - 1]; // the oldest open one closes first
  const who = p.candidate ? displayName(p.candidate) : "someone";
  const what = p.kind === "ELECT_MODERATOR" ? `Election of ${who}` : p.kind === "IMPEACH_MODERATOR" ? `Impeachment of ${who}` : "A proposal";
  return (
    <Link className="active-vote-banner" to={`/c/${community}/governance/${encodeURIComponent(p.id)}`} data-testid="active-vote-banner">
      {named ? `c/${community} · ` : ""}
      {what}: {countdown(p.voteEnd, now)} left — vote
      {active.length > 1 ? ` (and ${active.length - 1} more open)` : ""}
    </Link>
  );
}
