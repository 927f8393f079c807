import { Link, useSearchParams } from "react-router";
import { ActiveVoteBanner } from "../components/Governance";
import { PostList, type Feed } from "../components/PostList";
import { SortTabs, usePostSort } from "../components/SortTabs";
import { useSession } from "../lib/session";
import { useTitle } from "../lib/title";

/** The front page's feed: ?feed=all or ?feed=subscribed; by default a member's own communities
 * once they joined any, everything otherwise. */
function useFeed(): { feed: Feed; canChoose: boolean } {
  const { viewer } = useSession();
  const [params] = useSearchParams();
  const canChoose = !!viewer && viewer.joinedCommunities.length > 0;
  const asked = params.get("feed");
  if (!viewer) return { feed: "ALL", canChoose };
  if (asked === "subscribed") return { feed: "SUBSCRIBED", canChoose: true };
  if (asked === "all") return { feed: "ALL", canChoose };
  return { feed: canChoose ? "SUBSCRIBED" : "ALL", canChoose };
}

function FeedTabs({ feed }: { feed: Feed }) {
  const [params] = useSearchParams();
  const to = (value: string) => {
    const next = new URLSearchParams(params);
    next.set("feed", value);
    return { search: `?${next.toString()}` };
  };
  return (
    <nav aria-label="Feed" className="tabs feed-tabs">
      <Link to={to("subscribed")} className="tab" aria-current={feed === "SUBSCRIBED" ? "page" : undefined} replace>
        Subscribed
      </Link>
      <Link to={to("all")} className="tab" aria-current={feed === "ALL" ? "page" : undefined} replace>
        All
      </Link>
    </nav>
  );
}

export function HomePage() {
  const { sort } = usePostSort();
  const { viewer } = useSession();
  const { feed, canChoose } = useFeed();
  useTitle(null);
  return (
    <div className="page with-sidebar">
      <div className="content">
        <h1 className="visually-hidden">Agora front page</h1>
        {canChoose && <FeedTabs feed={feed} />}
        {/* Open votes in the viewer's communities: an election is not hidden in a tab. */}
        {viewer?.joinedCommunities.slice(0, 8).map((c) => (
          <ActiveVoteBanner key={c.id} community={c.name} named />
        ))}
        <SortTabs />
        <PostList
          key={`${feed}:${sort}`}
          community={null}
          feed={feed}
          sort={sort}
          empty={
            feed === "SUBSCRIBED" ? (
              <>
                <p>No posts in your communities yet.</p>
                <p>
                  <Link to="?feed=all">See every community's posts</Link> or <Link to="/communities">join more communities</Link>.
                </p>
              </>
            ) : (
              <>
                <p>No posts yet.</p>
                <p>
                  <Link to="/communities">Find a community</Link> or <Link to="/create-community">start your own</Link>.
                </p>
              </>
            )
          }
        />
      </div>
      <aside className="sidebar" aria-label="About Agora">
        <section className="card">
          <h2 className="card-title">Welcome to Agora</h2>
          <p>Communities here are run by their members: they vote on their own rules and moderators.</p>
          <div className="stack">
            <Link to="/submit" className="button primary block">
              Create post
            </Link>
            <Link to="/create-community" className="button ghost block">
              Create a community
            </Link>
          </div>
        </section>
        {viewer && viewer.joinedCommunities.length > 0 && (
          <section className="card">
            <h2 className="card-title">Your communities</h2>
            <ul className="plain-list">
              {viewer.joinedCommunities.map((c) => (
                <li key={c.id}>
                  <Link to={`/c/${c.name}`}>c/{c.name}</Link>
                </li>
              ))}
            </ul>
          </section>
        )}
      </aside>
    </div>
  );
}
