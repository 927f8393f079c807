"""A local chain: anvil from the pinned npm package `@foundry-rs/anvil`.

    python -m governance.anvil [--port 8545] [--state-dir .agora/chain]

The binary ships inside the platform package npm installs next to `@foundry-rs/anvil` (for example
`@foundry-rs/anvil-linux-amd64/bin/anvil`), so nothing is downloaded at run time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import BinaryIO

from governance import NODE_MODULES

CHAIN_ID = 31337
# Set it to use another anvil binary than the npm package's.
ANVIL_ENV = "AGORA_ANVIL"

_PLATFORMS = {"linux": "linux", "darwin": "darwin", "win32": "win32"}
_ARCHITECTURES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


class AnvilError(RuntimeError):
    """anvil is missing, exited, or did not answer in time."""


def anvil_binary() -> Path:
    """The anvil executable: `$AGORA_ANVIL`, else the one in `governance/node_modules`."""
    override = os.environ.get(ANVIL_ENV)
    if override:
        return Path(override)
    system = _PLATFORMS.get(sys.platform, sys.platform)
    arch = _ARCHITECTURES.get(platform.machine().lower(), platform.machine().lower())
    name = "anvil.exe" if system == "win32" else "anvil"
    candidates = [
        NODE_MODULES / "@foundry-rs" / f"anvil-{system}-{arch}" / "bin" / name,
        # Where the wrapper's postinstall puts the binary when the platform package is missing.
        NODE_MODULES / "@foundry-rs" / "anvil" / name,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise AnvilError(f"anvil not found at {candidates[0]}: run `npm ci --prefix governance`")


def rpc_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _answers(url: str) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return int(json.load(response)["result"], 16) == CHAIN_ID
    except (OSError, ValueError, KeyError):
        return False


def start_anvil(
    port: int, state_dir: Path | None = None, *, timeout: float = 30.0
) -> subprocess.Popen[bytes]:
    """Starts anvil on 127.0.0.1:`port` and returns once its RPC answers.

    The chain has id 31337, keeps no history beyond the latest states (`--prune-history`) and
    stamps blocks with the wall clock. With a `state_dir` the chain is loaded from and saved to
    `state_dir/state.json` (saved on a clean stop: see `stop_anvil`) and anvil logs to
    `state_dir/anvil.log`; without one the chain lives in memory only and logs nowhere.
    """
    command = [
        str(anvil_binary()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--chain-id",
        str(CHAIN_ID),
        "--prune-history",
    ]
    log: int | BinaryIO = subprocess.DEVNULL
    if state_dir is not None:
        state_dir.mkdir(parents=True, exist_ok=True)
        command += ["--state", str(state_dir / "state.json"), "--state-interval", "60"]
        log = (state_dir / "anvil.log").open("ab")
    else:
        command.append("--silent")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    if not isinstance(log, int):
        log.close()  # anvil holds its own copy
    url = rpc_url(port)
    deadline = time.monotonic() + timeout
    while not _answers(url):
        if process.poll() is not None:
            raise AnvilError(f"anvil exited with {process.returncode} (is port {port} taken?)")
        if time.monotonic() > deadline:
            stop_anvil(process)
            raise AnvilError(f"anvil did not answer on {url} within {timeout:.0f}s")
        time.sleep(0.05)
    return process


def stop_anvil(process: subprocess.Popen[bytes], *, timeout: float = 10.0) -> None:
    """Stops anvil with SIGTERM (letting it save its state), killing it if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m governance.anvil", description="Run a local anvil chain."
    )
    parser.add_argument("--port", type=int, default=8545)
    parser.add_argument(
        "--state-dir", type=Path, default=None, help="load and save the chain there"
    )
    args = parser.parse_args(argv)
    process = start_anvil(args.port, args.state_dir)
    print(
        f"anvil {anvil_binary()} on {rpc_url(args.port)} (pid {process.pid}); Ctrl-C stops it",
        flush=True,
    )
    try:
        process.wait()
    except KeyboardInterrupt:
        stop_anvil(process)
    return process.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
