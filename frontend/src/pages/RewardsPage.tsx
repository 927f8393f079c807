import { useMemo } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { RewardEpochsQuery } from "../ops";
import { Time } from "../components/bits";
import { PageItems, Paged, type PageArgs } from "../components/Paged";
import { TxLink } from "../components/ChainClock";
import { useCommunity } from "./CommunityPage";
import { useTitle } from "../lib/title";
import { plural, tokens } from "../lib/format";

const STATUS: Record<string, string> = {
  OPEN: "Open: counting votes",
  IN_REVIEW: "In review: public before it is minted",
  CLOSED: "Closed: waiting to be minted",
  PAYING: "Minting",
  PAID: "Paid on-chain",
};

const PAYOUT_STATUS: Record<string, string> = { PENDING: "pending", SUBMITTED: "submitted", PAID: "paid" };

/** A community's Rewards tab: its epochs, what each emitted and gave to whom, and the mints. */
export function RewardsPage() {
  const community = useCommunity();
  useTitle(`Rewards · c/${community.name}`);
  return (
    <section aria-labelledby="rewards-title">
      <h2 id="rewards-title">Rewards</h2>
      <p className="muted">
        Each epoch, popular posts and comments in c/{community.name} earn their authors the community's points.{" "}
        <Link to="/rewards">How rewards work</Link>
      </p>
      <ol className="modlog reward-epochs" role="list">
        <Paged resetKey={community.name} page={(p) => <Chunk community={community.name} {...p} />} />
      </ol>
    </section>
  );
}

function Chunk({ community, ...page }: PageArgs & { community: string }) {
  const variables = useMemo(() => ({ community, after: page.after }), [community, page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: RewardEpochsQuery, variables });
  return (
    <PageItems
      page={page}
      connection={data?.community?.rewardEpochs}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading the epochs…"
      empty="No reward epochs yet: they start once the community's token is on-chain."
      item={(e) => (
        <li key={e.number} className="modlog-entry reward-epoch" data-epoch={e.number} data-status={e.status}>
          <p>
            <strong>Epoch {e.number}</strong> · {STATUS[e.status] ?? e.status}
            {e.status === "IN_REVIEW" && e.reviewEndsAt && (
              <span className="review-ends">
                {" "}
                · review ends <Time iso={e.reviewEndsAt} />
              </span>
            )}
            <span className="muted">
              {" "}
              · <Time iso={e.startsAt} /> to <Time iso={e.endsAt} />
            </span>
          </p>
          <p className="small">
            Emission {tokens(e.emission)} points
            {e.status !== "OPEN" && (
              <>
                {" "}
                · distributed {tokens(e.distributed)} to {plural(e.recipients, "author")}
              </>
            )}
          </p>
          {e.status !== "OPEN" && (
            <p className="small reward-distribution">
              <a href={`/rewards/${encodeURIComponent(community)}/${e.number}.csv`} download>
                Distribution (CSV)
              </a>
              {e.merkleRoot ? (
                <>
                  {" "}
                  · merkle root <code className="merkle-root">{e.merkleRoot}</code>
                </>
              ) : (
                e.status === "IN_REVIEW" && <span className="muted"> · its merkle root is published when the review ends</span>
              )}
            </p>
          )}
          {e.payouts.length > 0 && (
            <ul className="small muted" role="list">
              {e.payouts.map((p, i) => (
                <li key={p.chainEpochId} className="reward-payout" data-status={p.status} title={`On-chain mint id ${p.chainEpochId}`}>
                  {/* Named by the epoch it pays, not the token's mint id (an internal number). */}
                  Epoch {e.number}'s mint{e.payouts.length > 1 ? ` (${i + 1} of ${e.payouts.length})` : ""}: {tokens(p.amount)} points
                  to {plural(p.recipients, "author")},{" "}
                  {PAYOUT_STATUS[p.status] ?? p.status}
                  {p.txHash && (
                    <>
                      {" "}
                      · transaction <TxLink hash={p.txHash} />
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
        </li>
      )}
    />
  );
}
