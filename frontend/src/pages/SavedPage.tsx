import { useMemo } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { SAVE_TYPES, SavedQuery } from "../ops";
import { ServerHtml, Time } from "../components/bits";
import { ContentActions } from "../components/ContentActions";
import { PageItems, Paged, type PageArgs } from "../components/Paged";
import { PostCard } from "../components/PostCard";
import { SignedInPage } from "../components/SignedInPage";
import { useTitle } from "../lib/title";

/** `/saved`: what the viewer saved, newest save first. */
export function SavedPage() {
  useTitle("Saved");
  return (
    <SignedInPage title="Saved" reason="to see what you saved">
      {() => (
        <>
          <p className="muted">Posts and comments you saved, the latest first. Only you can see this list.</p>
          <ul className="plain-list saved-list" role="list">
            <Paged resetKey="saved" page={(p) => <SavedChunk {...p} />} />
          </ul>
        </>
      )}
    </SignedInPage>
  );
}

function SavedChunk(page: PageArgs) {
  const variables = useMemo(() => ({ first: 25, after: page.after }), [page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: SavedQuery, variables, context: SAVE_TYPES });
  return (
    <PageItems
      page={page}
      connection={data?.viewer?.saved}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading saved items…"
      empty="Nothing saved yet. Use Save under a post or comment to keep it here."
      item={(node) =>
        node.__typename === "Post" ? (
          <li key={node.id}>
            <PostCard post={node} showCommunity />
          </li>
        ) : node.__typename === "Comment" ? (
          <li key={node.id} className="card user-comment" data-comment-id={node.id}>
            <p className="meta">
              Comment on <Link to={`/c/${node.post.community.name}/p/${node.post.id}`}>{node.post.title}</Link> in{" "}
              <Link to={`/c/${node.post.community.name}`}>c/{node.post.community.name}</Link> · <Time iso={node.createdAt} />
            </p>
            {node.isRemoved ? <p className="muted">[removed]</p> : node.isDeleted ? <p className="muted">[deleted]</p> : <ServerHtml html={node.bodyHtml ?? ""} />}
            <ContentActions
              kind="comment"
              id={node.id}
              community={node.post.community.name}
              author={node.author}
              isModerator={false}
              gone={node.isDeleted || node.isRemoved}
              saved={node.viewerSaved}
            />
          </li>
        ) : null
      }
    />
  );
}
