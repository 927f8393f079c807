import { useMemo, useState } from "react";
import { useClient, useQuery } from "urql";
import { BAN_TYPES, BansQuery, UnbanUserMutation, type UserRef } from "../ops";
import { EmptyState, Time, UserLink } from "../components/bits";
import { PageItems, type PageArgs } from "../components/Paged";
import { toAppError } from "../lib/errors";
import { displayName, fullDate } from "../lib/format";
import { useTitle } from "../lib/title";
import { useToast } from "../lib/toast";
import { CommunityLog } from "./CommunityLog";
import { useCommunity } from "./CommunityPage";

export function BannedPage() {
  const community = useCommunity();
  useTitle(`Banned · c/${community.name}`);
  if (!community.viewerIsModerator)
    return <EmptyState>Only the moderators of c/{community.name} can see who is banned.</EmptyState>;
  return (
    <CommunityLog
      id="banned-title"
      title="Banned"
      intro={<>People banned from c/{community.name} now, newest ban first. Bans that have run out are not listed.</>}
      Page={Chunk}
    />
  );
}

function Chunk({ community, ...page }: PageArgs & { community: string }) {
  const variables = useMemo(() => ({ community, first: 25, after: page.after }), [community, page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: BansQuery, variables, context: BAN_TYPES });
  return (
    <PageItems
      page={page}
      connection={data?.bans}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading bans…"
      empty={<>No one is banned from c/{community}.</>}
      item={(b) => (
        <li key={b.user.id} className="card ban">
          <div className="ban-row">
            <div>
              <p>
                <UserLink user={b.user} />
              </p>
              <p className="meta">
                Banned <Time iso={b.createdAt} /> · {b.expiresAt ? <>until {fullDate(b.expiresAt)}</> : "for good"}
              </p>
              {b.reason && <p className="muted small">Reason: {b.reason}</p>}
            </div>
            <UnbanButton community={community} user={b.user} />
          </div>
        </li>
      )}
    />
  );
}

function UnbanButton({ community, user }: { community: string; user: UserRef }) {
  const client = useClient();
  const notify = useToast();
  const [busy, setBusy] = useState(false);

  async function unban() {
    setBusy(true);
    const res = await client.mutation(UnbanUserMutation, { community, address: user.address }, BAN_TYPES).toPromise();
    setBusy(false);
    if (res.error) {
      notify(toAppError(res.error).message, "error");
      return;
    }
    notify(`${displayName(user)} is no longer banned.`);
  }

  return (
    <button type="button" className="button small ghost" disabled={busy} aria-label={`Unban ${displayName(user)}`} onClick={unban}>
      Unban
    </button>
  );
}
