import { Link } from "react-router";
import { useMemo, useState } from "react";
import { useClient, useQuery, useSubscription } from "urql";
import { CommentCreatedSubscription, CommentTipsQuery, CommentsQuery, CreateCommentMutation, EditCommentMutation, type Comment } from "../ops";
import { useDraft } from "../lib/drafts";
import { toAppError, type AppError } from "../lib/errors";
import { useIdempotencyKey } from "../lib/idempotency";
import { displayName, plural } from "../lib/format";
import { useSession } from "../lib/session";
import { ErrorNote, FormActions, Points, ServerHtml, Spinner, Time, UserLink } from "./bits";
import { ContentActions } from "./ContentActions";
import { EditedMark } from "./EditHistory";
import { MarkdownEditor } from "./MarkdownEditor";
import { VoteButtons } from "./VoteButtons";
import { TipButton, TipTotal, type TipSummary } from "./TipButton";

type CommentSort = "BEST" | "TOP" | "NEW" | "OLD";
const SORTS: { value: CommentSort; label: string }[] = [
  { value: "BEST", label: "Best" },
  { value: "TOP", label: "Top" },
  { value: "NEW", label: "New" },
  { value: "OLD", label: "Old" },
];
const COMMENT_TYPES = { additionalTypenames: ["Comment"] };

export interface CommentNode extends Comment {
  children: CommentNode[];
}

