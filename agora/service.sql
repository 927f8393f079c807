-- SQL of the service kit (agora/service.py).

-- name: try_lock
-- The advisory lock that makes one instance of a service the active one ($1, the service's key):
-- held by the session until it ends, however it ends.
SELECT pg_try_advisory_lock($1);
