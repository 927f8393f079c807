import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { SearchCommentsQuery, SearchQuery } from "../ops";
import { EmptyState, ErrorNote, LoadMore, Spinner, Time, UserLink } from "../components/bits";
import { PostCard } from "../components/PostCard";
import { toAppError } from "../lib/errors";
import { displayName, plural } from "../lib/format";
import { useTitle } from "../lib/title";

const PAGE = 25;
const KINDS = [
  { key: "posts", label: "Posts", kind: "POSTS" },
  { key: "comments", label: "Comments", kind: "COMMENTS" },
  { key: "communities", label: "Communities", kind: "COMMUNITIES" },
  { key: "users", label: "People", kind: "USERS" },
] as const;
type Kind = (typeof KINDS)[number]["kind"];

/** /search?q=words&kind=posts&community=name: results best match first, in pages. */
export function SearchPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const q = (params.get("q") ?? "").trim();
  const kind = KINDS.find((k) => k.key === params.get("kind")) ?? KINDS[0];
  const community = params.get("community");
  const [text, setText] = useState(q);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  useEffect(() => {
    setText(q);
    setCursors([null]);
  }, [q, kind.key, community]);
  useTitle(q ? `Search: ${q}` : "Search");

  const link = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    return `/search?${next.toString()}`;
  };

  return (
    <div className="page">
      <div className="content">
        <h1>Search</h1>
        <form
          className="search-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) navigate(link({ q: text.trim() }));
          }}
        >
          <input type="search" aria-label="Search for" value={text} maxLength={200} placeholder="Words, &quot;a phrase&quot;, -without" onChange={(e) => setText(e.target.value)} />
          <button type="submit" className="button primary">
            Search
          </button>
        </form>
        <nav aria-label="Search for" className="tabs">
          {KINDS.map((k) => (
            <Link key={k.key} to={link({ kind: k.key })} className="tab" aria-current={k.key === kind.key ? "page" : undefined} replace>
              {k.label}
            </Link>
          ))}
        </nav>
        {community && (kind.kind === "POSTS" || kind.kind === "COMMENTS") && (
          <p className="hint">
            In c/{community} only. <Link to={link({ community: null })}>Search everywhere</Link>
          </p>
        )}
        {!q ? (
          <EmptyState>
            <p>Type what you are looking for.</p>
          </EmptyState>
        ) : (
          <section aria-label="Search results">
            {cursors.map((after, i) => (
              <ResultPage
                key={`${q}:${kind.kind}:${community}:${after ?? "first"}`}
                q={q}
                kind={kind.kind}
                community={community}
                after={after}
                isFirst={i === 0}
                isLast={i === cursors.length - 1}
                onLoadMore={(c) => setCursors((cs) => [...cs, c])}
              />
            ))}
          </section>
        )}
      </div>
    </div>
  );
}

function ResultPage({
  q,
  kind,
  community,
  after,
  isFirst,
  isLast,
  onLoadMore,
}: {
  q: string;
  kind: Kind;
  community: string | null;
  after: string | null;
  isFirst: boolean;
  isLast: boolean;
  onLoadMore: (cursor: string) => void;
}) {
  const variables = useMemo(() => ({ query: q, kind, community: kind === "POSTS" || kind === "COMMENTS" ? community : null, first: PAGE, after }), [q, kind, community, after]);
  const [main, reexecuteMain] = useQuery({ query: SearchQuery, variables, pause: kind === "COMMENTS" });
  const commentVariables = useMemo(() => ({ query: q, community, first: PAGE, after }), [q, community, after]);
  const [comments, reexecuteComments] = useQuery({ query: SearchCommentsQuery, variables: commentVariables, pause: kind !== "COMMENTS" });
  const { data, fetching, error } = kind === "COMMENTS" ? comments : main;
  const reexecute = kind === "COMMENTS" ? reexecuteComments : reexecuteMain;
  if (!data && fetching) return <Spinner label="Searching…" />;
  if (!data && error) return <ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data) return null;
  const { edges, pageInfo } = data.search;
  return (
    <>
      {isFirst && edges.length === 0 && (
        <EmptyState>
          <p>Nothing found for “{q}”.</p>
        </EmptyState>
      )}
      {kind === "COMMENTS"
        ? comments.data?.search.edges.map(({ node }) =>
            node.__typename === "Comment" ? (
              <article key={node.id} className="card search-result" aria-label={`Comment by ${node.author ? displayName(node.author) : "[deleted]"}`}>
                <p className="meta">
                  <UserLink user={node.author} /> on{" "}
                  <Link to={`/c/${node.post.community.name}/p/${node.post.id}/comment/${node.id}`}>{node.post.title}</Link>
                  <span aria-hidden="true"> · </span>
                  <Time iso={node.createdAt} />
                </p>
                <p>{(node.body ?? "").slice(0, 300)}</p>
              </article>
            ) : null,
          )
        : main.data?.search.edges.map(({ node }) => {
            switch (node.__typename) {
              case "Post":
                return <PostCard key={node.id} post={node} showCommunity />;
              case "Community":
                return (
                  <article key={node.id} className="card search-result">
                    <h2>
                      <Link to={`/c/${node.name}`}>c/{node.name}</Link>
                    </h2>
                    <p className="muted">
                      {node.title} · {plural(node.memberCount, "member", "members")}
                    </p>
                  </article>
                );
              case "User":
                return (
                  <article key={node.id} className="card search-result">
                    <h2>
                      <UserLink user={node} />
                    </h2>
                    {node.bio && <p className="muted">{node.bio.slice(0, 200)}</p>}
                  </article>
                );
              default:
                return null;
            }
          })}
      {isLast && pageInfo.hasNextPage && pageInfo.endCursor && <LoadMore fetching={fetching} onClick={() => onLoadMore(pageInfo.endCursor!)} label="More results" />}
    </>
  );
}