/** The API sends the tree in pre-order with parentId; rebuild the nesting. */
export function buildTree(flat: readonly Comment[]): CommentNode[] {
  const byId = new Map<string, CommentNode>();
  const roots: CommentNode[] = [];
  for (const c of flat) {
    const node: CommentNode = { ...c, children: [] };
    byId.set(c.id, node);
    const parent = c.parentId ? byId.get(c.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

interface Ctx {
  postId: string;
  community: string;
  isModerator: boolean;
  locked: boolean;
  /** Each commenter's points in the community (lower-case address), where the listing had them. */
  points?: ReadonlyMap<string, string>;
  /** The thread's people, whom the editor offers to mention. */
  people?: readonly { address: string; displayName?: string | null }[];
  /** Each comment's tips (by id), read apart from the comments. */
  tips?: ReadonlyMap<string, TipSummary>;
}

export function CommentSection({ postId, community, isModerator, locked, commentCount }: Ctx & { commentCount: number }) {
  const { viewer, isMe, startSignIn } = useSession();
  const [sort, setSort] = useState<CommentSort>("BEST");
  const [live, setLive] = useState<Comment[]>([]);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: CommentsQuery,
    variables: { postId, sort, community },
    context: COMMENT_TYPES,
  });

  // Comments others write arrive over the subscription and join the tree in place.
  useSubscription({ query: CommentCreatedSubscription, variables: { postId } }, (_p, d) => {
    const c = d.commentCreated;
    if (!isMe(c.author?.address)) setLive((l) => (l.some((x) => x.id === c.id) ? l : [...l, c]));
    return d;
  });

  const all = useMemo(() => {
    const base = data?.comments ?? [];
    const known = new Set(base.map((c) => c.id));
    return [...base, ...live.filter((c) => !known.has(c.id))];
  }, [data, live]);
  const tree = useMemo(() => buildTree(all), [all]);
  const points = useMemo(
    () => new Map((data?.comments ?? []).flatMap((c) => (c.author ? [[c.author.address.toLowerCase(), c.author.points] as const] : []))),
    [data],
  );
  const [{ data: tipData }] = useQuery({ query: CommentTipsQuery, variables: { postId } });
  const tips = useMemo(() => new Map((tipData?.comments ?? []).map((c) => [c.id, c.tips] as const)), [tipData]);
  const newIds = useMemo(() => live.map((c) => c.id), [live]);
  const people = useMemo(() => {
    const seen = new Map<string, { address: string; displayName?: string | null }>();
    for (const c of all) if (c.author && !isMe(c.author.address)) seen.set(c.author.address.toLowerCase(), c.author);
    return [...seen.values()];
  }, [all, isMe]);
  const ctx: Ctx = { postId, community, isModerator, locked, points, people, tips };

  return (
    <section className="comments" aria-labelledby="comments-heading">
      <div className="comments-head">
        <h2 id="comments-heading">{plural(data ? all.length : commentCount, "comment")}</h2>
        <label className="inline-label">
          Sort by{" "}
          <select value={sort} onChange={(e) => setSort(e.target.value as CommentSort)}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="visually-hidden" aria-live="polite">
        {newIds.length > 0 ? `${plural(newIds.length, "new comment")} arrived.` : ""}
      </p>
      {locked ? null : viewer ? (
        <CommentForm ctx={ctx} parentId={null} />
      ) : (
        <div className="signin-prompt">
          <p>Sign in to join the conversation.</p>
          <button type="button" className="button primary" onClick={() => startSignIn("to comment")}>
            Sign in
          </button>
        </div>
      )}
      {!data && fetching && <Spinner label="Loading comments…" />}
      {error && !data && <ErrorNote error={toAppError(error)} onRetry={() => reexecute({ requestPolicy: "network-only" })} />}
      {data && all.length === 0 && <p className="muted">No comments yet. Be the first to say something.</p>}
      <ul className="comment-tree" role="list">
        {tree.map((n) => (
          <CommentItem key={n.id} node={n} ctx={ctx} fresh={newIds} />
        ))}
      </ul>
    </section>
  );
}

function CommentItem({ node, ctx, fresh }: { node: CommentNode; ctx: Ctx; fresh: string[] }) {
  const { ensureSignedIn } = useSession();
  const [collapsed, setCollapsed] = useState(false);
  const [replying, setReplying] = useState(false);
  const [editing, setEditing] = useState(false);
  const gone = node.isDeleted || node.isRemoved || node.isBlocked;
  const who = node.author ? displayName(node.author) : node.isBlocked ? "[blocked]" : "[deleted]";
  const count = countDescendants(node);

  return (
    <li className={`comment ${fresh.includes(node.id) ? "is-new" : ""}`} data-comment-id={node.id} data-depth={node.depth}>
      <article aria-label={`Comment by ${who}`}>
        <div className="comment-head">
          <button
            type="button"
            className="collapse"
            aria-expanded={!collapsed}
            aria-label={collapsed ? `Expand comment by ${who}` : `Collapse comment by ${who}`}
            onClick={() => setCollapsed((c) => !c)}
          >
            {collapsed ? "+" : "−"}
          </button>
          <span className="meta">
            <UserLink user={node.author} community={ctx.community} />
            <Points value={node.author && ctx.points?.get(node.author.address.toLowerCase())} community={ctx.community} />
            <span aria-hidden="true"> · </span>
            <Time iso={node.createdAt} />
            {!node.isBlocked && <EditedMark kind="comment" id={node.id} editedAt={node.editedAt} />}
            {collapsed && count > 0 && <span className="muted"> · {plural(count, "reply", "replies")} hidden</span>}
          </span>
        </div>
        {!collapsed && (
          <div className="comment-body">
            {node.isBlocked ? (
              <p className="muted">[blocked]</p>
            ) : node.isRemoved ? (
              <p className="muted">[removed by the moderators]</p>
            ) : node.isDeleted ? (
              <p className="muted">[deleted]</p>
            ) : editing ? (
              <CommentForm ctx={ctx} parentId={node.parentId} editing={node} onDone={() => setEditing(false)} />
            ) : (
              <ServerHtml html={node.bodyHtml ?? ""} />
            )}
            <div className="comment-actions">
              <VoteButtons targetId={node.id} score={node.score} viewerVote={node.viewerVote} what={`comment by ${who}`} layout="row" disabled={gone} />
              <TipTotal tips={ctx.tips?.get(node.id)} community={ctx.community} />
              {!gone && <TipButton itemId={node.id} community={ctx.community} author={node.author} what={`comment by ${who}`} />}
              <ContentActions
                kind="comment"
                id={node.id}
                community={ctx.community}
                author={node.author}
                isModerator={ctx.isModerator}
                gone={gone}
                saved={node.viewerSaved}
                onEdit={() => setEditing(true)}
              >
                {!ctx.locked && !gone && (
                  <button
                    type="button"
                    className="action"
                    aria-expanded={replying}
                    onClick={async () => {
                      if (await ensureSignedIn("to reply")) setReplying((r) => !r);
                    }}
                  >
                    Reply
                  </button>
                )}
                {!node.isBlocked && (
                  <Link className="action" to={`/c/${ctx.community}/p/${node.postId}/comment/${node.id}`} aria-label={`Link to the comment by ${who}`}>
                    Link
                  </Link>
                )}
              </ContentActions>
            </div>
            {replying && <CommentForm ctx={ctx} parentId={node.id} replyTo={who} onDone={() => setReplying(false)} />}
          </div>
        )}
      </article>
      {!collapsed && node.children.length > 0 && (
        <ul className="comment-tree" role="list">
          {node.children.map((c) => (
            <CommentItem key={c.id} node={c} ctx={ctx} fresh={fresh} />
          ))}
        </ul>
      )}
    </li>
  );
}

function countDescendants(n: CommentNode): number {
  return n.children.reduce((s, c) => s + 1 + countDescendants(c), 0);
}

/** New comment, reply or edit. The text is kept (per tab) until it is sent. */
function CommentForm({
  ctx,
  parentId,
  editing,
  replyTo,
  onDone,
}: {
  ctx: Ctx;
  parentId: string | null;
  editing?: Comment;
  replyTo?: string;
  onDone?: () => void;
}) {
  const client = useClient();
  const key = editing ? `edit-comment:${editing.id}` : `comment:${ctx.postId}:${parentId ?? "root"}`;
  const [draft, setDraft, clear] = useDraft(key, { body: editing?.body ?? "" });
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const once = useIdempotencyKey();

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!draft.body.trim()) {
      setError({ code: "BAD_USER_INPUT", field: "body", message: "Write something first." });
      return;
    }
    setBusy(true);
    setError(null);
    const input = { postId: ctx.postId, parentId, body: draft.body };
    const res = editing
      ? await client.mutation(EditCommentMutation, { input: { id: editing.id, body: draft.body } }).toPromise()
      : await client.mutation(CreateCommentMutation, { input }, once.context(input)).toPromise();
    setBusy(false);
    if (res.error) {
      setError(toAppError(res.error));
      return;
    }
    once.done();
    clear();
    onDone?.();
  }

  const label = editing ? "Edit your comment" : replyTo ? `Reply to ${replyTo}` : "Add a comment";
  const fieldErr = error && (error.field === "body" || !error.field) ? error : null;
  return (
    <form className="comment-form" onSubmit={submit}>
      <MarkdownEditor
        label={label}
        hideLabel={!editing && !replyTo}
        value={draft.body}
        onChange={(body) => setDraft({ body })}
        rows={editing || replyTo ? 4 : 3}
        placeholder="What are your thoughts?"
        autoFocus={!!(editing || replyTo)}
        error={fieldErr?.field ? fieldErr.message : null}
        people={ctx.people}
      />
      {error && error.field !== "body" && <ErrorNote error={error} />}
      <FormActions
        busy={busy}
        onCancel={
          onDone &&
          (() => {
            clear();
            onDone();
          })
        }
      >
        {busy ? "Sending…" : editing ? "Save" : replyTo ? "Reply" : "Comment"}
      </FormActions>
    </form>
  );
}
