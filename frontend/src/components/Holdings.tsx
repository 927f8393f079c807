// A member's points, voting power and delegate in a community, said the same way wherever they
// show (the community's sidebar, a profile): the token's symbol beside every amount.
import { Link } from "react-router";
import { useQuery } from "urql";
import { HoldingsQuery, type UserRef } from "../ops";
import { toAppError } from "../lib/errors";
import { tokens } from "../lib/format";
import { ErrorNote, UserLink } from "./bits";

/** Points, voting power and delegate; `yours`: told to the viewer ("Your points"). */
export function StandingFigures({
  points,
  votingPower,
  delegate,
  address,
  symbol,
  community,
  yours,
}: {
  points: string;
  votingPower: string;
  delegate: UserRef | null | undefined;
  address: string;
  symbol: string;
  community: string;
  yours: boolean;
}) {
  const self = delegate && delegate.address.toLowerCase() === address.toLowerCase();
  const ids = yours ? { points: "my-points", power: "my-voting-power", delegate: "my-delegate" } : { points: "community-points", power: "community-voting-power", delegate: "community-delegate" };
  return (
    <>
      <dl className="stats">
        <div>
          <dt>{yours ? "Your points" : "Points"}</dt>
          <dd data-testid={ids.points}>
            {tokens(points, 2)} {symbol}
          </dd>
        </div>
        <div>
          <dt>{yours ? "Your voting power" : "Voting power"}</dt>
          <dd data-testid={ids.power}>
            {tokens(votingPower, 2)} {symbol}
          </dd>
        </div>
      </dl>
      <p className="small" data-testid={ids.delegate}>
        {self ? (
          yours ? (
            "Your votes count: you delegate them to yourself."
          ) : (
            "Votes their own points: delegates to themselves."
          )
        ) : delegate ? (
          <>
            {yours ? "You delegate your votes to " : "Delegates their votes to "}
            <UserLink user={delegate} community={community} />.
          </>
        ) : yours ? (
          "Your points don't count as votes until you delegate them, to yourself or to someone you trust."
        ) : (
          "Delegates to nobody: their points don't count as votes."
        )}
      </p>
    </>
  );
}

/**
 * A profile's one place for points: each community where the person holds points or votes,
 * with their voting power and delegate there (`first`: the community the visitor came from).
 */
export function HoldingsCard({ address, first }: { address: string; first: string | null }) {
  const [{ data, error }] = useQuery({ query: HoldingsQuery, variables: { address }, requestPolicy: "cache-and-network" });
  const holdings = [...(data?.user?.holdings ?? [])].sort((a, b) => Number(b.community === first) - Number(a.community === first));
  return (
    <section className="card holdings" aria-labelledby="holdings-title" data-testid="holdings">
      <h2 className="card-title" id="holdings-title">
        Points and votes
      </h2>
      {error && !data && <ErrorNote error={toAppError(error)} />}
      {data && holdings.length === 0 && (
        <p className="muted small" data-testid="no-holdings">
          No points in any community yet. <Link to="/rewards">How points are earned</Link>
        </p>
      )}
      {holdings.map((h) => (
        <div key={h.community} className="holding" data-testid="holding" data-community={h.community}>
          <h3 className="small">
            <Link to={`/c/${encodeURIComponent(h.community)}/governance`}>c/{h.community}</Link>
          </h3>
          <StandingFigures
            points={h.points}
            votingPower={h.votingPower}
            delegate={h.delegate}
            address={address}
            symbol={h.tokenSymbol}
            community={h.community}
            yours={false}
          />
        </div>
      ))}
    </section>
  );
}
