// Governance times told against the chain's clock (the indexed head block's time,
// `indexer.indexedTime`), never the browser's: a chain's clock differs from a laptop's (and a
// devnet's jumps ahead), and the governor decides by its own.
import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { IndexerQuery } from "../ops";
import { fullDate, timeAgo } from "../lib/format";

// When this page first saw each indexed time, on the browser's monotonic clock: between two
// reads of the indexer's status the chain's clock is that time plus what elapsed here since. The
// browser's date is never used (it may be hours off the chain's); only its stopwatch is.
// Shared by every component, so that all of them tell the same time.
const firstSeen = new Map<string, number>();

function anchor(iso: string): number {
  let seen = firstSeen.get(iso);
  if (seen === undefined) {
    seen = performance.now();
    firstSeen.set(iso, seen);
    // Only the latest few matter; the map must not grow for as long as a tab stays open.
    if (firstSeen.size > 16) firstSeen.delete(firstSeen.keys().next().value as string);
  }
  return seen;
}

/**
 * The chain's time now in ms: the indexed head's time, run on by the time elapsed since that
 * head was read, re-rendering every `tickMs` (a countdown: every second; a date's "in 2 days":
 * less often). Null until known.
 */
export function useChainNow(tickMs = 30_000): number | null {
  const [{ data }] = useQuery({ query: IndexerQuery });
  const iso = data?.indexer.indexedTime;
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!iso) return;
    const timer = window.setInterval(() => setTick((n) => n + 1), tickMs);
    return () => window.clearInterval(timer);
  }, [iso, tickMs]);
  return iso ? Date.parse(iso) + (performance.now() - anchor(iso)) : null;
}

/** The block explorer's base URL (the EXPLORER_URL setting); null when none is set. */
export function useExplorerUrl(): string | null {
  const [{ data }] = useQuery({ query: IndexerQuery });
  return data?.explorerUrl ?? null;
}

/** "in 2 days", "3 hours ago": `iso` against the chain's time. */
export function chainRelative(iso: string, chainNow: number | null): string {
  return chainNow === null ? "" : timeAgo(iso, chainNow);
}

/** Time left until `iso` on the chain's clock, as a countdown: "2 d 4 h", "3 h 5 min", "35 min 12 s". */
export function countdown(iso: string, chainNow: number): string {
  let seconds = Math.max(0, Math.floor((Date.parse(iso) - chainNow) / 1000));
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds - hours * 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min ${seconds - minutes * 60} s`;
}

/** Whether `iso` has come on the chain's clock (its block may not be indexed yet). */
export function hasCome(iso: string, chainNow: number): boolean {
  return Date.parse(iso) <= chainNow;
}

/** An absolute date with a relative phrase told against the chain's clock. */
export function ChainTime({ iso, prefix }: { iso: string; prefix?: string }) {
  const now = useChainNow();
  const relative = chainRelative(iso, now);
  return (
    <time dateTime={iso} data-testid="chain-time">
      {prefix}
      {fullDate(iso)}
      {relative && <span className="muted"> ({relative})</span>}
    </time>
  );
}

/** A transaction hash, linking to the block explorer when one is set. */
export function TxLink({ hash }: { hash: string }) {
  const explorer = useExplorerUrl();
  const short = <code title={hash}>{hash.slice(0, 10)}…</code>;
  return explorer ? (
    <a href={`${explorer}/tx/${hash}`} target="_blank" rel="noreferrer noopener" data-testid="tx-link">
      {short}
    </a>
  ) : (
    short
  );
}

/** An address, linking to the block explorer when one is set. */
export function AddressLink({ address, children }: { address: string; children?: React.ReactNode }) {
  const explorer = useExplorerUrl();
  const shown = children ?? <code title={address}>{address}</code>;
  return explorer ? (
    <a href={`${explorer}/address/${address}`} target="_blank" rel="noreferrer noopener">
      {shown}
    </a>
  ) : (
    <>{shown}</>
  );
}
