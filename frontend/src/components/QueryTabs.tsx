import { Link } from "react-router";

/** A bar of tabs that each set the page's query string (in place: no history entry per tab), the
 * current one marked for screen readers and styles. */
export function QueryTabs<T extends { key: string; label: string }>({
  label,
  className = "tabs",
  tabs,
  current,
  search,
}: {
  label: string;
  className?: string;
  tabs: readonly T[];
  current: string;
  search: (tab: T) => string;
}) {
  return (
    <nav aria-label={label} className={className}>
      {tabs.map((tab) => (
        <Link key={tab.key} to={{ search: search(tab) }} aria-current={current === tab.key ? "page" : undefined} className="tab" replace>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
