import { useEffect, useRef, useState } from "react";
import { useClient } from "urql";
import { VoteMutation } from "../ops";
import { toAppError } from "../lib/errors";
import { compactNumber } from "../lib/format";
import { useSession } from "../lib/session";

type Dir = "UP" | "DOWN" | "NONE";
const value = (d: Dir) => (d === "UP" ? 1 : d === "DOWN" ? -1 : 0);

interface Props {
  targetId: string;
  score: number;
  viewerVote: Dir;
  /** What is voted on, for screen readers: "post “Hello”", "comment by alice". */
  what: string;
  layout?: "column" | "row";
  disabled?: boolean;
}

/** Up/down arrows that move at once and roll back (with a note) if the server says no. */
export function VoteButtons({ targetId, score, viewerVote, what, layout = "column", disabled }: Props) {
  const client = useClient();
  const { ensureSignedIn } = useSession();
  const [state, setState] = useState({ score, vote: viewerVote });
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const stateRef = useRef(state);
  stateRef.current = state;

  // New data from the server (a refetch) wins over local state.
  useEffect(() => setState({ score, vote: viewerVote }), [score, viewerVote]);

  useEffect(() => {
    if (!error) return;
    const t = window.setTimeout(() => setError(null), 6000);
    return () => window.clearTimeout(t);
  }, [error]);

  async function cast(dir: "UP" | "DOWN") {
    if (!(await ensureSignedIn("to vote"))) return;
    const before = stateRef.current;
    const next: Dir = before.vote === dir ? "NONE" : dir;
    const mine = ++seq.current;
    setError(null);
    setState({ score: before.score - value(before.vote) + value(next), vote: next });
    const res = await client.mutation(VoteMutation, { targetId, direction: next }).toPromise();
    if (mine !== seq.current) return; // a newer click is in flight
    if (res.error || !res.data) {
      setState(before);
      setError(toAppError(res.error).message);
    } else {
      setState({ score: res.data.vote.score, vote: res.data.vote.viewerVote });
    }
  }

  return (
    <div className={`vote vote-${layout}`}>
      <VoteButton dir="UP" what={what} vote={state.vote} disabled={disabled} onClick={cast} />
      <span className="vote-score" aria-label={`Score ${state.score}`} data-testid="score">
        {compactNumber(state.score)}
      </span>
      <VoteButton dir="DOWN" what={what} vote={state.vote} disabled={disabled} onClick={cast} />
      {error && (
        <span className="vote-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

const ARROWS = {
  UP: { label: "Upvote", className: "vote-up", path: "M10 3 3 11h4.5v6h5v-6H17z" },
  DOWN: { label: "Downvote", className: "vote-down", path: "M10 17 3 9h4.5V3h5v6H17z" },
};

function VoteButton({ dir, what, vote, disabled, onClick }: { dir: "UP" | "DOWN"; what: string; vote: Dir; disabled?: boolean; onClick: (dir: "UP" | "DOWN") => void }) {
  const arrow = ARROWS[dir];
  return (
    <button type="button" className={arrow.className} aria-label={`${arrow.label} ${what}`} aria-pressed={vote === dir} disabled={disabled} onClick={() => onClick(dir)}>
      <svg viewBox="0 0 20 20" aria-hidden="true" width="18" height="18">
        <path d={arrow.path} />
      </svg>
    </button>
  );
}
