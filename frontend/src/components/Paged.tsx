import { useState, type ReactNode } from "react";

/**
 * Renders one <Page> per loaded cursor; the last page offers "load more" with its endCursor.
 * Each page is its own query, so urql caches and refreshes them independently.
 */
export function Paged({
  resetKey,
  page,
}: {
  resetKey: string;
  page: (args: { after: string | null; isFirst: boolean; isLast: boolean; loadMore: (cursor: string) => void }) => ReactNode;
}) {
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
