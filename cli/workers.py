"""`agora serve` on every core: AGORA_WORKERS uvicorn worker processes sharing one port.

uvicorn's supervisor starts the workers, each of which builds the app from the environment
(`api.server.app:app_from_environment`), pings them, and starts one again when it dies (killed,
or hung past its health check); Ctrl-C or SIGTERM stops them all, each finishing its requests.
The workers share nothing but PostgreSQL and Redis, as API processes on several hosts do: caches
are cleared and sessions ended everywhere by Redis messages, rate limits count in Redis.
Their metrics are summed through files in a folder of this run (`agora.metrics`).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess

from agora.metrics import MULTIPROC_DIR
from agora.settings import Settings
from api.server.app import server_options


class _Supervisor(Multiprocess):
    terminated = False

    def handle_term(self) -> None:
        self.terminated = True
        super().handle_term()


def serve_workers(settings: Settings, database_url: str, redis_url: str) -> None:
    metrics_dir = tempfile.mkdtemp(prefix="agora-metrics-")
    # What the workers read (spawned, they import everything afresh): the URLs resolved here,
    # which may be other than the environment's (found or started by `agora.services`).
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        AGORA_HOST=settings.host,
        AGORA_PORT=str(settings.port),
        **{MULTIPROC_DIR: metrics_dir},
    )
    if settings.chain_rpc_url:
        os.environ["CHAIN_RPC_URL"] = settings.chain_rpc_url
    config = uvicorn.Config(
        "api.server.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="info",
        access_log=False,
        **server_options(settings),
    )
    # The supervisor takes the signals over; what follows it (`agora up` stopping the other
    # services) gets the process's own handlers back, so a second Ctrl-C is not swallowed.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    supervisor = _Supervisor(config, sockets=[config.bind_socket()])
    try:
        supervisor.run()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        shutil.rmtree(metrics_dir, ignore_errors=True)
    if supervisor.terminated:  # as a single process ends on SIGTERM (cli.main._exit_on_sigterm)
        raise SystemExit(128 + signal.SIGTERM)
