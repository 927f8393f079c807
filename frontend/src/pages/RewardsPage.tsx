import { useMemo } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { RewardEpochSignalsQuery, RewardEpochsQuery } from "../ops";
import { Time } from "../components/bits";
import { PageItems, Paged, type PageArgs } from "../components/Paged";
import { TxLink } from "../components/ChainClock";
import { useCommunity } from "./CommunityPage";
import { useTitle } from "../lib/title";
import { plural, pointsOf, tokenSymbol, tokens } from "../lib/format";
import { EpochChart } from "../components/Charts";

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
      <EpochsChart community={community.name} />
      <ol className="modlog reward-epochs" role="list">
        <Paged
          resetKey={community.name}
          page={(p) => <Chunk community={community.name} moderator={community.viewerIsModerator} {...p} />}
        />
      </ol>
    </section>
  );
}

/** The chart of the latest epochs (the first page's, which the list below reads too). */
function EpochsChart({ community }: { community: string }) {
  const variables = useMemo(() => ({ community, after: null }), [community]);
  const [{ data }] = useQuery({ query: RewardEpochsQuery, variables });
  const epochs = data?.community?.rewardEpochs.edges.map((e) => e.node) ?? [];
  return <EpochChart epochs={epochs} symbol={tokenSymbol(community)} />;
}

type EpochPool = { status: string; emission: string; distributed: string; undistributed: string; voided: string };

/**
 * What stayed in the pool and why: the caps on what one item or one author may take (the
 * operator's settings), the rewards its review voided, or nothing that earned votes at all.
 */
function PoolNote({ epoch: e, community }: { epoch: EpochPool; community: string }) {
  if (e.status === "OPEN") return null;
  const kept = BigInt(e.undistributed);
  if (kept === 0n) return <p className="small pool-note" data-testid="pool-note">Everything was distributed: nothing stayed in the pool.</p>;
  const voided = BigInt(e.voided);
  const capped = kept - voided;
  const nothingEarned = BigInt(e.distributed) === 0n && voided === 0n;
  const CAPS = "held back by the caps on what one item or one author may take";
  const VOIDS = "voided in review (removed or deleted items, banned authors)";
  const why = nothingEarned
    ? ", as no post or comment earned eligible votes"
    : voided === 0n
      ? `, ${CAPS}`
      : capped === 0n
        ? `, ${VOIDS}`
        : `: ${pointsOf(capped.toString(), community)} ${CAPS}; ${pointsOf(voided.toString(), community)} ${VOIDS}`;
  return (
    <p className="small pool-note" data-testid="pool-note">
      {pointsOf(kept.toString(), community)} stayed in the pool{why}. It is never given to anyone else.
    </p>
  );
}

type SignalLine = {
  votes: number;
  amount: string;
  lowStandingShare: number | null;
  coVotingShare: number | null;
  post: { id: string; title: string } | null;
  comment: { id: string; body: string | null } | null;
};

// A share from which a line looks farmed enough to be worth a moderator's look.
const SUSPICIOUS = 0.5;

function share(value: number | null) {
  return value === null ? "–" : `${Math.round(value * 100)}%`;
}

/** For moderators: where each line's votes came from, so a ring is visible before it is paid. */
function Signals({ community, lines }: { community: string; lines: SignalLine[] }) {
  if (lines.length === 0) return null;
  return (
    <details className="reward-signals small">
      <summary>Farming signals (moderators only)</summary>
      <table>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">{tokenSymbol(community)}</th>
            <th scope="col">Votes</th>
            <th scope="col" title={`Share of its upvote weight from voters holding under 10 ${tokenSymbol(community)} at the epoch's start`}>
              Little standing
            </th>
            <th scope="col" title="Share of its upvotes from voters who upvote the same authors as several others">
              Co-voting
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line, i) => {
            const flagged =
              (line.lowStandingShare ?? 0) >= SUSPICIOUS || (line.coVotingShare ?? 0) >= SUSPICIOUS;
            return (
              <tr key={line.post?.id ?? line.comment?.id ?? i} data-flagged={flagged || undefined}>
                <td>
                  {line.post ? (
                    <Link to={`/c/${community}/p/${line.post.id}`}>{line.post.title}</Link>
                  ) : (
                    <span>{line.comment?.body?.slice(0, 60) ?? "a comment"}</span>
                  )}
                </td>
                <td>{tokens(line.amount)}</td>
                <td>{line.votes}</td>
                <td className="reward-signal-low">{share(line.lowStandingShare)}</td>
                <td className="reward-signal-co">{share(line.coVotingShare)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
}

function Chunk({ community, moderator, ...page }: PageArgs & { community: string; moderator: boolean }) {
  const variables = useMemo(() => ({ community, after: page.after }), [community, page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: RewardEpochsQuery, variables });
  const [signals] = useQuery({ query: RewardEpochSignalsQuery, variables, pause: !moderator });
  const linesOf = new Map<number, SignalLine[]>(
    (signals.data?.community?.rewardEpochs.edges ?? []).map((edge) => [edge.node.number, edge.node.lines]),
  );
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
            Emission {pointsOf(e.emission, community, 4)}
            {e.status !== "OPEN" && (
              <>
                {" "}
                · distributed {pointsOf(e.distributed, community, 4)} to {plural(e.recipients, "author")}
              </>
            )}
          </p>
          <PoolNote epoch={e} community={community} />
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
          {moderator && <Signals community={community} lines={linesOf.get(e.number) ?? []} />}
          {e.payouts.length > 0 && (
            <ul className="small muted" role="list">
              {e.payouts.map((p, i) => (
                <li key={p.chainEpochId} className="reward-payout" data-status={p.status} title={`On-chain mint id ${p.chainEpochId}`}>
                  {/* Named by the epoch it pays, not the token's mint id (an internal number). */}
                  Epoch {e.number}'s mint{e.payouts.length > 1 ? ` (${i + 1} of ${e.payouts.length})` : ""}: {pointsOf(p.amount, community, 4)}
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
