import { Link } from "react-router";
import { ActiveVoteBanner } from "../components/Governance";
import { PostList } from "../components/PostList";
import { SortTabs, usePostSort } from "../components/SortTabs";
import { useSession } from "../lib/session";
import { useTitle } from "../lib/title";

export function HomePage() {
  const { sort } = usePostSort();
  const { viewer } = useSession();
  useTitle(null);
  return (
    <div className="page with-sidebar">
      <div className="content">
        <h1 className="visually-hidden">Agora front page</h1>
        {/* Open votes in the viewer's communities: an election is not hidden in a tab. */}
        {viewer?.joinedCommunities.slice(0, 8).map((c) => (
          <ActiveVoteBanner key={c.id} community={c.name} named />
        ))}
        <SortTabs />
        <PostList
          key={sort}
          community={null}
          sort={sort}
          empty={
            <>
              <p>No posts yet.</p>
              <p>
                <Link to="/communities">Find a community</Link> or <Link to="/create-community">start your own</Link>.
              </p>
            </>
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
