import { useEffect, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useClient, useQuery } from "urql";
import { CreatePostMutation, SimilarPostsQuery } from "../ops";
import { ErrorNote, TextField } from "../components/bits";
import { MarkdownEditor } from "../components/MarkdownEditor";
import { useDraft } from "../lib/drafts";
import { plural } from "../lib/format";
import { toAppError, type AppError } from "../lib/errors";
import { useIdempotencyKey } from "../lib/idempotency";
import { useSession } from "../lib/session";
import { useTitle } from "../lib/title";

interface Draft {
  community: string;
  kind: "text" | "link";
  title: string;
  body: string;
  url: string;
}
const EMPTY: Draft = { community: "", kind: "text", title: "", body: "", url: "" };

export function SubmitPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useClient();
  const { viewer, startSignIn, ensureSignedIn } = useSession();
  const [draft, setDraft, clear] = useDraft<Draft>("submit", EMPTY);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const once = useIdempotencyKey();
  useTitle("Create a post");

  const fromUrl = params.get("community");
  useEffect(() => {
    if (fromUrl) setDraft((d) => ({ ...d, community: fromUrl }));
  }, [fromUrl, setDraft]);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!(await ensureSignedIn("to post"))) return;
    const community = draft.community.trim().replace(/^c\//i, "");
    const problem: AppError | null = !community
      ? { code: "BAD_USER_INPUT", field: "community", message: "Choose a community to post in." }
      : !draft.title.trim()
        ? { code: "BAD_USER_INPUT", field: "title", message: "Give your post a title." }
        : draft.kind === "link" && !draft.url.trim()
          ? { code: "BAD_USER_INPUT", field: "url", message: "Paste the link you want to share." }
          : null;
    if (problem) {
      setError(problem);
      document.getElementById(`submit-${problem.field}`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const input =
      draft.kind === "link"
        ? { community, title: draft.title.trim(), url: draft.url.trim(), body: draft.body.trim() ? draft.body : null }
        : { community, title: draft.title.trim(), body: draft.body };
    const res = await client.mutation(CreatePostMutation, { input }, once.context(input)).toPromise();
    setBusy(false);
    if (res.error || !res.data) {
      const err = toAppError(res.error);
      setError(err);
      if (err.field) document.getElementById(`submit-${err.field}`)?.focus();
      return;
    }
    once.done();
    clear();
    const p = res.data.createPost;
    navigate(`/c/${p.community.name}/p/${p.id}`);
  }

  const at = (f: string) => (error?.field === f ? error.message : null);
  const general = error && !["community", "title", "body", "url"].includes(error.field ?? "") ? error : null;

  return (
    <div className="page narrow">
      <h1>Create a post</h1>
      {!viewer && (
        <div className="signin-prompt">
          <p>You can write your post now; you'll need to sign in before it's published.</p>
          <button type="button" className="button primary" onClick={() => startSignIn("to post")}>
            Sign in
          </button>
        </div>
      )}
      <form className="card stack" onSubmit={submit} noValidate aria-describedby={general ? "submit-error" : undefined}>
        <TextField
          id="submit-community"
          label="Community"
          error={at("community")}
          list="joined-communities"
          value={draft.community}
          placeholder="e.g. gardening"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => set("community", e.target.value)}
        >
          <datalist id="joined-communities">
            {viewer?.joinedCommunities.map((c) => <option key={c.id} value={c.name}>{c.title}</option>)}
          </datalist>
        </TextField>

        <fieldset className="segmented">
          <legend className="visually-hidden">Kind of post</legend>
          <label className={draft.kind === "text" ? "active" : ""}>
            <input type="radio" name="kind" value="text" checked={draft.kind === "text"} onChange={() => set("kind", "text")} />
            Text post
          </label>
          <label className={draft.kind === "link" ? "active" : ""}>
            <input type="radio" name="kind" value="link" checked={draft.kind === "link"} onChange={() => set("kind", "link")} />
            Link post
          </label>
        </fieldset>

        <TextField
          id="submit-title"
          label="Title"
          error={at("title")}
          value={draft.title}
          maxLength={300}
          onChange={(e) => set("title", e.target.value)}
        />
        <SimilarPosts title={draft.title} community={draft.community.trim().replace(/^c\//i, "")} />

        {draft.kind === "link" && (
          <TextField
            id="submit-url"
            label="Link"
            error={at("url")}
            type="url"
            inputMode="url"
            placeholder="https://"
            value={draft.url}
            onChange={(e) => set("url", e.target.value)}
          />
        )}

        <MarkdownEditor
          label={draft.kind === "link" ? "Text (optional)" : "Text"}
          name="body"
          id="submit-body"
          value={draft.body}
          onChange={(v) => set("body", v)}
          rows={10}
          error={at("body")}
        />

        {general && <ErrorNote id="submit-error" error={general} />}
        <div className="row end">
          <Link className="button ghost" to={draft.community ? `/c/${draft.community}` : "/"}>
            Cancel
          </Link>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? "Posting…" : "Post"}
          </button>
        </div>
        <p className="hint">Your draft is kept in this tab until you post it.</p>
      </form>
    </div>
  );
}

/** The community's posts most like the title being typed (asked once typing pauses), so that a
 * question asked before is found before it is asked again. */
function SimilarPosts({ title, community }: { title: string; community: string }) {
  const [query, setQuery] = useState("");
  useEffect(() => {
    // Any of the title's words (a post sharing most of them ranks first), not all of them.
    const words = title.replace(/["()|&!:*<>-]/g, " ").split(/\s+/).filter((w) => w && w.toLowerCase() !== "or");
    const t = setTimeout(() => setQuery(words.join(" or ").slice(0, 200)), 400);
    return () => clearTimeout(t);
  }, [title]);
  const ready = query.length >= 3 && community.length >= 3;
  const [{ data }] = useQuery({ query: SimilarPostsQuery, variables: { query, community }, pause: !ready });
  const posts = ready ? (data?.search.edges ?? []).flatMap(({ node }) => (node.__typename === "Post" ? [node] : [])) : [];
  if (posts.length === 0) return null;
  return (
    <aside className="similar-posts" aria-label="Similar posts">
      <strong>Similar posts in c/{community}</strong>
      <ul>
        {posts.map((p) => (
          <li key={p.id}>
            <Link to={`/c/${p.community.name}/p/${p.id}`} target="_blank" rel="noopener">
              {p.title}
            </Link>{" "}
            <span className="muted">· {plural(p.commentCount, "comment", "comments")}</span>
          </li>
        ))}
      </ul>
    </aside>
  );
}
