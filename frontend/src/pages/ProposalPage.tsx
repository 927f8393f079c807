import { useEffect, useId, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { useClient, useQuery } from "urql";
import { GovernanceSettingsQuery, ProposalQuery, RelayVoteMutation, type ProposalSummary } from "../ops";
import { ErrorNote, Spinner, UserLink } from "../components/bits";
import { ChainTime, TxLink, countdown, hasCome, useChainNow } from "../components/ChainClock";
import {
  Pending,
  ProposalSummaryView,
  Standing,
  SUPPORT_LABEL,
  proposalTitle,
  afterSharedAnswers,
  useAwaitChain,
  useChainId,
  useLiveProposals,
  withLive,
} from "../components/Governance";
import { PageItems, Paged, type PageArgs } from "../components/Paged";
import { useCommunity } from "./CommunityPage";
import { NotFoundPage } from "./NotFoundPage";
import { toAppError, type AppError } from "../lib/errors";
import { tokens } from "../lib/format";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";
import { useTitle } from "../lib/title";
import type { Calls, Support } from "../lib/chain";
import { wasSentHere } from "../lib/proposals";

/** /c/:name/governance/:proposalId — a proposal, its votes with weights and reasons, and the viewer's vote. */
export function ProposalPage() {
  const { proposalId = "" } = useParams();
  const community = useCommunity();
  const variables = useMemo(() => ({ id: proposalId, after: null }), [proposalId]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ProposalQuery, variables });
  const [{ data: settings }] = useQuery({ query: GovernanceSettingsQuery, variables: { community: community.name } });
  const refresh = () => reexecute({ requestPolicy: "network-only" });
  const live = useLiveProposals(community.name, (update) => {
    // The tallies come with the update; the list of votes is read again.
    if (update.id === proposalId) afterSharedAnswers(refresh);
  });
  const sentHere = useMemo(() => wasSentHere(proposalId), [proposalId]);
  const indexed = !!data?.proposal;
  // A proposal this tab just sent: shown once the indexer has it.
  const waitingForIndex = !!data && !indexed && sentHere;
  useEffect(() => {
    if (!waitingForIndex) return;
    const timer = window.setInterval(refresh, 2000);
    return () => window.clearInterval(timer);
    // Only on the switch: refresh reads the same query whatever render made it.
  }, [waitingForIndex]);
  const proposal = data?.proposal ? withLive(data.proposal, live) : undefined;
  useTitle(proposal ? `${proposalTitle(proposal)} · c/${community.name}` : null);

  if (!data && fetching) return <Spinner label="Loading the proposal…" />;
  if (!data && error) return <ErrorNote error={toAppError(error)} onRetry={refresh} />;
  if (waitingForIndex) return <Pending text="Your proposal is sent. It appears here once the chain has counted it…" />;
  if (!proposal || proposal.community.name !== community.name) return <NotFoundPage title="Proposal not found">{null}</NotFoundPage>;
  const governance = settings?.community?.governance;
  const symbol = governance?.tokenSymbol ?? "points";

  return (
    <>
      <p className="small">
        <Link to={`/c/${community.name}/governance`}>← All proposals</Link>
      </p>
      <article className="card proposal-full" data-state={proposal.state} aria-labelledby="proposal-title">
        <div id="proposal-title">
          <ProposalSummaryView proposal={proposal} community={community.name} symbol={symbol} heading="h1" />
        </div>
        <p className="small muted">
          Proposal {proposal.proposalId.length > 14 ? `${proposal.proposalId.slice(0, 8)}…${proposal.proposalId.slice(-4)}` : proposal.proposalId} ·
          proposed in transaction <TxLink hash={proposal.createdTx} />
          {proposal.executedTx && (
            <>
              {" "}
              · executed in <TxLink hash={proposal.executedTx} />
            </>
          )}
        </p>
        <Timeline steps={proposal.timeline} />
        <ViewerWeight proposal={proposal} symbol={symbol} />
        {governance && <VotePanel proposal={proposal} noPower={proposal.state === "ACTIVE" && proposal.viewerVotingPower === "0"} governor={governance.governorAddress} refresh={refresh} />}
        {governance && proposal.state === "SUCCEEDED" && (
          <ExecutePanel proposal={proposal} governor={governance.governorAddress} refresh={refresh} />
        )}
      </article>
      {governance && <Standing community={community.name} token={governance.tokenAddress} symbol={symbol} />}
      <section aria-labelledby="votes-title" className="proposal-votes">
        <h2 id="votes-title">Votes</h2>
        <ol className="modlog" role="list">
          <Paged resetKey={proposalId} page={(p) => <VotesChunk id={proposalId} symbol={symbol} community={community.name} {...p} />} />
        </ol>
      </section>
    </>
  );
}

