import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { CommunitiesQuery } from "../ops";
import { JoinButton } from "../components/JoinButton";
import { PageItems, Paged, type PageArgs } from "../components/Paged";
import { excerpt, plural } from "../lib/format";
import { useTitle } from "../lib/title";

type Sort = "POPULAR" | "NEW" | "NAME";
const SORTS: { key: string; sort: Sort; label: string }[] = [
  { key: "popular", sort: "POPULAR", label: "Popular" },
  { key: "new", sort: "NEW", label: "New" },
  { key: "name", sort: "NAME", label: "A–Z" },
];

export function CommunitiesPage() {
  const [params] = useSearchParams();
  const current = SORTS.find((s) => s.key === params.get("sort")) ?? SORTS[0];
  useTitle("Communities");
  return (
    <div className="page narrow">
      <div className="page-head">
        <h1>Communities</h1>
        <Link className="button primary" to="/create-community">
          Create a community
        </Link>
      </div>
      <nav className="tabs" aria-label="Sort communities">
        {SORTS.map((s) => (
          <Link key={s.key} className="tab" to={{ search: s.key === "popular" ? "" : `?sort=${s.key}` }} aria-current={s === current ? "page" : undefined} replace>
            {s.label}
          </Link>
        ))}
      </nav>
      <ul className="community-list" role="list">
        <Paged resetKey={current.sort} page={(p) => <Chunk sort={current.sort} {...p} />} />
      </ul>
    </div>
  );
}

function Chunk({ sort, ...page }: PageArgs & { sort: Sort }) {
  const variables = useMemo(() => ({ sort, first: 25, after: page.after }), [sort, page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: CommunitiesQuery, variables });
  return (
    <PageItems
      page={page}
      connection={data?.communities}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading communities…"
      empty={
        <>
          <p>No communities yet.</p>
          <p><Link to="/create-community">Start the first one</Link>.</p>
        </>
      }
      moreLabel="More communities"
      item={(c) => (
        <li key={c.id} className="community-item card">
          <div className="community-avatar small" aria-hidden="true">{c.name.slice(0, 1).toUpperCase()}</div>
          <div className="grow">
            <h2 className="community-item-title">
              <Link to={`/c/${c.name}`}>{c.title}</Link> <span className="muted small">c/{c.name}</span>
            </h2>
            {c.description && <p className="teaser">{excerpt(c.description, 160)}</p>}
            <p className="meta">{plural(c.memberCount, "member")} · {plural(c.postCount, "post")}</p>
          </div>
          <JoinButton name={c.name} isMember={c.viewerIsMember} small />
        </li>
      )}
    />
  );
}
