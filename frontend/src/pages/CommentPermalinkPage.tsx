import { Link, useParams } from "react-router";
import { useQuery } from "urql";
import { CommentPermalinkQuery, type Comment } from "../ops";
import { ErrorNote, ServerHtml, Spinner, Time, UserLink } from "../components/bits";
import { toAppError } from "../lib/errors";
import { useTitle } from "../lib/title";
import { NotFoundPage } from "./NotFoundPage";

/** /c/:name/p/:postId/comment/:commentId: one comment under the comments it answers, with the
 * way back to the whole discussion. */
export function CommentPermalinkPage() {
  const { name = "", postId = "", commentId = "" } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: CommentPermalinkQuery, variables: { id: commentId } });
  const comment = data?.comment;
  useTitle(comment ? `Comment on ${comment.post.title} · c/${comment.post.community.name}` : null);

  if (!data && fetching) return <Spinner label="Loading comment…" />;
  if (!data && error) return <ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!comment || comment.post.id !== postId || comment.post.community.name !== name) {
    return <NotFoundPage title="Comment not found">{null}</NotFoundPage>;
  }
  const thread = `/c/${name}/p/${postId}`;
  return (
    <section className="card permalink" aria-labelledby="permalink-title">
      <h1 id="permalink-title" className="post-full-title">
        <Link to={thread}>{comment.post.title}</Link>
      </h1>
      <p className="notice permalink-note">
        You are viewing a single comment’s thread. <Link to={thread}>Show full thread</Link>
      </p>
      <ol className="comment-parents" aria-label="Comment and the comments it answers">
        {comment.parents.map((p) => (
          <PermalinkComment key={p.id} comment={p} community={name} postId={postId} />
        ))}
        <PermalinkComment comment={comment} community={name} postId={postId} target />
      </ol>
    </section>
  );
}

function PermalinkComment({ comment, community, postId, target = false }: { comment: Comment; community: string; postId: string; target?: boolean }) {
  return (
    <li className={target ? "is-target" : undefined} data-comment-id={comment.id} aria-current={target ? "true" : undefined}>
      <p className="meta">
        <UserLink user={comment.author} community={community} />
        <span aria-hidden="true"> · </span>
        <Link to={`/c/${community}/p/${postId}/comment/${comment.id}`}>
          <Time iso={comment.createdAt} />
        </Link>
        <span aria-hidden="true"> · </span>
        <span className="muted">score {comment.score}</span>
      </p>
      {comment.isRemoved ? (
        <p className="muted">[removed by the moderators]</p>
      ) : comment.isDeleted ? (
        <p className="muted">[deleted]</p>
      ) : (
        <ServerHtml html={comment.bodyHtml ?? ""} />
      )}
    </li>
  );
}
