import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useClient, useQuery } from "urql";
import { DelegatesQuery, GovernanceSettingsQuery, SetDelegateStatementMutation, StandingQuery } from "../ops";
import { ErrorNote, ServerHtml, UserLink } from "../components/bits";
import { ConfirmDelegateAll, Pending, afterSharedAnswers, useAwaitChain, useChainId } from "../components/Governance";
import { PageItems, Paged, type PageArgs } from "../components/Paged";
import { PowerSpread } from "../components/Charts";
import { useCommunity } from "./CommunityPage";
import { toAppError, type AppError } from "../lib/errors";
import { displayName, tokens } from "../lib/format";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";
import { useTitle } from "../lib/title";

/** /c/:name/delegates — who the community's votes count through, with "Delegate to …". */
export function DelegatesPage() {
  const community = useCommunity();
  useTitle(`Delegates · c/${community.name}`);
  const { viewer } = useSession();
  const [{ data: settings }] = useQuery({ query: GovernanceSettingsQuery, variables: { community: community.name } });
  const governance = settings?.community?.governance;
  const symbol = governance?.tokenSymbol ?? "points";
  const [{ data: standingData }, reread] = useQuery({
    query: StandingQuery,
    variables: { address: viewer?.user.address ?? "", community: community.name },
    pause: !viewer,
    requestPolicy: "cache-and-network",
  });
  const standing = standingData?.user;
  const [generation, setGeneration] = useState(0);
  const refresh = () => reread({ requestPolicy: "network-only" });
  // Once the chain has the viewer's new delegate, the delegates' powers changed too: read them
  // again, past the answers the API shares for a moment.
  const myDelegate = standing?.delegate?.address ?? null;
  useEffect(() => {
    if (myDelegate) afterSharedAnswers(() => setGeneration((g) => g + 1));
  }, [myDelegate]);
  return (
    <section aria-labelledby="delegates-title" className="governance">
      <h2 id="delegates-title">Delegates</h2>
      <p className="muted">
        Points count as votes through a delegate: yourself, or a member you trust to vote for you. Delegating moves all your
        votes at once and keeps your points; you can take them back any time.
      </p>
      {/* Having no points to delegate is said once, in the sidebar's standing, beside this. */}
      {governance && <Spread community={community.name} governance={governance} generation={generation} />}
      {viewer && governance && <StatementForm community={community.name} onSaved={() => setGeneration((g) => g + 1)} />}
      <ol className="delegate-list" aria-label="Delegates">
        <Paged
          resetKey={community.name}
          page={(p) => (
            <Chunk
              community={community.name}
              symbol={symbol}
              token={governance?.tokenAddress ?? null}
              myPoints={standing ? BigInt(standing.points) : 0n}
              myDelegate={standing?.delegate?.address ?? null}
              onDelegated={refresh}
              generation={generation}
              {...p}
            />
          )}
        />
      </ol>
    </section>
  );
}

/** How the votes are spread, from the first page of delegates (the largest, as listed below). */
function Spread({
  community,
  governance,
  generation,
}: {
  community: string;
  governance: { tokenSymbol: string; totalSupply: string; quorumPercent: number; proposalThreshold: string };
  generation: number;
}) {
  const variables = useMemo(() => ({ community, after: null }), [community]);
  const [{ data }, reexecute] = useQuery({ query: DelegatesQuery, variables });
  useEffect(() => {
    if (generation > 0) reexecute({ requestPolicy: "network-only" });
  }, [generation, reexecute]);
  const holders = (data?.community?.delegates.edges ?? []).map((e) => ({ name: displayName(e.node.user), votingPower: e.node.votingPower }));
  return (
    <PowerSpread
      holders={holders}
      totalSupply={governance.totalSupply}
      quorumPercent={governance.quorumPercent}
      proposalThreshold={governance.proposalThreshold}
      symbol={governance.tokenSymbol}
    />
  );
}