function VotesChunk({ id, symbol, community, ...page }: PageArgs & { id: string; symbol: string; community: string }) {
  const variables = useMemo(() => ({ id, after: page.after }), [id, page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ProposalQuery, variables });
  return (
    <PageItems
      page={page}
      connection={data?.proposal?.votes}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading the votes…"
      empty="Nobody has voted yet."
      moreLabel="More votes"
      item={(v) => (
        <li key={v.txHash + v.voter.address} className="modlog-entry proposal-vote" data-support={v.support}>
          <p>
            <UserLink user={v.voter} community={community} /> voted <strong>{SUPPORT_LABEL[v.support]?.toLowerCase()}</strong> with{" "}
            {tokens(v.weight, 2)} {symbol}
            <span className="muted small">
              {" "}
              · <TxLink hash={v.txHash} />
            </span>
          </p>
          {v.reason && <p className="vote-reason">“{v.reason}”</p>}
        </li>
      )}
    />
  );
}

const STEP_LABEL: Record<string, string> = {
  CREATED: "Proposed",
  VOTING_OPENS: "Voting opens",
  VOTING_CLOSES: "Voting closes",
  EXECUTED: "Executed",
  CANCELED: "Canceled",
};
const STEP_DONE_LABEL: Record<string, string> = { VOTING_OPENS: "Voting opened", VOTING_CLOSES: "Voting closed" };

type Step = { kind: string; at: string; done: boolean; txHash: string | null };

