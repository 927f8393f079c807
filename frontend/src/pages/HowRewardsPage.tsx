import { Link } from "react-router";
import { useTitle } from "../lib/title";

/** The rules of rewards, for members (README "How rewards work" is the same, for operators). */
export function HowRewardsPage() {
  useTitle("How rewards work");
  return (
    <article className="prose how-rewards" aria-labelledby="how-rewards-title">
      <h1 id="how-rewards-title">How rewards work</h1>
      <p>
        Popular posts and comments earn their authors the community's points. Points are the community's token on
        the chain, and they are also your voting power in that community.
      </p>
      <h2>Epochs</h2>
      <p>
        Each community with a token counts votes in epochs (a day each). When an epoch ends, its emission (a fixed
        amount, which decays slowly over time) is shared among the authors of the posts and comments that scored in
        it. An epoch is closed a few seconds after it ends, so that a vote cast in its last moment still counts.
      </p>
      <h2>Score</h2>
      <p>
        An item's score is its eligible upvotes minus its eligible downvotes cast during the epoch. A vote does not
        count if it is your own, if the voter was banned in the community, if the voter's account is younger than a
        day, or if it was withdrawn before the epoch ended. Deleted and removed content earns nothing.
      </p>
      <p>
        Your vote on a post or comment earns its author at most once. It counts in the epoch in which you first cast
        it: changing its direction keeps that first time, and so does withdrawing it after its epoch ended and voting
        again later. A vote you withdrew while its epoch was still running never counted, so casting it again later
        counts in that later epoch.
      </p>
      <h2>Split</h2>
      <p>
        Each item gets the emission in proportion to its score, to the smallest unit, so the shares add up exactly.
        No single item may take more than a tenth of an epoch, and no single author more than a fifth: what those
        caps hold back stays in the community's pool, recorded, and is never given to anyone else.
      </p>
      <h2>Review</h2>
      <p>
        A closed epoch is not minted at once: for a day it is <em>in review</em>. Its rewards are already public,
        line by line, on the community's Rewards tab and your profile, with the time left. If, before the review
        ends, a post or comment that earned a reward is removed by a moderator or deleted by its author, or its
        author is banned in the community, that reward is voided: its points go back to the community's pool
        (recorded in the ledger) and are never minted. A ring of accounts that upvotes each other has a day in
        which anyone can see it and moderators can stop it.
      </p>
      <h2>Checking what was paid</h2>
      <p>
        Each closed epoch publishes its distribution as a CSV file (one row per address, the amount in the token's
        smallest units; the link is on the Rewards tab) and, once its review ends, the root of OpenZeppelin's{" "}
        <code>StandardMerkleTree</code> of those rows. Every mint of the epoch carries that root in its{" "}
        <code>EpochMinted</code> event on the chain, so anyone can rebuild the root from the CSV (
        <code>StandardMerkleTree.of(rows, ["address", "uint256"]).root</code>) and check that what was minted is
        what was published.
      </p>
      <h2>Payment</h2>
      <p>
        Rewards are booked in a double-entry ledger the moment the epoch closes (<em>pending</em>), then, once its
        review ends, minted to your address by the community's token contract (<em>submitted</em> once the transaction is sent,{" "}
        <em>paid</em> once it is mined). Each epoch is minted at most once: the contract refuses a second mint of the
        same epoch.
      </p>
      <p>
        Every reward is explained: your profile lists, per epoch, the posts and comments that earned it and from how
        many eligible votes, and each community's <strong>Rewards</strong> tab lists its epochs and their
        transactions. <Link to="/communities">Browse communities</Link>
      </p>
    </article>
  );
}
