import { Link } from "react-router";
import { useTitle } from "../lib/title";

/** The rules of rewards, for members (docs/rewards.md is the same, for operators). */
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
        An item's score is its eligible upvotes minus its eligible downvotes cast during the epoch, each weighted by
        its voter's standing (below). A vote does not
        count if it is your own, if the voter was banned in the community, if the voter's account is younger than a
        day, or if it was withdrawn before the epoch ended. Deleted and removed content earns nothing.
      </p>
      <p>
        Your vote on a post or comment earns its author at most once. It counts in the epoch in which you first cast
        it: changing its direction keeps that first time, and so does withdrawing it after its epoch ended and voting
        again later. A vote you withdrew while its epoch was still running never counted, so casting it again later
        counts in that later epoch.
      </p>
      <h2>Whose vote weighs what</h2>
      <p>
        A vote weighs by its voter's standing in the community, fixed when the epoch starts: the square root of the
        whole points they held then (only points already minted to your wallet count: what an epoch in review
        owes you weighs from the first epoch that starts after it is minted). A member with 100 points weighs 10, one with 1 point weighs 1, one with 10,000
        points weighs 100 (a hundred times the points buys ten times the say, not a hundred), and an account with no
        points weighs nothing. A fresh wallet, however many there are, cannot earn anyone anything.
      </p>
      <p>
        Your weight is a budget, not a per-vote amount. It is split equally over the authors you voted on in the
        epoch, and each author's part over your votes on their posts and comments. Voting on more items adds no
        influence, and voting on every post of one author counts like voting once for them. For example, with 100
        points you weigh 10: upvote one post of Ann and three of Bob's, and Ann's post gets 5, each of Bob's posts
        5/3. A downvote takes its part off instead.
      </p>
      <p>
        A vote returned in the same epoch counts half. If you upvote Ann and Ann upvotes you back before the epoch
        ends, each of those two upvotes carries half its weight; the other half is lost, not moved to your other
        votes. Members who trade upvotes ("you vote for me, I vote for you") spend their budgets on each other for
        half the effect. In the example above, if Bob had also upvoted you, each of his three posts would get 5/6
        from you.
      </p>
      <p>
        A new community has no holders yet, so it starts in a bootstrap: while nobody held points at the start of an
        epoch, every eligible voter weighs 1 (still as a budget). The first epochs pay their authors, who then hold
        points and carry the weight from the epoch after the mint. What this leaves open: in those first epochs a
        ring of accounts past the one-day age gate counts as much as honest members, and whoever holds points early
        keeps more say. A founders' grant before the first votes (the demo's genesis grant) closes that window.
      </p>
      <h2>What moderators see</h2>
      <p>
        On the Rewards tab, a community's moderators see, for each item an epoch paid, the share of its upvote
        weight that came from voters with little standing (under 10 points at the epoch's start), and the share of
        its upvotes cast by co-voters: voters who upvoted at least 3 authors in the epoch, a set of authors that
        overlaps heavily (a Jaccard index of 0.5 or more) with that of at least 3 other voters. Which voters are
        compared is sampled (by MinHash, so that the check stays fast in a busy community): voters with the same
        authors are always compared, and a co-voter alike to only a few others may be missed. A high share on both
        is how a vote ring looks. Nobody else is shown these figures.
      </p>
      <h2>How well it resists farming</h2>
      <p>
        In a simulated community of 200 members over six epochs, measured against counting one vote as one unit: a
        ring of 100 fresh wallets voting for 5 accomplices took 43% of an epoch before and takes 0% now; 10 alt
        accounts add nothing to their owner (0.8% before); a whale holding 30% of all points buys its friend 8% of
        the epoch (before the caps), not 30%; ten members who upvote everything of each other's gain 1.3 times their
        honest share (2.4 times before); and honest members' rewards keep their order (rank correlation 0.87).
      </p>
      <h2>Split</h2>
      <p>
        Each item gets the emission in proportion to its weighted score, to the smallest unit, so the shares add up
        exactly.
        No single item may take more than a tenth of an epoch, and no single author more than a fifth: what those
        caps hold back stays in the community's pool, recorded, and is never given to anyone else.
      </p>
      <h2>Review</h2>
      <p>
        A closed epoch is not minted at once: for a day it is <em>in review</em>. Its rewards are already public,
        line by line, on the community's Rewards tab and your profile, with the time left. If, before the review
        ends, a post or comment that earned a reward is removed by a moderator or deleted by its author, or its
        author is banned in the community, that reward is voided: its points go back to the community's pool
        (recorded in the ledger) and are never minted. A ban lifted before the review ends voids nothing: the
        review follows the moderators' decision as it stands at its end. A ring of accounts that upvotes each other has a day in
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
