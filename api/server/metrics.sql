-- name: outbox_depth
-- The operator's unsettled intents (pending: not signed yet; sent: not mined yet), by kind, and
-- how long the oldest of each has waited; read through the sender's own queue index.
SELECT kind, status, count(*) AS depth,
       extract(epoch FROM now() - min(created_at))::float8 AS oldest_seconds
FROM operator_transactions
WHERE status IN ('pending', 'sent')
GROUP BY kind, status;

-- name: epochs_by_status
SELECT status, count(*) AS epochs FROM reward_epochs GROUP BY status;
