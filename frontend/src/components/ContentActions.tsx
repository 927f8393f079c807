import { useId, useState, type ReactNode } from "react";
import { useClient } from "urql";
import {
  BLOCK_TYPES,
  BanUserMutation,
  BlockUserMutation,
  DeleteCommentMutation,
  DeletePostMutation,
  RemoveCommentMutation,
  RemovePostMutation,
  ReportMutation,
  SAVE_TYPES,
  SaveMutation,
  type UserRef,
} from "../ops";
import { toAppError, type AppError } from "../lib/errors";
import { displayName } from "../lib/format";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";
import { CancelButton, ErrorNote } from "./bits";

type Panel = null | "report" | "remove" | "ban" | "delete" | "block";

interface Props {
  kind: "post" | "comment";
  id: string;
  community: string;
  author: UserRef | null | undefined;
  isModerator: boolean;
  /** Deleted or removed: only a few actions make sense. */
  gone: boolean;
  /** Whether the viewer saved it (undefined: no Save button). */
  saved?: boolean;
  onEdit?: () => void;
  children?: ReactNode;
}

const REPORT_REASONS = ["Spam", "Harassment or hate", "Breaks the community's rules", "Misleading", "Other"];

export function ContentActions({ kind, id, community, author, isModerator, gone, saved, onEdit, children }: Props) {
  const client = useClient();
  const notify = useToast();
  const { isMe, ensureSignedIn } = useSession();
  const [panel, setPanel] = useState<Panel>(null);
  const [saving, setSaving] = useState(false);
  const mine = isMe(author?.address);
  const label = kind === "post" ? "post" : "comment";

  async function open(p: Panel) {
    if (!(await ensureSignedIn(p === "report" ? "to report content" : p === "block" ? "to block someone" : undefined))) return;
    setPanel((cur) => (cur === p ? null : p));
  }

  async function toggleSaved() {
    if (!(await ensureSignedIn(`to save this ${label}`))) return;
    setSaving(true);
    const res = await client.mutation(SaveMutation, { targetId: id, saved: !saved }, SAVE_TYPES).toPromise();
    setSaving(false);
    if (res.error) notify(toAppError(res.error).message, "error");
    else notify(saved ? `Removed from your saved ${label}s.` : `Saved. Find it under Saved in your menu.`);
  }

  async function block(): Promise<AppError | null> {
    const res = await client.mutation(BlockUserMutation, { address: author!.address, blocked: true }, BLOCK_TYPES).toPromise();
    if (res.error) return toAppError(res.error);
    setPanel(null);
    notify(`${displayName(author!)} is blocked: you won't see their posts and comments.`);
    return null;
  }

  async function run(p: Exclude<Panel, null>, reason: string): Promise<AppError | null> {
    let res;
    if (p === "report") res = await client.mutation(ReportMutation, { targetId: id, reason }).toPromise();
    else if (p === "remove")
      res =
        kind === "post"
          ? await client.mutation(RemovePostMutation, { id, reason: reason || null }).toPromise()
          : await client.mutation(RemoveCommentMutation, { id, reason: reason || null }).toPromise();
    else if (p === "ban")
      res = await client
        .mutation(BanUserMutation, { input: { community, address: author!.address, reason: reason || null } })
        .toPromise();
    else
      res =
        kind === "post"
          ? await client.mutation(DeletePostMutation, { id }).toPromise()
          : await client.mutation(DeleteCommentMutation, { id }).toPromise();
    if (res.error) return toAppError(res.error);
    setPanel(null);
    notify(
      p === "report"
        ? "Thanks — the moderators will take a look."
        : p === "remove"
          ? `The ${label} was removed.`
          : p === "ban"
            ? `${displayName(author!)} is banned from c/${community}.`
            : `Your ${label} was deleted.`,
    );
    return null;
  }

  return (
    <>
      <div className="actions">
        {children}
        {saved !== undefined && !gone && (
          <button type="button" className="action" aria-label={`Save this ${label}`} aria-pressed={saved} disabled={saving} onClick={toggleSaved}>
            {saved ? "Saved" : "Save"}
          </button>
        )}
        {mine && !gone && onEdit && (
          <button type="button" className="action" onClick={onEdit}>
            Edit
          </button>
        )}
        {mine && !gone && (
          <button type="button" className="action" aria-expanded={panel === "delete"} onClick={() => open("delete")}>
            Delete
          </button>
        )}
        {!mine && !gone && (
          <button type="button" className="action" aria-expanded={panel === "report"} onClick={() => open("report")}>
            Report
          </button>
        )}
        {!mine && author && (
          <button type="button" className="action" aria-label={`Block ${displayName(author)}`} aria-expanded={panel === "block"} onClick={() => open("block")}>
            Block
          </button>
        )}
        {isModerator && !gone && (
          <button type="button" className="action mod" aria-expanded={panel === "remove"} onClick={() => open("remove")}>
            Remove
          </button>
        )}
        {isModerator && author && !mine && (
          <button type="button" className="action mod" aria-expanded={panel === "ban"} onClick={() => open("ban")}>
            Ban author
          </button>
        )}
      </div>
      {panel === "delete" && (
        <ConfirmForm
          text={`Delete your ${label}? This can't be undone.`}
          confirm="Yes, delete"
          onCancel={() => setPanel(null)}
          onConfirm={() => run("delete", "")}
        />
      )}
      {panel === "block" && author && (
        <ConfirmForm
          text={`Block ${displayName(author)}? Their posts and comments will be hidden from you, and they can't notify you. You can unblock them under Blocked in your menu.`}
          confirm="Block"
          onCancel={() => setPanel(null)}
          onConfirm={block}
        />
      )}
      {panel === "report" && (
        <ReasonForm
          legend={`Report this ${label}`}
          choices={REPORT_REASONS}
          submit="Send report"
          requireReason
          onCancel={() => setPanel(null)}
          onSubmit={(r) => run("report", r)}
        />
      )}
      {panel === "remove" && (
        <ReasonForm
          legend={`Remove this ${label} (moderator)`}
          submit={`Remove ${label}`}
          onCancel={() => setPanel(null)}
          onSubmit={(r) => run("remove", r)}
        />
      )}
      {panel === "ban" && author && (
        <ReasonForm
          legend={`Ban ${displayName(author)} from c/${community}`}
          submit="Ban user"
          onCancel={() => setPanel(null)}
          onSubmit={(r) => run("ban", r)}
        />
      )}
    </>
  );
}

