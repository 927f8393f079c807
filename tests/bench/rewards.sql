-- The rewards benchmark (tests/bench/rewards.py): the epoch's window, the epochs it closes, the
-- bare aggregate it is compared with, and what the close wrote.

-- name: vote_window
SELECT min(created_at), max(created_at), count(*) FROM post_votes;

-- name: community_count
SELECT count(*) FROM communities;

-- name: community_ids
SELECT id FROM communities ORDER BY id;

-- name: open_bench_epochs
-- An open epoch over the whole window for every community.
INSERT INTO reward_epochs (community_id, number, starts_at, ends_at, emission)
SELECT id, 1, $1, $2, $3 FROM communities;

-- name: bare_aggregate
-- The eligible votes per item over the same rows, in one statement: no community split, no caps,
-- no books (the dataset has no comments and no bans).
SELECT v.post_id, count(*)::integer AS votes, sum(v.value)::integer AS score
  FROM post_votes v
  JOIN posts p ON p.id = v.post_id
  JOIN users u ON u.id = v.user_id
 WHERE v.created_at >= $1 AND v.created_at < $2
   AND p.deleted_at IS NULL AND p.removed_at IS NULL
   AND v.user_id <> p.author_id
   AND u.created_at <= v.created_at - make_interval(secs => $3)
 GROUP BY v.post_id
HAVING sum(v.value) > 0;

-- name: reset_ledger
-- The books emptied: the dataset has none of its own. Transfers are immutable (a trigger refuses
-- their deletion), so that trigger is off while this bench database's are truncated.
ALTER TABLE ledger_transfers DISABLE TRIGGER USER;
TRUNCATE reward_payouts, reward_lines, ledger_transfers, ledger_accounts, reward_epochs,
         operator_transactions;
ALTER TABLE ledger_transfers ENABLE TRIGGER USER;

-- name: written
SELECT (SELECT count(*) FROM reward_lines) AS reward_lines,
       (SELECT count(*) FROM ledger_transfers) AS transfers,
       (SELECT count(*) FROM ledger_accounts) AS accounts,
       (SELECT count(*) FROM operator_transactions WHERE kind = 'mint_epoch') AS mint_intents;
