import { useId, useState } from "react";
import { useClient, useQuery } from "urql";
import { RelayTipMutation, TipSetupQuery } from "../ops";
import { toAppError, type AppError } from "../lib/errors";
import { pointsOf, tokenSymbol, tokens } from "../lib/format";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";
import { ErrorNote } from "./bits";

export interface TipSummary {
  count: number;
  total: string;
  viewerTotal: string | null;
}

const POINT = 10n ** 18n;
const PRESETS = [1, 5, 10];

/** An item's tips beside its score: what its author was paid for it, in the community's points. */
export function TipTotal({ tips, community }: { tips: TipSummary | undefined; community: string }) {
  if (!tips || tips.count === 0) return null;
  const yours = tips.viewerTotal && tips.viewerTotal !== "0" ? ` (${tokens(tips.viewerTotal, 2)} from you)` : "";
  return (
    <span className="tip-total" data-testid="tip-total" title={`${tips.count} tip${tips.count === 1 ? "" : "s"}${yours}`}>
      ◆ {pointsOf(tips.total, community)} tipped
    </span>
  );
}

/**
 * The Tip button of a post or comment: an amount in points, the tipper's balance, and a choice of
 * paying the gas (wallet) or not (gasless: two signatures the operator relays). Tips are not
 * votes: the item's score does not change.
 */
export function TipButton({
  itemId,
  community,
  author,
  what,
  onTipped,
}: {
  itemId: string;
  community: string;
  author: { address: string } | null | undefined;
  what: string;
  onTipped?: () => void;
}) {
  const { viewer, ensureSignedIn } = useSession();
  const client = useClient();
  const notify = useToast();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [points, setPoints] = useState("1");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<AppError | null>(null);
  const [{ data }] = useQuery({
    query: TipSetupQuery,
    variables: { community, viewer: viewer?.user.address ?? "" },
    pause: !open || !viewer,
    requestPolicy: "cache-and-network",
  });
  if (!author) return null;
  const self = viewer && viewer.user.address.toLowerCase() === author.address.toLowerCase();
  const token = data?.community?.chain?.tokenAddress ?? null;
  const balance = BigInt(data?.user?.points ?? "0");

  function refusal(amount: bigint | null): AppError | null {
    if (self) return { code: "FORBIDDEN", message: "You can't tip your own post or comment." };
    if (!data) return null;
    if (!data.tipsContract) return { code: "CONFLICT", message: "Tips aren't available here: the platform has no Tips contract." };
    if (!token) return { code: "CONFLICT", message: `c/${community} isn't on-chain yet, so its points can't be tipped.` };
    if (balance === 0n) return { code: "CONFLICT", message: `You have no ${tokenSymbol(community)} in c/${community} to tip with. Points come from rewards for popular posts and comments.` };
    if (amount === null || amount <= 0n) return { code: "BAD_USER_INPUT", message: `Choose an amount of ${tokenSymbol(community)} above zero.`, field: "amount" };
    if (amount > balance) return { code: "BAD_USER_INPUT", message: `You have ${pointsOf(balance.toString(), community)} in c/${community}.`, field: "amount" };
    return null;
  }

  function amountOf(text: string): bigint | null {
    const m = /^\s*(\d{1,12})(?:\.(\d{1,18}))?\s*$/.exec(text);
    if (!m) return null;
    return BigInt(m[1]) * POINT + BigInt((m[2] ?? "").padEnd(18, "0") || "0");
  }

  async function tip(gasless: boolean) {
    if (!(await ensureSignedIn("to tip")) || !viewer || !data?.tipsContract || !token) return;
    const amount = amountOf(points);
    const refused = refusal(amount);
    if (refused || amount === null) {
      setProblem(refused);
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const lib = await import("../lib/tips");
      const from = { address: viewer.user.address, chainId: data.indexer.chainId ?? null };
      const order = { tips: data.tipsContract, token, to: author!.address, amount, itemId };
      if (gasless) {
        const signed = await lib.signGaslessTip(from, order);
        const res = await client
          .mutation(RelayTipMutation, {
            community,
            itemId,
            amount: amount.toString(),
            tipper: signed.tipper,
            deadline: signed.deadline.toString(),
            permit: signed.permit,
            signature: signed.signature,
          })
          .toPromise();
        if (res.error || !res.data) throw toAppError(res.error);
        if (res.data.relayTip.status === "FAILED") {
          throw { code: "CONFLICT", message: `The chain refused your tip: ${res.data.relayTip.error ?? "no reason given"}.` } satisfies AppError;
        }
      } else {
        await lib.tipByWallet(from, order);
      }
      notify(`Tipped ${pointsOf(amount.toString(), community)} for the ${what}. It shows once the chain has it.`);
      setOpen(false);
      onTipped?.();
    } catch (err) {
      setProblem(toAppError(err));
    } finally {
      setBusy(false);
    }
  }

  const shown = open ? refusal(amountOf(points)) : null;
  return (
    <span className="tip">
      <button
        type="button"
        className="link-button"
        aria-expanded={open}
        aria-controls={`${id}-tip`}
        onClick={async () => {
          if (!open && !(await ensureSignedIn("to tip"))) return;
          setProblem(null);
          setOpen(!open);
        }}
      >
        Tip
      </button>
      {open && (
        <form
          className="tip-form stack"
          id={`${id}-tip`}
          aria-label={`Tip the ${what}`}
          onSubmit={(e) => {
            e.preventDefault();
            void tip(true);
          }}
        >
          <p className="muted" data-testid="tip-balance">
            {data ? `You have ${pointsOf(balance.toString(), community)} in c/${community}.` : "Reading your points…"}
          </p>
          <div className="tip-presets" role="group" aria-label="Amount presets">
            {PRESETS.map((p) => (
              <button type="button" key={p} aria-pressed={points === String(p)} onClick={() => setPoints(String(p))}>
                {p}
              </button>
            ))}
          </div>
          <label>
            {tokenSymbol(community)}
            <input inputMode="decimal" value={points} onChange={(e) => setPoints(e.target.value)} aria-describedby={`${id}-refusal`} />
          </label>
          {shown && <p className="field-error" role="alert" id={`${id}-refusal`}>{shown.message}</p>}
          <div className="row">
            <button type="submit" disabled={busy || !!shown || !data}>
              Tip (no gas)
            </button>
            <button type="button" disabled={busy || !!shown || !data} onClick={() => void tip(false)}>
              Tip from wallet
            </button>
          </div>
          <ErrorNote error={problem} />
        </form>
      )}
    </span>
  );
}
