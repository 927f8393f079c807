"""GET /metrics: the API, the database pool, the caches, the indexer, the operator's outbox and
the ledger's epochs, in Prometheus' text format.

What each worker counts (requests, the pool, the caches) is summed over the API's workers
(`agora.metrics`); what the database knows (the indexer's lag, the outbox, the epochs) is read
at each scrape by the worker that answers it, so every scrape is one coherent answer.
Who may read it: a client with `Authorization: Bearer <METRICS_TOKEN>` when that is set, else
only one on this machine (loopback): the figures tell an outsider how busy and how behind the
forum is, which is the operator's business.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agora import metrics
from agora.sql import load
from api.governance import chain
from api.governance import repository as governance
from api.server.resources import Resources

queries = load(__file__, "metrics.sql")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Which of the API's processes answered /healthz or opened a WebSocket (its pid): an operator
# (or a test) can tell the workers behind one port apart, and find the one that misbehaves.
WORKER_HEADER = "x-agora-worker"


def worker_headers() -> dict[str, str]:
    return {WORKER_HEADER: str(os.getpid())}


_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# By kind only: operation names are the client's to choose, and each would be a series.
_REQUEST_SECONDS = Histogram(
    "agora_graphql_request_seconds",
    "GraphQL operations by kind (query, mutation, subscription, invalid) and the time to "
    "answer them (a subscription: to start it)",
    ["kind"],
    buckets=_BUCKETS,
)
REQUEST_SECONDS = {
    kind: metrics.durations(_REQUEST_SECONDS.labels(kind), _BUCKETS)
    for kind in ("query", "mutation", "subscription", "invalid")
}


def _allowed(request: Request, token: str | None) -> bool:
    if token is not None:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    client = request.client
    try:
        return client is not None and ipaddress.ip_address(client.host).is_loopback
    except ValueError:  # not an IP (a Unix socket's peer)
        return False


async def scrape(request: Request) -> Response:
    resources: Resources = request.app.state.resources
    if not _allowed(request, resources.settings.metrics_token):
        return JSONResponse(
            {
                "error": {
                    "code": "FORBIDDEN",
                    "message": "Metrics are for the operator: send the METRICS_TOKEN as a "
                    "bearer token, or ask from the server itself.",
                }
            },
            status_code=403,
        )
    metrics.flush()  # this worker's figures now; the others' are at most a second old
    directory = metrics.multiproc_dir()
    if directory is None:
        workers = generate_latest(REGISTRY)
    else:
        metrics.forget_dead_workers(directory)
        summed = CollectorRegistry()
        MultiProcessCollector(summed, path=str(directory))
        workers = generate_latest(summed)
    facts = CollectorRegistry()
    facts.register(await _database_facts(resources))
    return Response(workers + generate_latest(facts), media_type=CONTENT_TYPE)


class _Read(Collector):
    """Families read once for one scrape."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self._families = families

    def collect(self) -> Iterator[GaugeMetricFamily]:
        return iter(self._families)


async def _database_facts(resources: Resources) -> _Read:
    async with resources.pool.acquire() as conn:
        state = await governance.get_indexer_state(conn)
        outbox = await conn.fetch(queries.outbox_depth)
        epochs = await conn.fetch(queries.epochs_by_status)
    head = await chain.head_now(resources.settings)

    indexed = GaugeMetricFamily("agora_indexer_block", "The last block the indexer applied")
    lag = GaugeMetricFamily(
        "agora_indexer_lag_blocks",
        "Blocks the mirror is behind the chain's head (as the node answers now, else as the "
        "indexer last saw it)",
    )
    if state is not None:
        latest = state["head_block"] if head is None else max(head, state["head_block"])
        indexed.add_metric([], state["block_number"])
        lag.add_metric([], max(latest - state["block_number"], 0))

    depth = GaugeMetricFamily(
        "agora_outbox_intents",
        "The operator's unsettled transactions by kind and status (pending, sent)",
        labels=["kind", "status"],
    )
    oldest = GaugeMetricFamily(
        "agora_outbox_oldest_pending_seconds",
        "Age of the oldest intent the sender has not signed yet (0 when none waits)",
    )
    oldest_pending = 0.0
    for row in outbox:
        depth.add_metric([row["kind"], row["status"]], row["depth"])
        if row["status"] == "pending":
            oldest_pending = max(oldest_pending, row["oldest_seconds"])
    oldest.add_metric([], oldest_pending)

    by_status = GaugeMetricFamily(
        "agora_reward_epochs", "Reward epochs by status", labels=["status"]
    )
    for row in epochs:
        by_status.add_metric([row["status"]], row["epochs"])
    return _Read([indexed, lag, depth, oldest, by_status])
