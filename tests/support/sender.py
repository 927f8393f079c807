"""`agora send`, the operator's sender, as a real process the tests start, read and kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


class SenderProcess:
    """One `agora send` process; its log goes to `log_path`."""

    def __init__(
        self,
        log_path: Path,
        *,
        database_url: str,
        redis_url: str,
        chain_rpc_url: str,
        deployment_file: Path,
        **env: str,
    ) -> None:
        self.log_path = log_path
        environment = os.environ | {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CHAIN_RPC_URL": chain_rpc_url,
            "AGORA_DEPLOYMENT_FILE": str(deployment_file),
            "SENDER_POLL_SECONDS": "0.1",
            **env,
        }
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cli", "send"],
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_for_log(self, text: str, *, count: int = 1, timeout: float = 30) -> None:
        """Waits until `text` appears `count` times in the log (fails if the process ends)."""
        deadline = time.monotonic() + timeout
        while self.log().count(text) < count:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"agora send exited ({self.process.returncode}):\n{self.log()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} ×{count} in the sender's log:\n{self.log()}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
