import { useState } from "react";
import { useClient } from "urql";
import { JoinCommunityMutation, LeaveCommunityMutation } from "../ops";
import { toAppError } from "../lib/errors";
import { useSession } from "../lib/session";
import { useToast } from "../lib/toast";

export function JoinButton({ name, isMember, small }: { name: string; isMember: boolean; small?: boolean }) {
  const client = useClient();
  const notify = useToast();
  const { ensureSignedIn, refreshViewer } = useSession();
  const [member, setMember] = useState(isMember);
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState(isMember);
  if (isMember !== last) {
    setLast(isMember);
    setMember(isMember);
  }

  async function toggle() {
    if (!(await ensureSignedIn(`to join c/${name}`))) return;
    setBusy(true);
    const was = member;
    setMember(!was);
    const res = was
      ? await client.mutation(LeaveCommunityMutation, { name }).toPromise()
      : await client.mutation(JoinCommunityMutation, { name }).toPromise();
    setBusy(false);
    if (res.error) {
      setMember(was);
      notify(toAppError(res.error).message, "error");
      return;
    }
    notify(was ? `You left c/${name}.` : `You joined c/${name}.`);
    void refreshViewer();
  }

  return (
    <button
      type="button"
      className={`button ${member ? "ghost" : "primary"} ${small ? "small" : ""}`}
      aria-pressed={member}
      aria-label={member ? `Leave c/${name}` : `Join c/${name}`}
      onClick={toggle}
      disabled={busy}
    >
      {member ? "Joined" : "Join"}
    </button>
  );
}
