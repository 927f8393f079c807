import { useMemo } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { ModlogQuery } from "../ops";
import { Time, UserLink } from "../components/bits";
import { ChainTime } from "../components/ChainClock";
import { PageItems, type PageArgs } from "../components/Paged";
import { CommunityLog } from "./CommunityLog";
import { useCommunity } from "./CommunityPage";
import { useTitle } from "../lib/title";

const MODLOG_TYPES = { additionalTypenames: ["ModlogEntry"] };

const VERB: Record<string, string> = {
  REMOVE_POST: "removed a post",
  REMOVE_COMMENT: "removed a comment",
  BAN_USER: "banned",
  UNBAN_USER: "unbanned",
  ELECT_MODERATOR: "was elected moderator",
  IMPEACH_MODERATOR: "was impeached as moderator",
};

// Decided on-chain by the community: the moderator is also the target.
const DECIDED = new Set(["ELECT_MODERATOR", "IMPEACH_MODERATOR"]);

export function ModlogPage() {
  const community = useCommunity();
  useTitle(`Moderation log · c/${community.name}`);
  return <CommunityLog id="modlog-title" title="Moderation log" intro={<>Every moderator action in c/{community.name} is public.</>} Page={Chunk} />;
}

function Chunk({ community, ...page }: PageArgs & { community: string }) {
  const variables = useMemo(() => ({ community, first: 25, after: page.after }), [community, page.after]);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ModlogQuery, variables, context: MODLOG_TYPES });
  return (
    <PageItems
      page={page}
      connection={data?.modlog}
      fetching={fetching}
      error={error}
      reexecute={reexecute}
      loading="Loading the log…"
      empty="No moderator actions yet."
      item={(e) => (
        <li key={e.id} className="modlog-entry" data-action={e.action}>
          <p>
            <UserLink user={e.moderator} /> {VERB[e.action] ?? e.action.toLowerCase().replace(/_/g, " ")}
            {e.targetUser && !DECIDED.has(e.action) && (
              <>
                {" "}
                {e.action === "BAN_USER" || e.action === "UNBAN_USER" ? "" : "by "}
                <UserLink user={e.targetUser} />
              </>
            )}
            {e.targetPostId && (
              <>
                {" "}
                (<Link to={`/c/${community}/p/${e.targetPostId}`}>view post</Link>)
              </>
            )}
            {/* The chain's decisions carry the chain's time: told against its clock, not the browser's. */}
            <span className="muted"> · {DECIDED.has(e.action) ? <ChainTime iso={e.createdAt} /> : <Time iso={e.createdAt} />}</span>
          </p>
          {e.reason && <p className="muted small">Reason: {e.reason}</p>}
        </li>
      )}
    />
  );
}
