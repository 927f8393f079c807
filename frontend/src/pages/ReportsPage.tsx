import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useClient, useQuery } from "urql";
import { ReopenReportMutation, ReportsQuery, ResolveReportMutation, type UserRef } from "../ops";
import { EmptyState, Time, UserLink } from "../components/bits";
import { ContentActions } from "../components/ContentActions";
import { PageItems, Paged, type PageArgs } from "../components/Paged";
import { toAppError } from "../lib/errors";
import { excerpt } from "../lib/format";
import { useTitle } from "../lib/title";
import { useToast } from "../lib/toast";
import { useCommunity } from "./CommunityPage";

// An empty list holds no Report, so without this a resolve or reopen would not refresh it.
const REPORT_TYPES = { additionalTypenames: ["Report"] };

export function ReportsPage() {
  const community = useCommunity();
  const [params] = useSearchParams();
  const showAll = params.get("show") === "all";
  useTitle(`Reports · c/${community.name}`);
  if (!community.viewerIsModerator)
    return <EmptyState>Only the moderators of c/{community.name} can see reports.</EmptyState>;
  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">Reports</h2>
      <div className="sort-bar">
        <nav aria-label="Which reports" className="tabs sub-tabs">
          <Link to={{ search: "" }} aria-current={showAll ? undefined : "page"} className="tab" replace>
            Open
          </Link>
          <Link to={{ search: "?show=all" }} aria-current={showAll ? "page" : undefined} className="tab" replace>
            All, with resolved
          </Link>
        </nav>
      </div>
      <ol className="modlog" role="list">
        <Paged
          resetKey={`${community.name}:${showAll}`}
          page={(p) => <Chunk community={community.name} unresolvedOnly={!showAll} {...p} />}
        />
      </ol>
    </section>
  );
}

function Chunk({ community, unresolvedOnly, ...page }: PageArgs & { community: string; unresolvedOnly: boolean }) {
  const variables = useMemo(
    () => ({ community, first: 25, after: page.after, unresolvedOnly }),
    [community, page.after, unresolvedOnly],
  );
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ReportsQuery, variables, context: REPORT_TYPES });
  return (
    <PageItems
      page={page}
      connection={data?.reports}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading reports…"
      empty={unresolvedOnly ? "No open reports. All quiet." : "No reports yet."}
      item={(r) => (
        <li key={r.id} className={`card report${r.resolvedAt ? " resolved" : ""}`}>
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
          <Resolution id={r.id} resolvedAt={r.resolvedAt} resolvedBy={r.resolvedBy} />
        </li>
      )}
    />
  );
}

/** Resolve an open report (it leaves the queue), or reopen a resolved one. */
function Resolution({ id, resolvedAt, resolvedBy }: { id: string; resolvedAt: string | null; resolvedBy: UserRef | null }) {
  const client = useClient();
  const notify = useToast();
  const [busy, setBusy] = useState(false);

  async function act() {
    setBusy(true);
    const res = resolvedAt
      ? await client.mutation(ReopenReportMutation, { id }).toPromise()
      : await client.mutation(ResolveReportMutation, { id }).toPromise();
    setBusy(false);
    if (res.error) {
      notify(toAppError(res.error).message, "error");
      return;
    }
    notify(resolvedAt ? "The report is open again." : "Report resolved.");
  }

  return (
    <div className="report-resolution">
      {resolvedAt ? (
        <p className="meta">
          Resolved by <UserLink user={resolvedBy} /> · <Time iso={resolvedAt} />
        </p>
      ) : (
        <p className="meta">Open</p>
      )}
      <button type="button" className={`button small ${resolvedAt ? "ghost" : "primary"}`} disabled={busy} onClick={act}>
        {resolvedAt ? "Reopen" : "Resolve"}
      </button>
    </div>
  );
}
