import { useEffect, useRef, useState } from "react";
import { useQuery } from "urql";
import { CommentRevisionsQuery, PostRevisionsQuery } from "../ops";
import { toAppError } from "../lib/errors";
import { fullDate } from "../lib/format";
import { ErrorNote, Spinner } from "./bits";

type Version = { title?: string | null; body: string | null; editedAt: string };

/**
 * "· edited", and one click away the versions each edit replaced, oldest first (Peepeth: nothing
 * written is silently rewritten). The history is asked only when opened.
 */
export function EditedMark({ kind, id, editedAt }: { kind: "post" | "comment"; id: string; editedAt: string | null | undefined }) {
  const [open, setOpen] = useState(false);
  if (!editedAt) return null;
  return (
    <>
      <span aria-hidden="true"> · </span>
      <button
        type="button"
        className="link-button muted"
        aria-haspopup="dialog"
        title={`Edited ${fullDate(editedAt)}: see what it said before`}
        onClick={() => setOpen(true)}
      >
        edited
      </button>
      {open && <HistoryDialog kind={kind} id={id} onClose={() => setOpen(false)} />}
    </>
  );
}

function HistoryDialog({ kind, id, onClose }: { kind: "post" | "comment"; id: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  const [post] = useQuery({ query: PostRevisionsQuery, variables: { id }, pause: kind !== "post", requestPolicy: "network-only" });
  const [comment] = useQuery({ query: CommentRevisionsQuery, variables: { id }, pause: kind !== "comment", requestPolicy: "network-only" });
  const result = kind === "post" ? post : comment;
  const versions: readonly Version[] | undefined = kind === "post" ? post.data?.post?.revisions : comment.data?.comment?.revisions;
  const titleId = `history-${id}`;
  return (
    <dialog ref={ref} className="dialog history-dialog" aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      <div className="stack">
        <h2 id={titleId}>Edit history</h2>
        {!result.data && result.fetching && <Spinner label="Loading history…" />}
        {result.error && <ErrorNote error={toAppError(result.error)} />}
        {versions && versions.length === 0 && <p className="muted">No earlier versions can be shown.</p>}
        {versions && versions.length > 0 && (
          <ol className="history-list">
            {versions.map((v, i) => (
              <li key={i} className="history-version">
                <p className="meta">Replaced {fullDate(v.editedAt)}</p>
                {v.title && kind === "post" && <p className="history-title">{v.title}</p>}
                <p className="history-body">{v.body ?? <span className="muted">(no text)</span>}</p>
              </li>
            ))}
          </ol>
        )}
        <div className="row end">
          <button type="button" className="button ghost" onClick={() => ref.current?.close()}>
            Close
          </button>
        </div>
      </div>
    </dialog>
  );
}
