"""A TCP port in front of the chain's node that the test opens and closes: the node as a
process sees it, reachable or not, while the node itself (and every other process) goes on."""

from __future__ import annotations

import contextlib
import socket
import threading


class Forwarder:
    """A TCP port that forwards to the chain's node once opened: the node as seen from a
    sender, reachable or not."""

    def __init__(self, port: int, target: int) -> None:
        self.port, self.target = port, target
        self.sockets: list[socket.socket] = []
        # accept() runs on threads of its own: what they accept after close() began is dropped
        self._lock = threading.Lock()

    def open(self) -> None:
        server = socket.create_server(("127.0.0.1", self.port))
        with self._lock:
            self.sockets.append(server)
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def close(self) -> None:
        """Refuses new connections and drops the open ones, as a stopped node would."""
        with self._lock:
            for each in self.sockets:
                # Closing alone does not wake a thread blocked in accept() or recv() on Linux:
                # the next client would still be accepted and forwarded by the "closed" port.
                with contextlib.suppress(OSError):
                    each.shutdown(socket.SHUT_RDWR)
                each.close()
            self.sockets.clear()

    def _accept(self, server: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = server.accept()
                with self._lock:
                    if server not in self.sockets:  # closed meanwhile
                        client.close()
                        return
                    upstream = socket.create_connection(("127.0.0.1", self.target))
                    self.sockets += [client, upstream]
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
