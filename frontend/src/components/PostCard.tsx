import { Link } from "react-router";
import type { PostCardPost } from "../ops";
import { domainOf, excerpt, plural } from "../lib/format";
import { Points, Time, UserLink } from "./bits";
import { VoteButtons } from "./VoteButtons";
import { CommentIcon } from "./icons";
import { ContentActions } from "./ContentActions";
import { TipTotal } from "./TipButton";

/** One post in a feed. */
export function PostCard({ post, showCommunity, points }: { post: PostCardPost; showCommunity: boolean; points?: string }) {
  const href = `/c/${post.community.name}/p/${post.id}`;
  const gone = post.isDeleted || post.isRemoved;
  const teaser = gone ? "" : excerpt(post.body);
  return (
    <article className="post-card" aria-labelledby={`post-${post.id}-title`} data-post-id={post.id}>
      <VoteButtons targetId={post.id} score={post.score} viewerVote={post.viewerVote} what={`post “${post.title}”`} disabled={gone} />
      <div className="post-card-main">
        <p className="meta">
          {showCommunity && (
            <>
              <Link className="community-link" to={`/c/${post.community.name}`}>
                c/{post.community.name}
              </Link>
              <span aria-hidden="true"> · </span>
            </>
          )}
          <span>
            by <UserLink user={post.author} community={post.community.name} />
            <Points value={points} community={post.community.name} />
          </span>
          <span aria-hidden="true"> · </span>
          <Time iso={post.createdAt} />
          <TipTotal tips={post.tips} community={post.community.name} />
        </p>
        <div className="post-title-row">
          <h2 className="post-title" id={`post-${post.id}-title`}>
            <Link to={href}>{post.title}</Link>
          </h2>
          {post.url && !gone && (
            <a className="domain" href={post.url} target="_blank" rel="noopener noreferrer nofollow ugc">
              {domainOf(post.url)}
              <span className="visually-hidden"> (opens in a new tab)</span>
              <span aria-hidden="true"> ↗</span>
            </a>
          )}
        </div>
        {post.isRemoved && <p className="muted">[removed by the moderators]</p>}
        {post.isDeleted && !post.isRemoved && <p className="muted">[deleted by the author]</p>}
        {teaser && <p className="teaser">{teaser}</p>}
        <ContentActions
          kind="post"
          id={post.id}
          community={post.community.name}
          author={post.author}
          isModerator={post.community.viewerIsModerator}
          gone={gone}
          saved={post.viewerSaved}
        >
          <Link className="action" to={href}>
            <CommentIcon />
            {plural(post.commentCount, "comment")}
          </Link>
        </ContentActions>
      </div>
    </article>
  );
}
