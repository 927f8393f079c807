import { useState } from "react";
import { Link, useParams } from "react-router";
import { useClient, useQuery } from "urql";
import { EditPostMutation, PostQuery, type Post } from "../ops";
import { ErrorNote, FormActions, Points, ServerHtml, Spinner, TextField, Time, UserLink } from "../components/bits";
import { CommentSection } from "../components/Comments";
import { ContentActions } from "../components/ContentActions";
import { EditedMark } from "../components/EditHistory";
import { MarkdownEditor } from "../components/MarkdownEditor";
import { VoteButtons } from "../components/VoteButtons";
import { TipButton, TipTotal } from "../components/TipButton";
import { useDraft } from "../lib/drafts";
import { toAppError, type AppError } from "../lib/errors";
import { domainOf } from "../lib/format";
import { useCommunity } from "./CommunityPage";
import { NotFoundPage } from "./NotFoundPage";
import { useTitle } from "../lib/title";

const POST_TYPES = { additionalTypenames: ["Comment"] };

export function PostPage() {
  const { postId = "" } = useParams();
  const community = useCommunity();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: PostQuery, variables: { id: postId, community: community.name }, context: POST_TYPES });
  const [editing, setEditing] = useState(false);
  useTitle(data?.post ? `${data.post.title} · c/${data.post.community.name}` : null);

  if (!data && fetching) return <Spinner label="Loading post…" />;
  if (!data && error) return <ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  const post = data?.post;
  if (!post) return <NotFoundPage title="Post not found">{null}</NotFoundPage>;
  const gone = post.isDeleted || post.isRemoved;

  return (
    <>
      <article className="post-full" aria-labelledby="post-title" data-post-id={post.id}>
        <VoteButtons targetId={post.id} score={post.score} viewerVote={post.viewerVote} what={`post “${post.title}”`} disabled={gone} />
        <div className="post-full-main">
          <p className="meta">
            <Link className="community-link" to={`/c/${post.community.name}`}>
              c/{post.community.name}
            </Link>
            <span aria-hidden="true"> · </span>
            <span>
              by <UserLink user={post.author} community={post.community.name} />
              <Points value={post.author?.points} community={post.community.name} />
            </span>
            <span aria-hidden="true"> · </span>
            <Time iso={post.createdAt} />
            <EditedMark kind="post" id={post.id} editedAt={post.editedAt} />
            <TipTotal tips={post.tips} community={post.community.name} />
          </p>
          <h1 id="post-title" className="post-full-title">
            {post.title}
          </h1>
          {post.isRemoved && <p className="notice">This post was removed by the moderators.</p>}
          {post.isDeleted && !post.isRemoved && <p className="notice">The author deleted this post.</p>}
          {editing ? (
            <EditPost post={post} onDone={() => setEditing(false)} />
          ) : (
            <>
              {post.url && !gone && (
                <p className="post-link">
                  <a href={post.url} target="_blank" rel="noopener noreferrer nofollow ugc">
                    {post.url}
                  </a>{" "}
                  <span className="muted">({domainOf(post.url)})</span>
                </p>
              )}
              {post.bodyHtml && !gone && <ServerHtml html={post.bodyHtml} />}
            </>
          )}
          <ContentActions
            kind="post"
            id={post.id}
            community={post.community.name}
            author={post.author}
            isModerator={community.viewerIsModerator}
            gone={gone}
            saved={post.viewerSaved}
            onEdit={() => setEditing(true)}
          />
          {!gone && <TipButton itemId={post.id} community={post.community.name} author={post.author} what={`post “${post.title}”`} />}
        </div>
      </article>
      <CommentSection
        postId={post.id}
        community={post.community.name}
        isModerator={community.viewerIsModerator}
        locked={gone || community.viewerIsBanned}
        commentCount={post.commentCount}
      />
    </>
  );
}

function EditPost({ post, onDone }: { post: Post; onDone: () => void }) {
  const client = useClient();
  const isLink = !!post.url;
  const [draft, setDraft, clear] = useDraft(`edit-post:${post.id}`, { body: post.body ?? "", url: post.url ?? "" });
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const input = isLink ? { id: post.id, url: draft.url.trim(), body: draft.body || null } : { id: post.id, body: draft.body };
    const res = await client.mutation(EditPostMutation, { input }).toPromise();
    setBusy(false);
    if (res.error) {
      setError(toAppError(res.error));
      return;
    }
    clear();
    onDone();
  }

  return (
    <form className="stack edit-post" onSubmit={submit}>
      {isLink && (
        <TextField
          id="edit-url"
          label="Link"
          error={error?.field === "url" ? error.message : null}
          type="url"
          value={draft.url}
          onChange={(e) => setDraft((d) => ({ ...d, url: e.target.value }))}
        />
      )}
      <MarkdownEditor
        label={isLink ? "Text (optional)" : "Text"}
        value={draft.body}
        onChange={(body) => setDraft((d) => ({ ...d, body }))}
        rows={8}
        autoFocus
        error={error?.field === "body" ? error.message : null}
      />
      {error && error.field !== "body" && error.field !== "url" && <ErrorNote error={error} />}
      <FormActions
        busy={busy}
        onCancel={() => {
          clear();
          onDone();
        }}
      >
        {busy ? "Saving…" : "Save"}
      </FormActions>
    </form>
  );
}
