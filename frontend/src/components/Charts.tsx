// Small charts drawn as inline SVG (no chart library: a few bars and lines are cheaper to draw
// than to download). Each has a text equivalent for screen readers and the figures beside it.
import { tokens } from "../lib/format";

export type EpochFigures = { number: number; emission: string; distributed: string; recipients: number; status: string };

const WIDTH = 600;
const HEIGHT = 180;
const PAD = { top: 16, right: 36, bottom: 26, left: 8 };

/**
 * Each epoch's emission (the whole bar), what it distributed (the solid part; the rest stayed
 * in the pool) and how many authors received (the dots, on their own scale at the right),
 * oldest on the left. Open epochs have distributed nothing yet: drawn hollow.
 */
export function EpochChart({ epochs, symbol }: { epochs: EpochFigures[]; symbol: string }) {
  const shown = [...epochs].sort((a, b) => a.number - b.number).slice(-12);
  if (shown.length === 0) return null;
  const most = shown.reduce((m, e) => (BigInt(e.emission) > m ? BigInt(e.emission) : m), 1n);
  const mostRecipients = Math.max(1, ...shown.map((e) => e.recipients));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / shown.length;
  const barW = Math.min(48, slot * 0.6);
  const y = (v: bigint) => PAD.top + innerH - Number((v * 1000n) / most) * (innerH / 1000);
  const dotY = (n: number) => PAD.top + innerH - (n / mostRecipients) * innerH;
  const summary = shown
    .map((e) =>
      e.status === "OPEN"
        ? `epoch ${e.number}: ${tokens(e.emission, 0)} ${symbol} to emit, open`
        : `epoch ${e.number}: ${tokens(e.distributed, 0)} of ${tokens(e.emission, 0)} ${symbol} distributed to ${e.recipients}`,
    )
    .join("; ");
  return (
    <figure className="chart epoch-chart" data-testid="epoch-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Emission and distribution per epoch: ${summary}`}>
        <line className="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + innerH} y2={PAD.top + innerH} />
        <text className="axis-label" x={WIDTH - PAD.right + 4} y={PAD.top + 4}>
          {mostRecipients}
        </text>
        {shown.map((e, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const open = e.status === "OPEN";
          const emitted = BigInt(e.emission);
          const given = open ? 0n : BigInt(e.distributed);
          return (
            <g key={e.number} data-epoch={e.number}>
              <title>
                {open
                  ? `Epoch ${e.number}: ${tokens(e.emission, 2)} ${symbol} to emit (open)`
                  : `Epoch ${e.number}: ${tokens(e.distributed, 2)} of ${tokens(e.emission, 2)} ${symbol} to ${e.recipients} authors`}
              </title>
              <rect className={open ? "bar-open" : "bar-pool"} x={x} width={barW} y={y(emitted)} height={PAD.top + innerH - y(emitted)} />
              {!open && <rect className="bar-given" x={x} width={barW} y={y(given)} height={PAD.top + innerH - y(given)} />}
              {!open && <circle className="dot-recipients" cx={x + barW / 2} cy={dotY(e.recipients)} r={4} />}
              <text className="axis-label" x={x + barW / 2} y={HEIGHT - 8} textAnchor="middle">
                {e.number}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="small muted chart-legend">
        <span className="key key-given" aria-hidden="true" /> distributed · <span className="key key-pool" aria-hidden="true" /> stayed in the pool ·{" "}
        <span className="key key-open" aria-hidden="true" /> open · <span className="key key-dot" aria-hidden="true" /> authors rewarded (right scale) ·
        epoch numbers below
      </figcaption>
    </figure>
  );
}

export type PowerHolder = { name: string; votingPower: string };

const SEGMENTS = 5;

/**
 * How a community's votes are spread: the share of all points each of the largest delegates
 * holds, the rest of the listed delegates, and what counts through nobody listed; with marks at
 * the share a vote needs (its quorum) and the share proposing needs (the threshold).
 */
export function PowerSpread({
  holders,
  totalSupply,
  quorumPercent,
  proposalThreshold,
  symbol,
}: {
  holders: PowerHolder[];
  totalSupply: string;
  quorumPercent: number;
  proposalThreshold: string;
  symbol: string;
}) {
  const supply = BigInt(totalSupply);
  if (supply === 0n || holders.length === 0) return null;
  const pct = (v: bigint) => Number((v * 10000n) / supply) / 100;
  const top = holders.slice(0, SEGMENTS).map((h) => ({ ...h, share: pct(BigInt(h.votingPower)) }));
  const listed = holders.reduce((s, h) => s + BigInt(h.votingPower), 0n);
  const rest = pct(listed) - top.reduce((s, h) => s + h.share, 0);
  const topShare = top.reduce((s, h) => s + h.share, 0);
  const threshold = pct(BigInt(proposalThreshold));
  // The fewest of the largest delegates who together reach the quorum alone.
  let reach = 0;
  let sum = 0n;
  for (const h of holders) {
    if (pct(sum) >= quorumPercent) break;
    sum += BigInt(h.votingPower);
    reach += 1;
  }
  const reachesQuorum = pct(sum) >= quorumPercent;
  let at = 0;
  return (
    <figure className="chart power-spread" data-testid="power-spread">
      <svg viewBox="0 0 100 14" preserveAspectRatio="none" role="img" aria-label={`The ${top.length} largest delegates hold ${round(topShare)}% of all ${symbol}; a vote's quorum is ${quorumPercent}%, proposing needs ${round(threshold)}%.`}>
        {top.map((h, i) => {
          const x = at;
          at += h.share;
          return (
            <rect key={i} className={`seg seg-${i}`} x={x} y={2} width={h.share} height={10}>
              <title>{`${h.name}: ${round(h.share)}%`}</title>
            </rect>
          );
        })}
        {rest > 0 && (
          <rect className="seg seg-rest" x={at} y={2} width={rest} height={10}>
            <title>{`Other delegates: ${round(rest)}%`}</title>
          </rect>
        )}
        <line className="mark mark-quorum" x1={quorumPercent} x2={quorumPercent} y1={0} y2={14} />
        <line className="mark mark-threshold" x1={threshold} x2={threshold} y1={0} y2={14} />
      </svg>
      <figcaption className="small">
        <span data-testid="top-share">
          The {top.length === 1 ? "largest delegate holds" : `${top.length} largest delegates hold`} {round(topShare)}% of all {symbol}
        </span>{" "}
        ({top.map((h) => `${h.name} ${round(h.share)}%`).join(", ")}).{" "}
        <span data-testid="quorum-share">
          <span className="key key-quorum" aria-hidden="true" /> A vote needs {quorumPercent}% for its quorum
          {reachesQuorum ? ` (${reach === 1 ? "the largest delegate reaches it alone" : `the ${reach} largest reach it together`})` : ""}
        </span>
        ;{" "}
        <span data-testid="threshold-share">
          <span className="key key-threshold" aria-hidden="true" /> proposing needs {round(threshold)}% ({tokens(proposalThreshold, 2)} {symbol}).
        </span>
      </figcaption>
    </figure>
  );
}

function round(n: number): string {
  return n >= 10 || n === 0 ? n.toFixed(0) : n.toFixed(1).replace(/\.0$/, "");
}
