"""A PostgreSQL primary and a hot standby streaming from it, for the read replica's tests.

Both run from pgserver's binaries (PostgreSQL 16, installed with the project) in a temporary
folder, on free ports of 127.0.0.1: the machine's own PostgreSQL is shared and stays as it is.
The standby is made as an operator makes one: `pg_basebackup -R` from the running primary (whose
defaults already stream WAL: wal_level replica, local replication trusted by initdb's pg_hba).
PostgreSQL refuses to run as root, so under root the servers run as the `postgres` user (or
pgserver's own, which it creates when the machine has none).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pgserver._commands import POSTGRES_BIN_PATH

from agora.services import free_port


def _system_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
        return "postgres"
    except KeyError:
        from pgserver.utils import ensure_user_exists

        ensure_user_exists("pgserver")
        return "pgserver"


@dataclass
class Server:
    data: Path
    port: int
    user: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [str(POSTGRES_BIN_PATH / program), *args],
            check=True,
            capture_output=True,
            user=self.user,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c full_page_writes=off"
        )
        log = self.data.parent / f"{self.data.name}.log"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


@dataclass
class Replicated:
    primary: Server
    standby: Server
    folder: Path

    def close(self) -> None:
        for server in (self.standby, self.primary):
            try:
                server.stop("immediate")
            except subprocess.CalledProcessError:
                pass  # stopped already
        shutil.rmtree(self.folder, ignore_errors=True)


def start_replicated() -> Replicated:
    """A running primary and a hot standby of it, replaying its WAL as it comes."""
    user = _system_user()
    folder = Path(tempfile.mkdtemp(prefix="agora-standby-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    primary = Server(folder / "primary", free_port(), user)
    standby = Server(folder / "standby", free_port(), user)
    try:
        primary._run(
            "initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust", "--no-sync"
        )
        primary.start()
        primary._run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
            *("-D", str(standby.data), "-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )
        standby.start()
    except BaseException:
        Replicated(primary, standby, folder).close()
        raise
    return Replicated(primary, standby, folder)
