import { Link, useSearchParams } from "react-router";

export type PostSort = "HOT" | "NEW" | "TOP_DAY" | "TOP_WEEK" | "TOP_ALL" | "CONTROVERSIAL" | "ACTIVE";

const MAIN = [
  { key: "hot", label: "Hot" },
  { key: "new", label: "New" },
  { key: "top", label: "Top" },
  { key: "controversial", label: "Controversial" },
  { key: "active", label: "Active" },
] as const;

const TOP = [
  { key: "day", label: "Today" },
  { key: "week", label: "This week" },
  { key: "all", label: "All time" },
] as const;

/** Reads ?sort=top&t=week into the API's PostSort. */
export function usePostSort(): { sort: PostSort; main: string; t: string } {
  const [params] = useSearchParams();
  const main = (params.get("sort") ?? "hot").toLowerCase();
  const t = (params.get("t") ?? "day").toLowerCase();
  switch (main) {
    case "new":
      return { sort: "NEW", main, t };
    case "top":
      return { sort: t === "all" ? "TOP_ALL" : t === "week" ? "TOP_WEEK" : "TOP_DAY", main, t: t === "all" || t === "week" ? t : "day" };
    case "controversial":
      return { sort: "CONTROVERSIAL", main, t };
    case "active":
      return { sort: "ACTIVE", main, t };
    default:
      return { sort: "HOT", main: "hot", t };
  }
}

export function SortTabs() {
  const { main, t } = usePostSort();
  return (
    <div className="sort-bar">
      <nav aria-label="Sort posts" className="tabs">
        {MAIN.map((s) => (
          <Link key={s.key} to={{ search: s.key === "hot" ? "" : `?sort=${s.key}` }} aria-current={main === s.key ? "page" : undefined} className="tab" replace>
            {s.label}
          </Link>
        ))}
      </nav>
      {main === "top" && (
        <nav aria-label="Top posts from" className="tabs sub-tabs">
          {TOP.map((p) => (
            <Link key={p.key} to={{ search: `?sort=top&t=${p.key}` }} aria-current={t === p.key ? "page" : undefined} className="tab" replace>
              {p.label}
            </Link>
          ))}
        </nav>
      )}
    </div>
  );
}
