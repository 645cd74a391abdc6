"""The device side of an interactive SSH session: typed-ahead input, read and echoed on demand.

A real device echoes what it reads, when its CLI reads it: characters typed while a command is
still running wait in the input buffer and are echoed after the next prompt. Echoing on arrival
instead glues echoes and prompts together under load, and netmiko then loses its place.
"""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import Callable

_RETURN = ("\r", "\n")
# Output goes out in pieces of at most this size, cut at line ends, so that no UTF-8 character
# is split between SSH packets (netmiko decodes each read on its own and drops split characters).
CHUNK_BYTES = 16 * 1024
_ERASE = ("\x08", "\x7f")


class Terminal:
    """Input buffer, echo and output of one session; `send` writes bytes to the SSH channel.

    Output is queued and sent when the CLI waits (for input, for flow control, or in a pause),
    so an echo, its command's output and the next prompt usually travel in one packet.
    """

    def __init__(self, send: Callable[[bytes], None], echo_eol: str, abort: Callable[[], None]) -> None:
        self._send = send
        self._abort = abort
        self._echo_eol = echo_eol
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._buffer = ""
        self._eof = False
        self._skip_lf = False  # a \r ended the last line; a \n right after it belongs to it
        self._readable = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        self._pending: list[bytes] = []
        self.closed = False

    # -- fed by the SSH session -------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Bytes typed by the client."""
        self._buffer += self._decoder.decode(data)
        self._readable.set()

    def feed_eof(self) -> None:
        """The client will send nothing more."""
        self._eof = True
        self._readable.set()
        self._writable.set()

    def pause_writing(self) -> None:
        self._writable.clear()

    def resume_writing(self) -> None:
        self._writable.set()

    # -- used by the shell --------------------------------------------------------------------

    def write(self, text: str) -> None:
        """Queue text (already with the device's line ends) for the client."""
        if text:
            self.write_bytes(text.encode("utf-8"))

    def write_bytes(self, data: bytes) -> None:
        if not self.closed and data:
            self._pending.append(data)

    def flush(self) -> None:
        """Send what is queued: one SSH packet per piece rather than one per write."""
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        if self.closed:
            return
        try:
            for piece in chunks(data):
                self._send(piece)
        except OSError:  # BrokenPipeError: the channel closed under us
            self.closed = True

    async def drain(self) -> None:
        """Send what is queued and wait until the channel takes more (flow control)."""
        self.flush()
        await self._writable.wait()

    def abort(self) -> None:
        """Drop the connection at once, as a crashing device would."""
        self.flush()
        self.closed = True
        self._abort()

    async def read_line(self, echo: bool = True) -> str | None:
        """The next line typed, echoing it as it is read (`echo=False`: only the line end).

        Line ends may be \\r, \\n or \\r\\n. Returns None at end of input.
        """
        line: list[str] = []
        echoed: list[str] = []
        while True:
            buf = self._buffer
            for i, ch in enumerate(buf):
                if self._skip_lf:
                    self._skip_lf = False
                    if ch == "\n":
                        continue
                if ch in _RETURN:
                    self._skip_lf = ch == "\r"
                    self._buffer = buf[i + 1 :]
                    echoed.append(self._echo_eol)
                    self.write("".join(echoed))
                    return "".join(line)
                if ch in _ERASE:
                    if line:
                        line.pop()
                        if echo:
                            echoed.append("\b \b")
                elif ch >= " " or ch == "\t":  # other control characters (NUL keepalives...) are ignored
                    line.append(ch)
                    if echo:
                        echoed.append(ch)
            self._buffer = ""
            if echoed:
                self.write("".join(echoed))
                echoed.clear()
            self.flush()
            if self._eof or self.closed:
                return None
            self._readable.clear()
            await self._readable.wait()

    async def read_key(self) -> str | None:
        """One key typed (at a More prompt; not echoed); \\r\\n counts as one key."""
        while True:
            while self._buffer:
                ch, self._buffer = self._buffer[0], self._buffer[1:]
                if self._skip_lf:
                    self._skip_lf = False
                    if ch == "\n":
                        continue
                self._skip_lf = ch == "\r"
                return ch
            self.flush()
            if self._eof or self.closed:
                return None
            self._readable.clear()
            await self._readable.wait()


def chunks(data: bytes, size: int = CHUNK_BYTES) -> list[bytes]:
    """`data` cut into pieces of at most `size` bytes, at line ends (else at character boundaries)."""
    out: list[bytes] = []
    pos = 0
    while len(data) - pos > size:
        cut = data.rfind(b"\n", pos, pos + size) + 1
        if cut <= pos:
            cut = pos + size
            while cut > pos + 1 and (data[cut] & 0xC0) == 0x80:  # inside a UTF-8 sequence
                cut -= 1
        out.append(data[pos:cut])
        pos = cut
    out.append(data[pos:])
    return out
