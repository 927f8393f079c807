import { useMemo } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { ReportsQuery } from "../ops";
import { EmptyState, ErrorNote, LoadMore, Spinner, Time, UserLink } from "../components/bits";
import { ContentActions } from "../components/ContentActions";
import { Paged } from "../components/Paged";
import { toAppError } from "../lib/errors";
import { excerpt } from "../lib/format";
import { useCommunity } from "./CommunityPage";

export function ReportsPage() {
  const community = useCommunity();
  if (!community.viewerIsModerator)
    return <EmptyState>Only the moderators of c/{community.name} can see reports.</EmptyState>;
  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">Reports</h2>
      <ol className="modlog" role="list">
        <Paged resetKey={community.name} page={(p) => <Chunk community={community.name} {...p} />} />
      </ol>
    </section>
  );
}

function Chunk({ community, after, isFirst, isLast, loadMore }: { community: string; after: string | null; isFirst: boolean; isLast: boolean; loadMore: (c: string) => void }) {
  const variables = useMemo(() => ({ community, first: 25, after }), [community, after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ReportsQuery, variables });
  if (!data && fetching) return <li><Spinner label="Loading reports…" /></li>;
  if (!data && error) return <li><ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} /></li>;
  if (!data) return null;
  const { edges, pageInfo } = data.reports;
  return (
    <>
      {isFirst && edges.length === 0 && (
        <li>
          <EmptyState>No open reports. All quiet.</EmptyState>
        </li>
      )}
      {edges.map(({ node: r }) => (
        <li key={r.id} className="card report">
          <p className="meta">
            Reported by <UserLink user={r.reporter} /> · <Time iso={r.createdAt} />
          </p>
          <p>
            <strong>{r.reason}</strong>
          </p>
          {r.post && (
            <>
              <p>
                Post: <Link to={`/c/${community}/p/${r.post.id}`}>{r.post.title}</Link> by <UserLink user={r.post.author} />
                {r.post.isRemoved && <span className="muted"> (removed)</span>}
              </p>
              <ContentActions kind="post" id={r.post.id} community={community} author={r.post.author} isModerator gone={r.post.isRemoved} />
            </>
          )}
          {r.comment && (
            <>
              <p>
                Comment by <UserLink user={r.comment.author} />: “{excerpt(r.comment.body, 140)}”{" "}
                <Link to={`/c/${community}/p/${r.comment.postId}`}>in context</Link>
                {r.comment.isRemoved && <span className="muted"> (removed)</span>}
              </p>
              <ContentActions kind="comment" id={r.comment.id} community={community} author={r.comment.author} isModerator gone={r.comment.isRemoved} />
            </>
          )}
        </li>
      ))}
      {isLast && pageInfo.hasNextPage && pageInfo.endCursor && (
        <li><LoadMore fetching={fetching} onClick={() => loadMore(pageInfo.endCursor!)} /></li>
      )}
    </>
  );
}
