import { displayName, shortAddress } from "../lib/format";

export interface Person {
  address: string;
  displayName?: string | null;
}

// The word being typed at the caret when it starts with "@": what to suggest people for.
const TYPING_MENTION = /(?:^|\s)@([^\s@]{0,42})$/;

/** What is typed after "@" just before the caret, or null when no mention is being typed. */
export function mentionAt(text: string, caret: number): string | null {
  const found = TYPING_MENTION.exec(text.slice(0, caret));
  return found ? found[1] : null;
}

/** `text` with the mention being typed before `caret` completed to `address`, and the caret
 *  after it. A mention is the full address: that is what the server links and notifies. */
export function completeMention(text: string, caret: number, typed: string, address: string): [string, number] {
  const start = caret - typed.length - 1;
  const inserted = `@${address} `;
  return [text.slice(0, start) + inserted + text.slice(caret), start + inserted.length];
}

/** The thread's people whose name or address starts what is typed after "@". */
export function MentionSuggestions({ people, typed, onPick }: { people: readonly Person[]; typed: string; onPick: (p: Person) => void }) {
  const q = typed.toLowerCase();
  const matches = people
    .filter((p) => (p.displayName ?? "").toLowerCase().includes(q) || p.address.toLowerCase().startsWith(q))
    .slice(0, 6);
  if (matches.length === 0) return null;
  return (
    <ul className="mention-suggestions" role="listbox" aria-label="People to mention">
      {matches.map((p) => (
        <li key={p.address} role="option" aria-selected="false">
          <button type="button" onMouseDown={(e) => e.preventDefault()} onClick={() => onPick(p)}>
            <strong>{displayName(p)}</strong> <span className="muted small">{shortAddress(p.address)}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
