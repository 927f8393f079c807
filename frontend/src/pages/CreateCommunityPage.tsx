import { useState } from "react";
import { useNavigate } from "react-router";
import { useClient } from "urql";
import { CreateCommunityMutation } from "../ops";
import { ErrorNote, FieldError, TextField } from "../components/bits";
import { MarkdownEditor } from "../components/MarkdownEditor";
import { settingUpText } from "../components/CommunityChrome";
import { useDraft } from "../lib/drafts";
import { toAppError, type AppError } from "../lib/errors";
import { useIdempotencyKey } from "../lib/idempotency";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";
import { useTitle } from "../lib/title";
import limits from "../limits.json";

interface Draft {
  name: string;
  title: string;
  description: string;
  rules: string[];
}
const EMPTY: Draft = { name: "", title: "", description: "", rules: [""] };
// The API's own limits (frontend/src/limits.json is exported from it).
const { minLength: NAME_MIN, maxLength: NAME_MAX } = limits.communityName;
const NAME_RE = new RegExp(`^[A-Za-z0-9_]{${NAME_MIN},${NAME_MAX}}$`);
const NAME_RULE = `${NAME_MIN}–${NAME_MAX} letters, digits or underscores`;

export function CreateCommunityPage() {
  const navigate = useNavigate();
  const client = useClient();
  const notify = useToast();
  const { viewer, startSignIn, ensureSignedIn, refreshViewer } = useSession();
  const [draft, setDraft, clear] = useDraft<Draft>("create-community", EMPTY);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const once = useIdempotencyKey();
  useTitle("Create a community");
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!(await ensureSignedIn("to create a community"))) return;
    const name = draft.name.trim();
    if (!NAME_RE.test(name)) {
      setError({ code: "BAD_USER_INPUT", field: "name", message: `Use ${NAME_RULE}, with no spaces.` });
      document.getElementById("cc-name")?.focus();
      return;
    }
    if (!draft.title.trim()) {
      setError({ code: "BAD_USER_INPUT", field: "title", message: "Give the community a title." });
      document.getElementById("cc-title")?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const input = {
      name,
      title: draft.title.trim(),
      description: draft.description,
      rules: draft.rules.map((r) => r.trim()).filter(Boolean),
    };
    const res = await client.mutation(CreateCommunityMutation, { input }, once.context(input)).toPromise();
    setBusy(false);
    if (res.error || !res.data) {
      const err = toAppError(res.error);
      setError(err);
      if (err.field) document.getElementById(`cc-${err.field}`)?.focus();
      return;
    }
    once.done();
    clear();
    notify(settingUpText(res.data.createCommunity.name, true));
    void refreshViewer();
    navigate(`/c/${res.data.createCommunity.name}`);
  }

  const at = (f: string) => (error?.field === f ? error.message : null);
  const general = error && !["name", "title", "description", "rules"].includes(error.field ?? "") ? error : null;

  return (
    <div className="page narrow">
      <h1>Create a community</h1>
      <p className="lead">
        A community is a place for people with a shared interest. You'll be its first moderator once it's set up on the chain (a few seconds); members can later vote
        on how it's run.
      </p>
      {!viewer && (
        <div className="signin-prompt">
          <p>You'll need to sign in to create a community.</p>
          <button type="button" className="button primary" onClick={() => startSignIn("to create a community")}>
            Sign in
          </button>
        </div>
      )}
      <form className="card stack" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="cc-name">Name</label>
          <div className="prefixed">
            <span aria-hidden="true">c/</span>
            <input
              id="cc-name"
              value={draft.name}
              maxLength={NAME_MAX}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={at("name") ? true : undefined}
              aria-describedby="cc-name-hint cc-name-error"
              onChange={(e) => set("name", e.target.value)}
            />
          </div>
          <p className="hint" id="cc-name-hint">
            {NAME_RULE}. It can't be changed later.
          </p>
          <FieldError id="cc-name-error" text={at("name")} />
        </div>
        <TextField
          id="cc-title"
          label="Title"
          error={at("title")}
          value={draft.title}
          maxLength={100}
          onChange={(e) => set("title", e.target.value)}
        />
        <MarkdownEditor
          id="cc-description"
          label="Description"
          value={draft.description}
          onChange={(v) => set("description", v)}
          rows={5}
          placeholder="What is this community about?"
          error={at("description")}
        />
        <fieldset className="rules-editor">
          <legend>Rules</legend>
          <ol>
            {draft.rules.map((r, i) => (
              <li key={i} className="row">
                <label className="visually-hidden" htmlFor={i === 0 ? "cc-rules" : `cc-rule-${i}`}>
                  Rule {i + 1}
                </label>
                <input
                  id={i === 0 ? "cc-rules" : `cc-rule-${i}`}
                  value={r}
                  maxLength={300}
                  placeholder={i === 0 ? "e.g. Be kind" : ""}
                  onChange={(e) => set("rules", draft.rules.map((x, j) => (j === i ? e.target.value : x)))}
                />
                {draft.rules.length > 1 && (
                  <button
                    type="button"
                    className="button ghost small"
                    aria-label={`Remove rule ${i + 1}`}
                    onClick={() => set("rules", draft.rules.filter((_, j) => j !== i))}
                  >
                    Remove
                  </button>
                )}
              </li>
            ))}
          </ol>
          {draft.rules.length < 15 && (
            <button type="button" className="button ghost small" onClick={() => set("rules", [...draft.rules, ""])}>
              Add a rule
            </button>
          )}
          <FieldError id="cc-rules-error" text={at("rules")} />
        </fieldset>
        {general && <ErrorNote error={general} />}
        <div className="row end">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? "Creating…" : "Create community"}
          </button>
        </div>
      </form>
    </div>
  );
}
