import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { GovernanceQuery } from "../ops";
import { ProposalSummaryView, afterSharedAnswers, useLiveProposals, withLive, type ProposalUpdate } from "../components/Governance";
import { PageItems, Paged, type PageArgs } from "../components/Paged";
import { ProposeForm } from "../components/ProposeForm";
import { QueryTabs } from "../components/QueryTabs";
import { useCommunity } from "./CommunityPage";
import { useSession } from "../lib/session";
import { useTitle } from "../lib/title";
import { tokens } from "../lib/format";

type StateFilter = "PENDING" | "ACTIVE" | "SUCCEEDED" | "DEFEATED" | "EXECUTED" | "CANCELED";

// The tabs by state, each with what its empty list says.
const FILTERS: { key: string; label: string; state: StateFilter | null; empty: string }[] = [
  { key: "", label: "All", state: null, empty: "No proposals yet." },
  { key: "active", label: "Active", state: "ACTIVE", empty: "No proposal is open for votes." },
  { key: "pending", label: "Pending", state: "PENDING", empty: "No proposal is waiting for its vote to open." },
  { key: "succeeded", label: "Succeeded", state: "SUCCEEDED", empty: "No proposal is waiting to be carried out." },
  { key: "defeated", label: "Defeated", state: "DEFEATED", empty: "No proposal was rejected." },
  { key: "executed", label: "Executed", state: "EXECUTED", empty: "No proposal was carried out yet." },
  { key: "canceled", label: "Canceled", state: "CANCELED", empty: "No proposal was withdrawn." },
];

/** A community's Governance tab: the member's say, a new proposal, and the proposals by state. */
export function GovernancePage() {
  const community = useCommunity();
  const { viewer } = useSession();
  const [params] = useSearchParams();
  const asked = (params.get("state") ?? "").toLowerCase();
  const filter = FILTERS.find((f) => f.key === asked) ?? FILTERS[0];
  useTitle(`Governance · c/${community.name}`);
  // The first page carries the settings too (one request for the tab).
  const variables = useMemo(() => ({ community: community.name, state: filter.state, after: null }), [community.name, filter.state]);
  const [{ data }] = useQuery({ query: GovernanceQuery, variables });
  const governance = data?.community?.governance;
  const symbol = governance?.tokenSymbol ?? "points";
  // A proposal created, or moved into or out of the filtered state, changes the list itself:
  // its first page is read again.
  const [generation, setGeneration] = useState(0);
  const live = useLiveProposals(community.name, () => afterSharedAnswers(() => setGeneration((g) => g + 1)));

  return (
    <section aria-labelledby="governance-title" className="governance">
      <h2 id="governance-title">Governance</h2>
      <p className="muted">
        Members of c/{community.name} elect and impeach its moderators by vote. Each point earned here is a vote, once
        delegated.{" "}
        <Link to="/rewards">How points are earned</Link>
      </p>
      {data && !governance ? (
        <p className="empty">c/{community.name}'s voting isn't on-chain yet: proposals open once its token is deployed.</p>
      ) : (
        governance && (
          <>
            <p className="small muted">
              Proposing needs {tokens(governance.proposalThreshold, 2)} {symbol} of voting power; a vote opens after{" "}
              {duration(governance.votingDelaySeconds)} and lasts {duration(governance.votingPeriodSeconds)}; it passes with more
              votes for than against and a quorum of {governance.quorumPercent}% of all {symbol}.
            </p>
            {viewer && (
              <div className="governance-actions">
                <ProposeForm community={community.name} governor={governance.governorAddress} threshold={governance.proposalThreshold} symbol={symbol} />
              </div>
            )}
          </>
        )
      )}
      <QueryTabs label="Proposals by state" className="tabs sub-tabs" tabs={FILTERS} current={filter.key} search={(f) => (f.key ? `?state=${f.key}` : "")} />
      <ol className="modlog proposals" role="list" aria-label="Proposals">
        <Paged
          resetKey={`${community.name}:${filter.key}`}
          page={(p) => <Chunk community={community.name} state={filter.state} empty={filter.empty} live={live} generation={generation} {...p} />}
        />
      </ol>
    </section>
  );
}

function duration(seconds: number): string {
  if (seconds % 86400 === 0 && seconds > 0) return seconds === 86400 ? "a day" : `${seconds / 86400} days`;
  if (seconds % 3600 === 0 && seconds > 0) return seconds === 3600 ? "an hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0 && seconds > 0) return seconds === 60 ? "a minute" : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

function Chunk({
  community,
  state,
  empty,
  live,
  generation,
  ...page
}: PageArgs & { community: string; state: StateFilter | null; empty: string; live: ReadonlyMap<string, ProposalUpdate>; generation: number }) {
  const variables = useMemo(() => ({ community, state, after: page.after }), [community, state, page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: GovernanceQuery, variables });
  useEffect(() => {
    if (generation > 0 && page.isFirst) reexecute({ requestPolicy: "network-only" });
  }, [generation, page.isFirst, reexecute]);
  const governance = data?.community?.governance;
  if (data && !governance) return null;
  return (
    <PageItems
      page={page}
      connection={governance?.proposals}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading the proposals…"
      empty={empty}
      moreLabel="More proposals"
      item={(p) => (
        <li key={p.id} className="modlog-entry proposal" data-state={p.state} data-proposal-id={p.proposalId}>
          <ProposalSummaryView proposal={withLive(p, live)} community={community} symbol={governance?.tokenSymbol ?? "points"} />
        </li>
      )}
    />
  );
}
