import { useState, type ReactNode } from "react";
import type { CombinedError } from "urql";
import { toAppError } from "../lib/errors";
import { EmptyState, ErrorNote, LoadMore, Spinner } from "./bits";

/** What a page of a `Paged` list gets: where it starts, where it sits, and how to ask for more. */
export type PageArgs = { after: string | null; isFirst: boolean; isLast: boolean; loadMore: (cursor: string) => void };

/**
 * Renders one <Page> per loaded cursor; the last page offers "load more" with its endCursor.
 * Each page is its own query, so urql caches and refreshes them independently.
 */
export function Paged({ resetKey, page }: { resetKey: string; page: (args: PageArgs) => ReactNode }) {
  const [state, setState] = useState<{ key: string; cursors: (string | null)[] }>({ key: resetKey, cursors: [null] });
  const cursors = state.key === resetKey ? state.cursors : [null];
  const loadMore = (c: string) => setState({ key: resetKey, cursors: [...cursors, c] });
  return (
    <>
      {cursors.map((after, i) => (
        <PagedItem key={after ?? "first"}>{page({ after, isFirst: i === 0, isLast: i === cursors.length - 1, loadMore })}</PagedItem>
      ))}
    </>
  );
}

function PagedItem({ children }: { children: ReactNode }) {
  return <>{children}</>;
}

type Connection<N> = {
  edges: readonly { node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};

/**
 * The <li>s of one page of a list: a spinner while it loads, the error with a retry, `empty` when
 * the first page has nothing, one `item` per node, and "load more" after the last page.
 */
export function PageItems<N>({
  page,
  connection,
  fetching,
  error,
  reexecute,
  loading,
  empty,
  moreLabel,
  item,
}: {
  page: PageArgs;
  connection: Connection<N> | undefined;
  fetching: boolean;
  error: CombinedError | undefined;
  reexecute: (opts: { requestPolicy: "network-only" }) => void;
  loading: string;
  empty: ReactNode;
  moreLabel?: string;
  item: (node: N) => ReactNode;
}) {
  if (!connection && fetching) return <li><Spinner label={loading} /></li>;
  if (!connection && error) return <li><ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} /></li>;
  if (!connection) return null;
  const { edges, pageInfo } = connection;
  return (
    <>
      {page.isFirst && edges.length === 0 && (
        <li>
          <EmptyState>{empty}</EmptyState>
        </li>
      )}
      {edges.map(({ node }) => item(node))}
      {page.isLast && pageInfo.hasNextPage && pageInfo.endCursor && (
        <li><LoadMore fetching={fetching} onClick={() => page.loadMore(pageInfo.endCursor!)} label={moreLabel} /></li>
      )}
    </>
  );
}