/** The proposal's steps against the chain's clock, with a countdown to the next one. */
function Timeline({ steps }: { steps: readonly Step[] }) {
  const now = useChainNow(1000);
  const next = steps.find((s) => !s.done);
  return (
    <section aria-label="Timeline">
      {next && now !== null && (
        <p className="countdown" data-testid="countdown" aria-live="off">
          {hasCome(next.at, now) ? `${STEP_LABEL[next.kind]}: now, as the chain's next block shows` : `${STEP_LABEL[next.kind]} in ${countdown(next.at, now)}`}
        </p>
      )}
      <ol className="timeline" data-testid="timeline">
        {steps.map((s) => (
          <li key={s.kind} data-done={s.done ? "true" : "false"} data-kind={s.kind}>
            <strong>{(s.done && STEP_DONE_LABEL[s.kind]) || STEP_LABEL[s.kind]}</strong> <ChainTime iso={s.at} />
            {s.txHash && (
              <span className="small muted">
                {" "}
                · <TxLink hash={s.txHash} />
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

/**
 * What the viewer's vote weighs on this proposal: their votes at its snapshot (when voting
 * opened), whatever they hold or delegated since; and, when they cannot vote, why.
 */
function ViewerWeight({
  proposal,
  symbol,
}: {
  proposal: ProposalSummary & { viewerVotingPower: string | null; viewerCanVote: boolean };
  symbol: string;
}) {
  const power = proposal.viewerVotingPower;
  if (power === null || proposal.viewerVote) return null;
  const none = BigInt(power) === 0n;
  if (proposal.state === "PENDING")
    return (
      <p className="viewer-weight small" data-testid="viewer-weight">
        Your vote will weigh your voting power when voting opens (<ChainTime iso={proposal.voteStart} />
        ): delegate to yourself before then for your points to count.
      </p>
    );
  if (proposal.state !== "ACTIVE") return null;
  if (none)
    return (
      <p className="cannot small" data-testid="viewer-weight" role="note">
        You can't vote on this one: you had no votes when voting opened (<ChainTime iso={proposal.voteStart} />
        ). Points you earn and delegate to yourself count from the next proposal.
      </p>
    );
  return (
    <p className="viewer-weight" data-testid="viewer-weight">
      Your vote weighs <strong>{tokens(power, 2)} {symbol}</strong>: your voting power when voting opened.
    </p>
  );
}

/** Vote (with a wallet transaction), and execute a proposal that passed. */
function VotePanel({ proposal, noPower, governor, refresh }: { proposal: ProposalSummary; noPower: boolean; governor: string; refresh: () => void }) {
  const { viewer, ensureSignedIn } = useSession();
  const client = useClient();
  const notify = useToast();
  const chainId = useChainId();
  const id = useId();
  const [support, setSupport] = useState<Support>("FOR");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AppError | null>(null);
  const { waiting, wait } = useAwaitChain(refresh);
  const latest = useRef(proposal);
  latest.current = proposal;

  async function voteGasless() {
    if (!(await ensureSignedIn("to vote")) || !viewer) return;
    setBusy(true);
    setProblem(null);
    try {
      const chain = await import("../lib/chain");
      const why = reason.trim();
      const { voter, signature } = await chain.signBallot({ address: viewer.user.address, chainId }, governor, proposal.proposalId, support, why);
      const res = await client
        .mutation(RelayVoteMutation, { proposalId: proposal.proposalId, support, voter, signature, reason: why || null })
        .toPromise();
      if (res.error || !res.data) throw toAppError(res.error);
      const relayed = res.data.relayVote;
      if (relayed.status === "FAILED") {
        throw { code: "CONFLICT", message: `The chain refused your vote: ${relayed.error ?? "no reason given"}. You can vote with a transaction instead.` } satisfies AppError;
      }
      notify(relayed.txHash ? `Vote signed and sent for you (transaction ${relayed.txHash.slice(0, 10)}…).` : "Vote signed; it is being sent for you.");
      wait("Waiting for the chain to count your vote…", () => !!latest.current.viewerVote);
    } catch (err) {
      setProblem(toAppError(err));
    } finally {
      setBusy(false);
    }
  }

  async function voteByWallet() {
    if (!(await ensureSignedIn("to vote")) || !viewer) return;
    setBusy(true);
    setProblem(null);
    try {
      const chain = await import("../lib/chain");
      const tx = await chain.castVote({ address: viewer.user.address, chainId }, governor, proposal.proposalId, support, reason.trim());
      notify(`Vote sent (transaction ${tx.slice(0, 10)}…).`);
      wait("Waiting for the chain to count your vote…", () => !!latest.current.viewerVote);
    } catch (err) {
      setProblem(toAppError(err));
    } finally {
      setBusy(false);
    }
  }

  if (proposal.viewerVote) {
    const v = proposal.viewerVote;
    return (
      <p className="your-vote" data-testid="your-vote">
        You voted <strong>{SUPPORT_LABEL[v.support]?.toLowerCase()}</strong> with {tokens(v.weight, 2)} votes
        {v.reason ? <>: “{v.reason}”</> : "."}
      </p>
    );
  }
  if (proposal.state !== "ACTIVE") return <Pending text={waiting} />;
  // Signed in without votes at the snapshot: ViewerWeight says why; no form to fill in vain.
  if (viewer && noPower && !waiting) return null;
  return (
    <form
      className="stack vote-form"
      aria-labelledby={`${id}-legend`}
      onSubmit={(e) => {
        e.preventDefault();
        void voteByWallet();
      }}
    >
      <fieldset className="segmented" aria-describedby={`${id}-hint`}>
        <legend id={`${id}-legend`} className="visually-hidden">
          Your vote
        </legend>
        {(["FOR", "AGAINST", "ABSTAIN"] as const).map((s) => (
          <label key={s} className={support === s ? "active" : ""}>
            <input type="radio" name={`${id}-support`} value={s} checked={support === s} onChange={() => setSupport(s)} />
            {SUPPORT_LABEL[s]}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason for your vote (optional, public)</label>
        <input id={`${id}-reason`} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
      </div>
      <p className="hint small" id={`${id}-hint`}>
        Your vote weighs your voting power at the moment voting opened (<ChainTime iso={proposal.voteStart} />
        ). Voting without gas only asks your wallet for a signature: Agora sends it for you.
      </p>
      <div className="row">
        <button type="button" className="button primary" disabled={busy || !!waiting} onClick={() => void voteGasless()}>
          Vote without gas
        </button>
        <button type="submit" className="button ghost" disabled={busy || !!waiting}>
          Vote with a transaction
        </button>
      </div>
      <ErrorNote error={problem} />
      <Pending text={waiting} />
    </form>
  );
}

/** A passed proposal's calls (as the API mirrored them), carried out by anyone's wallet (`execute`). */
function ExecutePanel({
  proposal,
  governor,
  refresh,
}: {
  proposal: ProposalSummary & Calls & { descriptionHash: string };
  governor: string;
  refresh: () => void;
}) {
  const { viewer, ensureSignedIn } = useSession();
  const notify = useToast();
  const chainId = useChainId();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AppError | null>(null);
  const { waiting, wait } = useAwaitChain(refresh);
  const latest = useRef(proposal);
  latest.current = proposal;
  async function run() {
    if (!(await ensureSignedIn("to carry out the proposal")) || !viewer) return;
    setBusy(true);
    setProblem(null);
    try {
      const chain = await import("../lib/chain");
      const tx = await chain.execute({ address: viewer.user.address, chainId }, governor, proposal, proposal.descriptionHash);
      notify(`Execution sent (transaction ${tx.slice(0, 10)}…).`);
      wait("Waiting for the chain to carry it out…", () => latest.current.state === "EXECUTED");
    } catch (err) {
      setProblem(toAppError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      <div className="row">
        <button type="button" className="button primary" disabled={busy || !!waiting} onClick={() => void run()}>
          Execute
        </button>
        <span className="small muted">The proposal passed: anyone may carry it out on-chain (your wallet pays the gas).</span>
      </div>
      <ErrorNote error={problem} />
      <Pending text={waiting} />
    </div>
  );
}
