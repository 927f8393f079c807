import { useMemo, useState } from "react";
import { useQuery, useSubscription } from "urql";
import { CommunityPostsQuery, PostCreatedSubscription, PostsQuery, SubscribedPostsQuery } from "../ops";
import { toAppError } from "../lib/errors";
import { useSession } from "../lib/session";
import { EmptyState, ErrorNote, LoadMore, Spinner } from "./bits";
import { PostCard } from "./PostCard";
import type { PostSort } from "./SortTabs";

const PAGE = 25;
const POST_TYPES = { additionalTypenames: ["Post"] };

export type Feed = "ALL" | "SUBSCRIBED";

interface Props {
  community: string | null;
  sort: PostSort;
  empty: React.ReactNode;
  /** The front page's: every community's posts, or the viewer's communities' only. */
  feed?: Feed;
}

/** A feed (key it by community, feed and sort): pages of posts over `after` cursors, and a banner when new posts arrive live. */
export function PostList({ community, sort, empty, feed = "ALL" }: Props) {
  const { isMe } = useSession();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [generation, setGeneration] = useState(0);
  const [fresh, setFresh] = useState<string[]>([]);

  // (the live banner counts every community's new posts: not the SUBSCRIBED feed's measure)
  useSubscription({ query: PostCreatedSubscription, variables: { community }, pause: feed === "SUBSCRIBED" }, (_prev, data) => {
    const p = data.postCreated;
    if (!isMe(p.author?.address)) setFresh((f) => (f.includes(p.id) ? f : [...f, p.id]));
    return data;
  });

  function showNew() {
    setFresh([]);
    setCursors([null]);
    setGeneration((g) => g + 1);
    window.scrollTo({ top: 0, behavior: "smooth" });
  }

  return (
    <section aria-label="Posts" className="post-list">
      {fresh.length > 0 && (
        <button type="button" className="new-banner" onClick={showNew}>
          {fresh.length === 1 ? "1 new post" : `${fresh.length} new posts`} — show
        </button>
      )}
      {cursors.map((after, i) => (
        <PostPage
          key={`${generation}:${after ?? "first"}`}
          community={community}
          feed={feed}
          sort={sort}
          after={after}
          isFirst={i === 0}
          isLast={i === cursors.length - 1}
          empty={empty}
          onLoadMore={(c) => setCursors((cs) => [...cs, c])}
        />
      ))}
    </section>
  );
}

function PostPage({
  community,
  feed,
  sort,
  after,
  isFirst,
  isLast,
  empty,
  onLoadMore,
}: {
  community: string | null;
  feed: Feed;
  sort: PostSort;
  after: string | null;
  isFirst: boolean;
  isLast: boolean;
  empty: React.ReactNode;
  onLoadMore: (cursor: string) => void;
}) {
  // A community's feed also asks each author's points there; the front page does not (it stays as
  // cheap as it is benchmarked).
  const variables = useMemo(() => ({ community: community ?? "", sort, first: PAGE, after }), [community, sort, after]);
  const [inCommunity, reexecuteCommunity] = useQuery({ query: CommunityPostsQuery, variables, context: POST_TYPES, pause: community === null });
  const frontVariables = useMemo(() => ({ community: null, sort, first: PAGE, after }), [sort, after]);
  const [front, reexecuteFront] = useQuery({ query: PostsQuery, variables: frontVariables, context: POST_TYPES, pause: community !== null || feed !== "ALL" });
  const ownVariables = useMemo(() => ({ sort, first: PAGE, after }), [sort, after]);
  const [own, reexecuteOwn] = useQuery({ query: SubscribedPostsQuery, variables: ownVariables, context: POST_TYPES, pause: community !== null || feed !== "SUBSCRIBED" });
  const [{ data, fetching, error }, reexecute] = community !== null ? [inCommunity, reexecuteCommunity] : feed === "SUBSCRIBED" ? [own, reexecuteOwn] : [front, reexecuteFront];

  if (!data && fetching) return <Spinner label="Loading posts…" />;
  if (!data && error) return <ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return null;
  const { edges, pageInfo } = data.posts;
  return (
    <>
      {isFirst && edges.length === 0 && <EmptyState>{empty}</EmptyState>}
      {edges.map((e) => (
        <PostCard
          key={e.node.id}
          post={e.node}
          showCommunity={!community}
          points={e.node.author && "points" in e.node.author ? (e.node.author.points as string | undefined) : undefined}
        />
      ))}
      {isLast && pageInfo.hasNextPage && pageInfo.endCursor && (
        <LoadMore fetching={fetching} onClick={() => onLoadMore(pageInfo.endCursor!)} label="Load more posts" />
      )}
    </>
  );
}
