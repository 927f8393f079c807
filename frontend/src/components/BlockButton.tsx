import { useState } from "react";
import { useClient, useQuery } from "urql";
import { BLOCK_TYPES, BlockCommunityMutation, BlockUserMutation, BlockedQuery } from "../ops";
import { toAppError } from "../lib/errors";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";

/** Block or unblock a person (by address) or a community (by name) at once. */
export function BlockButton({ kind, target, label, blocked }: { kind: "user" | "community"; target: string; label: string; blocked: boolean }) {
  const client = useClient();
  const notify = useToast();
  const { ensureSignedIn } = useSession();
  const [busy, setBusy] = useState(false);

  async function toggle() {
    if (!(await ensureSignedIn(`to block ${label}`))) return;
    setBusy(true);
    const res =
      kind === "user"
        ? await client.mutation(BlockUserMutation, { address: target, blocked: !blocked }, BLOCK_TYPES).toPromise()
        : await client.mutation(BlockCommunityMutation, { name: target, blocked: !blocked }, BLOCK_TYPES).toPromise();
    setBusy(false);
    if (res.error) {
      notify(toAppError(res.error).message, "error");
      return;
    }
    notify(
      blocked
        ? `${label} is unblocked.`
        : kind === "user"
          ? `${label} is blocked.`
          : `${label} is blocked: its posts stay off your front page.`,
    );
  }

  return (
    <button
      type="button"
      className="button ghost small"
      aria-label={blocked ? `Unblock ${label}` : `Block ${label}`}
      disabled={busy}
      onClick={toggle}
    >
      {blocked ? "Unblock" : "Block"}
    </button>
  );
}

/** In a community's sidebar, for a signed-in viewer: block it from the front page, or unblock. */
export function CommunityBlockButton({ name }: { name: string }) {
  const { viewer } = useSession();
  const [{ data }] = useQuery({ query: BlockedQuery, pause: !viewer, context: BLOCK_TYPES });
  if (!viewer || !data?.viewer) return null;
  const blocked = data.viewer.blockedCommunities.some((c) => c.name === name);
  return (
    <p className="block-community">
      {blocked && <span className="muted small">Hidden from your front page. </span>}
      <BlockButton kind="community" target={name} label={`c/${name}`} blocked={blocked} />
    </p>
  );
}
