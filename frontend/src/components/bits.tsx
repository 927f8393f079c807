// Small shared pieces: error notes, times, user links, load-more buttons.
import type { InputHTMLAttributes, ReactNode } from "react";
import { Link } from "react-router";
import type { AppError } from "../lib/errors";
import { displayName, fullDate, initials, pointsOf, timeAgo } from "../lib/format";

export function ErrorNote({ error, id, onRetry }: { error: AppError | null | undefined; id?: string; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div className="error-note" role="alert" id={id}>
      <span>{error.message}</span>
      {onRetry && (
        <button type="button" className="link-button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function FieldError({ id, text }: { id: string; text?: string | null }) {
  if (!text) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {text}
    </p>
  );
}

/** A labelled one-line input with its error (from the server's `field`) announced beside it. */
export function TextField({
  id,
  label,
  error,
  children,
  ...input
}: { id: string; label: string; error?: string | null; children?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={`${id}-error`} {...input} />
      {children}
      <FieldError id={`${id}-error`} text={error} />
    </div>
  );
}

export function Time({ iso, prefix }: { iso: string; prefix?: string }) {
  return (
    <time dateTime={iso} title={fullDate(iso)}>
      {prefix}
      {timeAgo(iso)}
    </time>
  );
}

/** A person's name, linking to their profile; from within a community, the profile also shows
 * their points there. */
export function UserLink({ user, community }: { user: { address: string; displayName?: string | null; deletedAt?: string | null } | null | undefined; community?: string }) {
  if (!user || user.deletedAt) return <span className="muted">[deleted]</span>;
  const to = community ? `/u/${user.address}?community=${encodeURIComponent(community)}` : `/u/${user.address}`;
  return (
    <Link className="user-link" to={to} title={user.address}>
      {displayName(user)}
    </Link>
  );
}

export function Spinner({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function LoadMore({ fetching, onClick, label = "Load more" }: { fetching: boolean; onClick: () => void; label?: string }) {
  return (
    <div className="load-more">
      <button type="button" className="button" onClick={onClick} disabled={fetching}>
        {fetching ? "Loading…" : label}
      </button>
    </div>
  );
}

export function EmptyState({ children }: { children: React.ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** Server-sanitized HTML (bodyHtml, descriptionHtml, renderMarkdown) only. */
export function ServerHtml({ html, className = "prose" }: { html: string; className?: string }) {
  return <div className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** A round badge: the display name's initial on a colour derived from the address. */
export function Avatar({ user, size = "small" }: { user: { address: string; displayName?: string | null }; size?: "small" | "large" }) {
  let h = 0;
  for (const ch of user.address.toLowerCase()) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return (
    <span className={`avatar ${size === "large" ? "large" : ""}`} aria-hidden="true" style={{ background: `hsl(${h} 55% 42%)` }}>
      {user.displayName?.trim() ? initials(user) : ""}
    </span>
  );
}

/**
 * A member's points in a community beside their name (issue 10), in the token's symbol as
 * everywhere; nothing while unknown. Whole points only: the fraction is noise beside a name.
 */
export function Points({ value, community }: { value: string | null | undefined; community: string }) {
  if (value == null) return null;
  const shown = pointsOf(value, community, 0);
  return (
    <span className="points" title={`${shown}: their points in c/${community}`} data-testid="points">
      <span aria-hidden="true"> · </span>
      {shown}
    </span>
  );
}

/** Leaves a form, or a question, unanswered. */
export function CancelButton({ onCancel }: { onCancel: () => void }) {
  return (
    <button type="button" className="button ghost" onClick={onCancel}>
      Cancel
    </button>
  );
}

/** A form's last row: Cancel (where the form can be left) and its submit button, off while busy. */
export function FormActions({ onCancel, busy, children }: { onCancel?: () => void; busy: boolean; children: ReactNode }) {
  return (
    <div className="row end">
      {onCancel && <CancelButton onCancel={onCancel} />}
      <button type="submit" className="button primary" disabled={busy}>
        {children}
      </button>
    </div>
  );
}