function Chunk({
  community,
  symbol,
  token,
  myPoints,
  myDelegate,
  onDelegated,
  generation,
  ...page
}: PageArgs & {
  community: string;
  symbol: string;
  token: string | null;
  myPoints: bigint;
  myDelegate: string | null;
  onDelegated: () => void;
  generation: number;
}) {
  const variables = useMemo(() => ({ community, after: page.after }), [community, page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: DelegatesQuery, variables });
  // Read again once the viewer's delegation changed the powers (a new generation).
  useEffect(() => {
    if (generation > 0) reexecute({ requestPolicy: "network-only" });
  }, [generation]);
  return (
    <PageItems
      page={page}
      connection={data?.community?.delegates}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading the delegates…"
      empty="Nobody holds votes here yet."
      moreLabel="More delegates"
      item={(d) => (
        <li key={d.user.address} className="card delegate" data-testid="delegate">
          <p>
            <strong>
              <UserLink user={d.user} community={community} />
            </strong>{" "}
            · <span data-testid="delegate-power">{tokens(d.votingPower, 2)} {symbol}</span>
          </p>
          <p className="small muted">
            {d.delegators} delegating · voted {d.votesCast} {d.votesCast === 1 ? "time" : "times"} · participation{" "}
            {Math.round(d.participation * 100)}%
          </p>
          {d.statementHtml && <ServerHtml html={d.statementHtml} />}
          {token && myPoints > 0n && myDelegate?.toLowerCase() !== d.user.address.toLowerCase() && (
            <DelegateButton
              token={token}
              to={d.user.address}
              current={myDelegate}
              name={displayName(d.user)}
              points={myPoints}
              symbol={symbol}
              onDone={onDelegated}
            />
          )}
        </li>
      )}
    />
  );
}

/** "Delegate to …": asks once more (every vote moves), then the viewer's wallet sends it. */
function DelegateButton({
  token,
  to,
  current,
  name,
  points,
  symbol,
  onDone,
}: {
  token: string;
  to: string;
  current: string | null;
  name: string;
  points: bigint;
  symbol: string;
  onDone: () => void;
}) {
  const latest = useRef(current);
  latest.current = current;
  const { viewer } = useSession();
  const chainId = useChainId();
  const notify = useToast();
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<AppError | null>(null);
  const { waiting, wait } = useAwaitChain(onDone);
  const self = viewer?.user.address.toLowerCase() === to.toLowerCase();
  async function send() {
    if (!viewer) return;
    setAsking(false);
    setProblem(null);
    try {
      const chain = await import("../lib/chain");
      const tx = await chain.delegate({ address: viewer.user.address, chainId }, token, to);
      notify(`Delegation sent (transaction ${tx.slice(0, 10)}…).`);
      wait("Waiting for the chain to count your delegation…", () => latest.current?.toLowerCase() === to.toLowerCase());
    } catch (err) {
      setProblem(toAppError(err));
    }
  }
  return (
    <div className="stack">
      {asking ? (
        <ConfirmDelegateAll points={points.toString()} symbol={symbol} name={name} onConfirm={() => void send()} onCancel={() => setAsking(false)} />
      ) : (
        <div className="row">
          <button type="button" className="button ghost" disabled={!!waiting} onClick={() => (self ? void send() : setAsking(true))}>
            {self ? "Delegate to myself" : `Delegate to ${name}`}
          </button>
        </div>
      )}
      <ErrorNote error={problem} />
      <Pending text={waiting} />
    </div>
  );
}

function StatementForm({ community, onSaved }: { community: string; onSaved: () => void }) {
  const id = useId();
  const client = useClient();
  const notify = useToast();
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const res = await client.mutation(SetDelegateStatementMutation, { community, statement: text }).toPromise();
    setBusy(false);
    if (res.error || !res.data) {
      setProblem(toAppError(res.error));
      return;
    }
    notify("Your statement is saved.");
    onSaved();
  }
  return (
    <details className="card">
      <summary>Your delegate statement</summary>
      <form className="stack" onSubmit={save}>
        <div className="field">
          <label htmlFor={`${id}-statement`}>What you stand for, as a delegate (markdown, up to 2,000 characters)</label>
          <textarea id={`${id}-statement`} value={text} maxLength={2000} rows={4} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="row">
          <button type="submit" className="button primary" disabled={busy}>
            Save statement
          </button>
        </div>
        <ErrorNote error={problem} />
      </form>
    </details>
  );
}
