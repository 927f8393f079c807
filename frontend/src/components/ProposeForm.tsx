import { useId, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useClient, useQuery } from "urql";
import { ProposeElectionMutation, ProposeImpeachmentMutation, StandingQuery, type ProposalDraft } from "../ops";
import { tokens } from "../lib/format";
import { toAppError, type AppError } from "../lib/errors";
import { rememberSentProposal } from "../lib/proposals";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";
import { ErrorNote, FieldError, FormActions } from "./bits";
import { useChainId } from "./Governance";

type Kind = "elect" | "impeach";

/**
 * A new proposal: elect a member moderator, or impeach one. The API checks it and drafts the
 * governor's `propose` call; the member's wallet sends exactly that call (and pays its gas).
 */
export function ProposeForm({ community, threshold, symbol }: { community: string; governor: string; threshold: string; symbol: string }) {
  const id = useId();
  const client = useClient();
  const navigate = useNavigate();
  const notify = useToast();
  const chainId = useChainId();
  const { viewer, ensureSignedIn } = useSession();
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<Kind>("elect");
  const [address, setAddress] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [{ data: standing }] = useQuery({
    query: StandingQuery,
    variables: { address: viewer?.user.address ?? "", community },
    pause: !viewer,
    requestPolicy: "cache-and-network",
  });
  const power = standing?.user ? BigInt(standing.user.votingPower) : null;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!(await ensureSignedIn("to propose")) || !viewer) return;
    const who = address.trim();
    if (!/^0x[0-9a-fA-F]{40}$/.test(who)) {
      setError({ code: "BAD_USER_INPUT", field: "address", message: "Enter a full account address (0x followed by 40 characters)." });
      document.getElementById(`${id}-address`)?.focus();
      return;
    }
    setError(null);
    setBusy("Checking the proposal…");
    const text = description.trim() || null;
    const res =
      kind === "elect"
        ? await client.mutation(ProposeElectionMutation, { community, candidate: who, description: text }).toPromise()
        : await client.mutation(ProposeImpeachmentMutation, { community, moderator: who, description: text }).toPromise();
    const draft: ProposalDraft | undefined = res.data
      ? "proposeModeratorElection" in res.data
        ? res.data.proposeModeratorElection
        : res.data.proposeImpeachment
      : undefined;
    if (res.error || !draft) {
      setBusy(null);
      const problem = toAppError(res.error);
      setError(problem.field === "candidate" || problem.field === "moderator" ? { ...problem, field: "address" } : problem);
      return;
    }
    setBusy("Confirm the proposal in your wallet…");
    try {
      const chain = await import("../lib/chain");
      const tx = await chain.propose({ address: viewer.user.address, chainId }, draft.governorAddress, draft, draft.description);
      rememberSentProposal(draft.id);
      notify(`Proposal sent (transaction ${tx.slice(0, 10)}…).`);
      setAddress("");
      setDescription("");
      setOpen(false);
      navigate(`/c/${community}/governance/${encodeURIComponent(draft.id)}`);
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setBusy(null);
    }
  }

  if (power !== null && power < BigInt(threshold)) {
    // Not offered as if it could work: the governor refuses a proposer below its threshold.
    return (
      <section className="card propose">
        <h3 className="card-title">Propose a change of moderators</h3>
        <p className="cannot small" data-testid="cannot-propose">
          You need {tokens(threshold, 2)} {symbol} of voting power to propose; you have {tokens(power.toString(), 2)} {symbol}.
          Earn points by posting and commenting here (<Link to="/rewards">how points are earned</Link>), then delegate them to
          yourself.
        </p>
      </section>
    );
  }
  if (!open) {
    return (
      <section className="card propose">
        <h3 className="card-title">Propose a change of moderators</h3>
        <p className="small muted">Ask the members to elect someone moderator, or to impeach a moderator.</p>
        <button type="button" className="button primary" onClick={() => setOpen(true)}>
          New proposal
        </button>
      </section>
    );
  }
  const addressError = error?.field === "address" ? error.message : null;
  return (
    <section className="card propose" aria-labelledby={`${id}-title`}>
      <h3 className="card-title" id={`${id}-title`}>
        New proposal
      </h3>
      <form className="stack" onSubmit={submit} aria-labelledby={`${id}-title`}>
        <fieldset className="segmented">
          <legend className="visually-hidden">What to propose</legend>
          {(
            [
              ["elect", "Elect a moderator"],
              ["impeach", "Impeach a moderator"],
            ] as const
          ).map(([k, label]) => (
            <label key={k} className={kind === k ? "active" : ""}>
              <input type="radio" name={`${id}-kind`} value={k} checked={kind === k} onChange={() => setKind(k)} />
              {label}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-address`}>{kind === "elect" ? "Candidate's address" : "Moderator's address"}</label>
          <input
            id={`${id}-address`}
            value={address}
            placeholder="0x…"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={addressError ? true : undefined}
            aria-describedby={`${id}-address-error`}
            onChange={(e) => setAddress(e.target.value)}
          />
          <FieldError id={`${id}-address-error`} text={addressError} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-description`}>Why (optional, markdown; a line naming the candidate if left empty)</label>
          <textarea id={`${id}-description`} rows={3} value={description} maxLength={10000} onChange={(e) => setDescription(e.target.value)} />
        </div>
        {error && error.field !== "address" && <ErrorNote error={error} />}
        {busy && (
          <p className="pending-note small" role="status">
            <span className="spinner" aria-hidden="true" />
            {busy}
          </p>
        )}
        <FormActions busy={!!busy} onCancel={() => setOpen(false)}>
          Propose
        </FormActions>
      </form>
    </section>
  );
}
