import { useSearchParams } from "react-router";
import { QueryTabs } from "./QueryTabs";

export type PostSort =
  | "HOT"
  | "NEW"
  | "TOP_HOUR"
  | "TOP_SIX_HOURS"
  | "TOP_DAY"
  | "TOP_WEEK"
  | "TOP_MONTH"
  | "TOP_YEAR"
  | "TOP_ALL"
  | "CONTROVERSIAL"
  | "ACTIVE"
  | "MOST_COMMENTS"
  | "NEW_COMMENTS";

// The sorts, then Top's periods: two tables of tabs, alike in shape by nature (deliberate: data,
// a row per tab).
const MAIN = [
  { key: "hot", label: "Hot", sort: "HOT" },
  { key: "new", label: "New", sort: "NEW" },
  { key: "top", label: "Top", sort: "TOP_DAY" },
  { key: "controversial", label: "Controversial", sort: "CONTROVERSIAL" },
  { key: "active", label: "Active", sort: "ACTIVE" },
  { key: "comments", label: "Most comments", sort: "MOST_COMMENTS" },
  { key: "new-comments", label: "New comments", sort: "NEW_COMMENTS" },
] as const;

const TOP = [
  { key: "hour", label: "Past hour", sort: "TOP_HOUR" },
  { key: "6h", label: "Six hours", sort: "TOP_SIX_HOURS" },
  { key: "day", label: "Today", sort: "TOP_DAY" },
  { key: "week", label: "This week", sort: "TOP_WEEK" },
  { key: "month", label: "This month", sort: "TOP_MONTH" },
  { key: "year", label: "This year", sort: "TOP_YEAR" },
  { key: "all", label: "All time", sort: "TOP_ALL" },
] as const;

/** Reads ?sort=top&t=week into the API's PostSort. */
export function usePostSort(): { sort: PostSort; main: string; t: string } {
  const [params] = useSearchParams();
  const asked = (params.get("sort") ?? "hot").toLowerCase();
  const main = MAIN.find((m) => m.key === asked) ?? MAIN[0];
  if (main.key !== "top") return { sort: main.sort, main: main.key, t: "day" };
  const t = TOP.find((p) => p.key === (params.get("t") ?? "day").toLowerCase()) ?? TOP[2];
  return { sort: t.sort, main: "top", t: t.key };
}

/** The sort tabs; they keep the other parameters of the page (the front page's feed). */
export function SortTabs() {
  const { main, t } = usePostSort();
  const [params] = useSearchParams();
  const search = (sort: string | null, top: string | null) => {
    const next = new URLSearchParams(params);
    next.delete("sort");
    next.delete("t");
    if (sort) next.set("sort", sort);
    if (top) next.set("t", top);
    const s = next.toString();
    return s ? `?${s}` : "";
  };
  return (
    <div className="sort-bar">
      <QueryTabs label="Sort posts" tabs={MAIN} current={main} search={(s) => search(s.key === "hot" ? null : s.key, null)} />
      {main === "top" && <QueryTabs label="Top posts from" className="tabs sub-tabs" tabs={TOP} current={t} search={(p) => search("top", p.key)} />}
    </div>
  );
}
