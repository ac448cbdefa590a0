"""A TCP relay between a client and a server that a test can cut, stall and restore: an
outage of the network path while the service itself keeps running."""
from __future__ import annotations

import contextlib
import socket
import threading

from tests.rigs.central import free_port


class NetworkPath:
    """``http://127.0.0.1:{port}`` reaches ``target_port`` while the path is up."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self._target = ("127.0.0.1", target_port)
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._stalled = threading.Event()
        self._answers_to_lose = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def retarget(self, target_port: int) -> None:
        """New connections go to ``target_port`` (open ones are dropped): another server
        takes over behind the same address."""
        self._target = ("127.0.0.1", target_port)
        self._drop_connections()

    def restore(self) -> None:
        """Accept and forward again."""
        self._stalled.clear()
        self.lose_answers(0)
        if self._listener is None:
            self._listener = socket.create_server(("127.0.0.1", self.port))
            threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and reset the open ones (a pooled keep-alive one too)."""
        if self._listener is not None:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close alone would not
            self._listener.close()
            self._listener = None
        self._drop_connections()

    def lose_answers(self, count: int) -> None:
        """The next ``count`` answers never arrive: each request reaches the server, which acts
        on it, and the connection breaks just as its answer starts back (``restore`` ends it)."""
        with self._lock:
            self._answers_to_lose = count

    def _lose_this_answer(self) -> bool:
        with self._lock:
            if self._answers_to_lose <= 0:
                return False
            self._answers_to_lose -= 1
            return True

    def stall(self) -> None:
        """Accept connections but carry nothing: requests hang until the client's timeout."""
        self._stalled.set()
        self._drop_connections()

    def _drop_connections(self) -> None:
        for connection in self._connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self._connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self._connections.append(client)
            if self._stalled.is_set():
                continue
            try:
                upstream = socket.create_connection(self._target)
            except OSError:  # the server behind is gone: so is this connection
                client.close()
                continue
            self._connections.append(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, answers: bool = False) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if answers and self._lose_this_answer():
                    for end in (sink, source):
                        with contextlib.suppress(OSError):
                            end.shutdown(socket.SHUT_RDWR)
                    return
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
