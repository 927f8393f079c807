import { Link } from "react-router";
import { useQuery } from "urql";
import { BLOCK_TYPES, BlockedQuery } from "../ops";
import { EmptyState, ErrorNote, Spinner, UserLink } from "../components/bits";
import { BlockButton } from "../components/BlockButton";
import { toAppError } from "../lib/errors";
import { displayName } from "../lib/format";
import { SignedInPage } from "../components/SignedInPage";
import { useTitle } from "../lib/title";

/** `/blocked`: the people and communities the viewer blocks, each with Unblock. */
export function BlockedPage() {
  useTitle("Blocked");
  return (
    <SignedInPage title="Blocked" reason="to see whom you block">
      {() => <BlockedLists />}
    </SignedInPage>
  );
}

function BlockedLists() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: BlockedQuery, context: BLOCK_TYPES });
  const blocked = data?.viewer;
  return (
    <>
      <p className="muted">
        You don't see posts and comments of the people you block, and they can't notify you. A blocked community's posts stay off your
        front page.
      </p>
      {!blocked && fetching && <Spinner label="Loading…" />}
      {error && <ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      {blocked && (
        <>
          <section aria-labelledby="blocked-people">
            <h2 id="blocked-people">People</h2>
            {blocked.blockedUsers.length === 0 ? (
              <EmptyState>You block nobody.</EmptyState>
            ) : (
              <ul className="plain-list blocked-list" role="list">
                {blocked.blockedUsers.map((u) => (
                  <li key={u.id} className="card blocked-item">
                    <UserLink user={u} />
                    <BlockButton kind="user" target={u.address} label={displayName(u)} blocked />
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="blocked-communities">
            <h2 id="blocked-communities">Communities</h2>
            {blocked.blockedCommunities.length === 0 ? (
              <EmptyState>You block no community.</EmptyState>
            ) : (
              <ul className="plain-list blocked-list" role="list">
                {blocked.blockedCommunities.map((c) => (
                  <li key={c.id} className="card blocked-item">
                    <Link to={`/c/${c.name}`}>c/{c.name}</Link>
                    <BlockButton kind="community" target={c.name} label={`c/${c.name}`} blocked />
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </>
  );
}