function ConfirmForm({ text, confirm, onConfirm, onCancel }: { text: string; confirm: string; onConfirm: () => Promise<AppError | null>; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  return (
    <div className="inline-panel" role="group" aria-label={text}>
      <p>{text}</p>
      <ErrorNote error={error} />
      <div className="row">
        <button
          type="button"
          className="button danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(await onConfirm());
            setBusy(false);
          }}
        >
          {confirm}
        </button>
        <CancelButton onCancel={onCancel} />
      </div>
    </div>
  );
}

function ReasonForm({
  legend,
  choices,
  submit,
  requireReason,
  onSubmit,
  onCancel,
}: {
  legend: string;
  choices?: string[];
  submit: string;
  requireReason?: boolean;
  onSubmit: (reason: string) => Promise<AppError | null>;
  onCancel: () => void;
}) {
  const id = useId();
  const [choice, setChoice] = useState(choices?.[0] ?? "");
  const [details, setDetails] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const reason = [choice, details.trim()].filter(Boolean).join(": ");

  return (
    <form
      className="inline-panel"
      onSubmit={async (e) => {
        e.preventDefault();
        if (requireReason && !reason) {
          setError({ code: "BAD_USER_INPUT", message: "Please say what's wrong." });
          return;
        }
        setBusy(true);
        setError(await onSubmit(reason));
        setBusy(false);
      }}
    >
      <fieldset>
        <legend>{legend}</legend>
        {choices && (
          <div className="field">
            <label htmlFor={`${id}-c`}>Reason</label>
            <select id={`${id}-c`} value={choice} onChange={(e) => setChoice(e.target.value)}>
              {choices.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-d`}>{choices ? "Details (optional)" : "Reason (optional, shown in the public log)"}</label>
          <input id={`${id}-d`} value={details} maxLength={500} onChange={(e) => setDetails(e.target.value)} />
        </div>
        <ErrorNote error={error} />
        <div className="row">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? "Sending…" : submit}
          </button>
          <CancelButton onCancel={onCancel} />
        </div>
      </fieldset>
    </form>
  );
}
