"""A pseudo-terminal for a process under test: its size, and all it writes, read on a thread."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import termios
import threading


def open_terminal(columns: int, rows: int) -> tuple[int, int]:
    """(master, slave) of a new pseudo-terminal `columns` x `rows` wide."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    return master, slave


class TerminalOutput:
    """Everything written to the terminal whose master end is given, read on a daemon thread
    until the last writer closes it."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.chunks: list[bytes] = []
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.chunks.append(data)

    def has(self, data: bytes) -> bool:
        """Whether `data` was written so far."""
        return data in b"".join(self.chunks)

    def close(self) -> str:
        """Wait (a little) for the last bytes, close the master end; all that was written."""
        self._thread.join(5)
        os.close(self.master)
        return b"".join(self.chunks).decode("utf-8", "replace")
