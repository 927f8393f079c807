import { useId, useState } from "react";
import { useClient } from "urql";
import { RenderMarkdownQuery } from "../ops";
import { toAppError, type AppError } from "../lib/errors";
import { ErrorNote, FieldError, ServerHtml, Spinner } from "./bits";

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
}

/** A textarea with a Write / Preview switch; the preview is the server's own renderer. */
export function MarkdownEditor({ label, value, onChange, error, rows = 6, placeholder, required, autoFocus, name, hideLabel, id: givenId }: Props) {
  const autoId = useId();
  const id = givenId ?? autoId;
  const client = useClient();
  const [mode, setMode] = useState<"write" | "preview">("write");
  const [html, setHtml] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<AppError | null>(null);
  const [loading, setLoading] = useState(false);

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
        onChange={(e) => onChange(e.target.value)}
      />
      {mode === "write" && (
        <p className="hint" id={`${id}-hint`}>
          Markdown works: **bold**, _italic_, [links](https://example.org), lists and `code`.
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
