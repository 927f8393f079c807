"""A new user's first run, on a machine where nothing answers on the standard ports: `agora up`
(so the embedded PostgreSQL, the embedded Redis and anvil are started), a forum used over HTTP,
then stopped; then `agora migrate`, which leaves the embedded servers running and says how to
stop them; `agora up` again, which uses them and leaves them running; and `agora down`, which
stops them. Prints a JSON summary on stdout.

    python -m tests.support.fresh_machine_driver --data-dir DIR --port PORT

Meant to run inside a network namespace of its own (see tests/core/test_fresh_machine.py): it
uses the standard ports, and whatever answers there is reported, not stopped. Its children stay in
its process group, so that killing the group ends them all (the embedded servers excepted: they
are daemons, stopped by their pid files).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from agora import services
from agora.services import port_answers
from tests.support.factories import create_comment, create_community, create_post, vote
from tests.support.graphql import Client, sign_in

STANDARD_PORTS = {"postgres": 5432, "redis": 6379, "embedded_redis": 6380, "anvil": 8545}
# Whatever the caller's environment points at must not be used: this is a fresh machine.
_CONFIGURED = ("DATABASE_URL", "REDIS_URL", "CHAIN_RPC_URL", "AGORA_DEPLOYMENT_FILE")

POST = "query($id: ID!) { post(id: $id) { title score commentCount } }"


def agora(command: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", command],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_until(check: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).json() == {"ok": True}
    except (httpx.HTTPError, ValueError):
        return False


def pid_in(path: Path) -> int | None:
    try:
        pid = int(path.read_text().split("\n", 1)[0].strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def embedded_pids(data_dir: Path) -> dict[str, int | None]:
    return {
        "postgres": pid_in(services.embedded_postgres_dir(data_dir) / "postmaster.pid"),
        "redis": pid_in(services.embedded_redis_dir(data_dir) / "redis.pid"),
    }


async def use_the_forum(base: str) -> dict[str, Any]:
    """Sign in, create a community, post, comment and vote, as a new user's first minutes."""
    async with httpx.AsyncClient(timeout=30) as http:
        alice = await sign_in(Client(f"{base}/graphql", http))
        bob = await sign_in(Client(f"{base}/graphql", http))
        community = await create_community(alice)
        post = await create_post(alice, community["name"], title="Hello from a fresh machine")
        comment = await create_comment(bob, post["id"], "Welcome!")
        voted = await vote(bob, post["id"], "UP")
        seen = (await Client(f"{base}/graphql", http).data(POST, {"id": post["id"]}))["post"]
    return {
        "signed_in": [alice.user_id is not None, bob.user_id is not None],
        "community": community["name"],
        "post_title": post["title"],
        "comment_body": comment["body"],
        "vote": voted,
        "post_as_read": seen,
    }


def run(data_dir: Path, port: int) -> dict[str, Any]:
    base = f"http://127.0.0.1:{port}"
    log = data_dir / "agora.log"
    env = {k: v for k, v in os.environ.items() if k not in _CONFIGURED}
    env |= {"AGORA_DATA_DIR": str(data_dir), "AGORA_PORT": str(port), "PYTHONUNBUFFERED": "1"}
    summary: dict[str, Any] = {
        "answering_before": {n: port_answers("127.0.0.1", p) for n, p in STANDARD_PORTS.items()}
    }

    def running() -> dict[str, bool]:
        return {
            **{name: pid is not None for name, pid in embedded_pids(data_dir).items()},
            "anvil": port_answers("127.0.0.1", STANDARD_PORTS["anvil"]),
            "api": port_answers("127.0.0.1", port),
        }

    # `agora up` on the fresh machine, used by a new user, then stopped as with Ctrl-C
    summary["first_up"] = up_and_stop(base, env, log, running, signal.SIGINT, use=True)
    summary["running_after_first_up"] = running()
    # `agora migrate` alone: the embedded servers outlive it, and its log says how to stop them
    summary["migrate_exit_code"] = agora("migrate", env, log).wait(timeout=120)
    summary["running_after_migrate"] = running()
    # `agora up` again: it uses them, and leaves them running when it stops
    summary["second_up"] = up_and_stop(base, env, log, running, signal.SIGTERM, use=False)
    summary["running_after_second_up"] = running()
    # and `agora down` stops them
    summary["down_exit_code"] = agora("down", env, log).wait(timeout=60)
    summary["running_after_down"] = running()
    summary["log"] = log.read_text(errors="replace")
    return summary


def up_and_stop(
    base: str, env: dict[str, str], log: Path, running: Any, stop: signal.Signals, *, use: bool
) -> dict[str, Any]:
    """`agora up` until it is healthy, the forum used if `use`, then stopped with `stop`."""
    result: dict[str, Any] = {}
    with log.open("a") as out:
        out.write(f"---- agora up ({'first' if use else 'again'})\n")
    up = agora("up", env, log)
    try:
        started = time.monotonic()
        wait_until(lambda: healthy(base) or up.poll() is not None, 120)
        result["healthy"] = up.poll() is None and healthy(base)
        result["seconds_to_healthy"] = round(time.monotonic() - started, 1)
        if not result["healthy"]:
            return result
        result["running"] = running()
        if use:
            result["forum"] = asyncio.run(use_the_forum(base))
        up.send_signal(stop)
        result["exit_code"] = up.wait(timeout=60)
    finally:
        if up.poll() is None:  # a failed step: stop it the way that stops what it started
            up.send_signal(signal.SIGTERM)
            try:
                up.wait(timeout=30)
            except subprocess.TimeoutExpired:
                up.kill()
                up.wait()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.fresh_machine_driver")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        summary = run(args.data_dir, args.port)
    finally:
        # Whatever happened above, leave nothing running in the namespace.
        services.stop_embedded_postgres(args.data_dir)
        services.stop_embedded_redis(args.data_dir)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
