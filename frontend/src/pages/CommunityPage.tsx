import { useEffect, useRef } from "react";
import { useParams, Outlet, useOutletContext, Link } from "react-router";
import { useQuery } from "urql";
import { CommunityQuery, type Community } from "../ops";
import { CommunityHeader, CommunitySidebar } from "../components/CommunityChrome";
import { ErrorNote, Spinner } from "../components/bits";
import { ActiveVoteBanner, MirrorBehind } from "../components/Governance";
import { PostList } from "../components/PostList";
import { SortTabs, usePostSort } from "../components/SortTabs";
import { toAppError } from "../lib/errors";
import { NotFoundPage } from "./NotFoundPage";
import { useTitle } from "../lib/title";

/** /c/:name and its sections: loads the community once for the header, tabs and sidebar. */
export function CommunityLayout({ withHeader = true }: { withHeader?: boolean }) {
  const { name = "" } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: CommunityQuery, variables: { name } });
  usePollWhileSettingUp(data?.community?.chain.status === "PENDING", () => reexecute({ requestPolicy: "network-only" }));
  if (!data && fetching) return <Spinner label="Loading community…" />;
  if (!data && error) return <ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  const community = data?.community;
  if (!community)
    return (
      <NotFoundPage title={`There's no c/${name} yet`}>
        <p>
          Maybe you'd like to <Link to="/create-community">create it</Link>?
        </p>
      </NotFoundPage>
    );
  return (
    <div className="community">
      {withHeader && <CommunityHeader community={community} />}
      <MirrorBehind />
      {community.chain.status === "CONFIRMED" && <ActiveVoteBanner community={community.name} />}
      <div className="page with-sidebar">
        <div className="content">
          <Outlet context={community} />
        </div>
        <CommunitySidebar community={community} />
      </div>
    </div>
  );
}

/**
 * Reads the community again while it is being set up on-chain, so that its creator is shown
 * as its moderator (with their tools) as soon as the indexer has mirrored the chain's creation,
 * usually a second or two after it is created here; no subscription tells of it. Every 1.5 s:
 * the API shares an answer among readers for 2 s (and serves it once more while it computes
 * the next), so a faster poll would only get the same answer. After a minute (the sender or
 * the chain is slow) every 15 s, and never while the tab is hidden.
 */
function usePollWhileSettingUp(pending: boolean, read: () => void) {
  const readRef = useRef(read);
  readRef.current = read;
  useEffect(() => {
    if (!pending) return;
    const started = Date.now();
    let timer = 0;
    const tick = () => {
      if (!document.hidden) readRef.current();
      timer = window.setTimeout(tick, Date.now() - started < 60_000 ? 1500 : 15_000);
    };
    timer = window.setTimeout(tick, 1500);
    return () => window.clearTimeout(timer);
  }, [pending]);
}

export function useCommunity(): Community {
  return useOutletContext<Community>();
}

export function CommunityPosts() {
  const community = useCommunity();
  const { sort } = usePostSort();
  useTitle(`${community.title} (c/${community.name})`);
  return (
    <>
      <SortTabs />
      <PostList
        key={`${community.name}:${sort}`}
        community={community.name}
        sort={sort}
        empty={
          <>
            <p>No posts in c/{community.name} yet.</p>
            <p>
              <Link to={`/submit?community=${encodeURIComponent(community.name)}`}>Write the first one</Link>.
            </p>
          </>
        }
      />
    </>
  );
}
