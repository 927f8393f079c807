"""The README's first command on a fresh machine: with nothing answering on the standard ports,
`agora up` starts the embedded PostgreSQL, the embedded Redis and anvil, a new user signs in,
creates a community, posts, comments and votes, and stopping it stops what it started.

A network namespace of its own (`unshare --net`) gives the run a loopback with nothing listening,
whatever this machine runs; the driver runs inside it (tests/support/fresh_machine_driver.py)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agora import services
from agora.settings import PROJECT_ROOT

UNSHARE = shutil.which("unshare")
IP = shutil.which("ip")

pytestmark = [
    pytest.mark.fresh_machine,
    pytest.mark.skipif(
        os.geteuid() != 0 or UNSHARE is None or IP is None,
        reason="needs root with `unshare` and `ip` for a network namespace with nothing listening",
    ),
]


def test_a_fresh_machine_runs_the_forum_and_stops_what_it_started(tmp_path: Path) -> None:
    data_dir = tmp_path / "agora"
    command = (
        f"{IP} link set lo up && exec {sys.executable} -m tests.support.fresh_machine_driver "
        f"--data-dir {data_dir} --port 8000"
    )
    driver = subprocess.Popen(
        [UNSHARE, "--net", "bash", "-c", command],  # type: ignore[list-item]
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = driver.communicate(timeout=240)
        assert driver.returncode == 0, err.decode(errors="replace")[-5000:]
        summary = json.loads(out)
    finally:
        _leave_nothing_running(driver, data_dir)
    log = summary.pop("log", "")
    first_up, second_up = summary["first_up"], summary["second_up"]
    nothing = {"postgres": False, "redis": False, "anvil": False, "api": False}
    embedded_only = {"postgres": True, "redis": True, "anvil": False, "api": False}

    # given nothing answered on the standard ports
    assert summary["answering_before"] == {
        "postgres": False,
        "redis": False,
        "embedded_redis": False,
        "anvil": False,
    }
    # when `agora up` ran, it started the embedded PostgreSQL and Redis, and anvil
    assert first_up["healthy"], log[-5000:]
    assert first_up["running"] == {"postgres": True, "redis": True, "anvil": True, "api": True}
    assert "PostgreSQL: postgresql://" in log and "(embedded, started now)" in log
    assert "Redis: redis://127.0.0.1:6380/0 (embedded, started now)" in log
    assert "(anvil started here)" in log
    # and a new user could sign in, create a community, post, comment and vote through it
    forum = first_up["forum"]
    assert forum["signed_in"] == [True, True]
    assert forum["post_title"] == "Hello from a fresh machine"
    assert forum["comment_body"] == "Welcome!"
    assert forum["vote"] == {"score": 1, "upvotes": 1, "downvotes": 0, "viewerVote": "UP"}
    assert forum["post_as_read"] == {
        "title": "Hello from a fresh machine",
        "score": 1,
        "commentCount": 1,
    }
    # then stopping it (Ctrl-C) stopped everything it started
    assert first_up["exit_code"] == 0
    assert summary["running_after_first_up"] == nothing
    assert "stopped the embedded PostgreSQL started here" in log
    assert "stopped the embedded Redis started here" in log

    # and `agora migrate` alone leaves the embedded servers running, saying how to stop them
    assert summary["migrate_exit_code"] == 0
    assert summary["running_after_migrate"] == embedded_only
    assert "the embedded PostgreSQL keeps running" in log
    assert "the embedded Redis keeps running (redis://127.0.0.1:6380/0); `agora down`" in log
    # and `agora up` uses those, and leaves them running when it stops (SIGTERM), since it did
    # not start them
    assert second_up["healthy"], log[-5000:]
    assert "(embedded, already running)" in log
    assert second_up["exit_code"] == 128 + signal.SIGTERM
    assert summary["running_after_second_up"] == embedded_only
    # until `agora down` stops them
    assert summary["down_exit_code"] == 0
    assert summary["running_after_down"] == nothing
    assert "stopped the embedded PostgreSQL\n" in log and "stopped the embedded Redis\n" in log


def _leave_nothing_running(driver: subprocess.Popen[bytes], data_dir: Path) -> None:
    """Whatever failed: end the driver's process group, then any embedded server it left (they
    run in sessions of their own), and remove root's embedded data kept outside `data_dir`."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(driver.pid, signal.SIGKILL)
    driver.wait()
    deadline = time.monotonic() + 5
    with contextlib.suppress(ProcessLookupError):  # raised once the whole group is gone
        while time.monotonic() < deadline:
            os.killpg(driver.pid, 0)
            time.sleep(0.05)
    services.stop_embedded_postgres(data_dir)
    services.stop_embedded_redis(data_dir)
    if services.embedded_data_dir(data_dir) != data_dir:
        shutil.rmtree(services.embedded_data_dir(data_dir), ignore_errors=True)
