import { useId, useRef, useState } from "react";
import { useClient } from "urql";
import { RenderMarkdownQuery } from "../ops";
import { toAppError, type AppError } from "../lib/errors";
import { ErrorNote, FieldError, ServerHtml, Spinner } from "./bits";
import { MentionSuggestions, completeMention, mentionAt, type Person } from "./MentionSuggestions";

interface Props {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | null;
  rows?: number;
  placeholder?: string;
  required?: boolean;
  autoFocus?: boolean;
  name?: string;
  hideLabel?: boolean;
  id?: string;
  /** People to offer when "@" is typed (the thread's), by display name. */
  people?: readonly Person[];
}

/** A textarea with a Write / Preview switch; the preview is the server's own renderer. */
export function MarkdownEditor({ label, value, onChange, error, rows = 6, placeholder, required, autoFocus, name, hideLabel, id: givenId, people = [] }: Props) {
  const autoId = useId();
  const id = givenId ?? autoId;
  const client = useClient();
  const [mode, setMode] = useState<"write" | "preview">("write");
  const [html, setHtml] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<AppError | null>(null);
  const [loading, setLoading] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const [typed, setTyped] = useState<string | null>(null);
  const follow = (el: HTMLTextAreaElement) => setTyped(people.length ? mentionAt(el.value, el.selectionStart) : null);

  function pick(person: Person) {
    const el = area.current;
    if (!el || typed === null) return;
    const [text, caret] = completeMention(el.value, el.selectionStart, typed, person.address);
    onChange(text);
    setTyped(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(caret, caret);
    });
  }

  async function showPreview() {
    setMode("preview");
    setPreviewError(null);
    if (!value.trim()) {
      setHtml("");
      return;
    }
    setLoading(true);
    const res = await client.query(RenderMarkdownQuery, { source: value }, { requestPolicy: "network-only" }).toPromise();
    setLoading(false);
    if (res.error || !res.data) setPreviewError(toAppError(res.error));
    else setHtml(res.data.renderMarkdown);
  }

  const errorId = `${id}-error`;
  return (
    <div className="md-editor">
      <div className="md-editor-head">
        <label htmlFor={id} className={hideLabel ? "visually-hidden" : "field-label"}>
          {label}
        </label>
        <div className="md-tabs" role="group" aria-label="Editor mode">
          <button type="button" aria-pressed={mode === "write"} onClick={() => setMode("write")}>
            Write
          </button>
          <button type="button" aria-pressed={mode === "preview"} onClick={showPreview}>
            Preview
          </button>
        </div>
      </div>
      <textarea
        ref={area}
        id={id}
        name={name}
        rows={rows}
        value={value}
        placeholder={placeholder}
        required={required}
        autoFocus={autoFocus}
        hidden={mode === "preview"}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : `${id}-hint`}
        onChange={(e) => {
          onChange(e.target.value);
          follow(e.target);
        }}
        onSelect={(e) => follow(e.currentTarget)}
        onBlur={() => setTyped(null)}
      />
      {mode === "write" && typed !== null && <MentionSuggestions people={people} typed={typed} onPick={pick} />}
      {mode === "write" && (
        <p className="hint" id={`${id}-hint`}>
          Markdown works: **bold**, _italic_, [links](https://example.org), lists and `code`.
          {people.length > 0 && " Type @ to mention someone in the thread."}
        </p>
      )}
      {mode === "preview" && (
        <div className="md-preview" aria-live="polite" aria-label={`${label} preview`} role="region">
          {loading ? (
            <Spinner label="Rendering preview…" />
          ) : previewError ? (
            <ErrorNote error={previewError} onRetry={showPreview} />
          ) : html ? (
            <ServerHtml html={html} />
          ) : (
            <p className="muted">Nothing to preview yet.</p>
          )}
        </div>
      )}
      <FieldError id={errorId} text={error} />
    </div>
  );
}
