"""Faults a simulated device can show on demand, so that collection errors can be tested."""

from __future__ import annotations

import random
from enum import StrEnum

from .errors import SimulatorError


class Fault(StrEnum):
    """How a simulated device misbehaves."""

    AUTH = "auth"  # rejects the configured credentials
    REFUSED = "refused"  # nothing listens on its port
    STALL = "stall"  # accepts the SSH session, then never sends a prompt
    DISCONNECT = "disconnect"  # drops the connection halfway through the config output
    SLOW = "slow"  # the config output dribbles out in small chunks (a few seconds in all)
    GARBAGE = "garbage"  # the config command prints binary noise and a stack trace


def parse_fault(value: str | Fault | None) -> Fault | None:
    """The fault named `value` (None for none); an unknown name raises an error listing them."""
    if value is None or isinstance(value, Fault):
        return value
    try:
        return Fault(value)
    except ValueError:
        known = ", ".join(f.value for f in Fault)
        raise SimulatorError(f"unknown simulator fault {value!r} (known: {known})") from None


# SLOW: at most this many chunks, each after this delay, so any config takes about 3 s.
SLOW_MAX_CHUNKS = 80
SLOW_MIN_LINES_PER_CHUNK = 3
SLOW_DELAY = 0.035

# Bytes that may appear in GARBAGE noise: anything but line ends and terminal controls that
# would move the cursor (BS, ESC, DEL), including bytes that are not valid UTF-8.
_NOISE = bytes(b for b in range(1, 256) if b not in (0x08, 0x0A, 0x0D, 0x1B, 0x7F))

_STACK_TRACE = """\
%SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed from 0x7F3A2C10, alignment 0
Traceback (most recent call last):
  File "/usr/lib/cli/show/config.py", line 212, in render
    blob = store.read(section, offset=cursor)
  File "/usr/lib/cli/store.py", line 88, in read
    raise CorruptRecord(f"bad record header at {offset:#x}")
store.CorruptRecord: bad record header at 0x3e8f
-Traceback=  4113C2Cz 4117B94z 4118A04z 4119D20z 40A2C0Cz 40A2D40z
"""


def garbage(seed: str, size: int = 1536) -> bytes:
    """Deterministic junk for the GARBAGE fault: lines of binary noise, then a stack trace."""
    rng = random.Random(seed)  # noqa: S311 -- test noise, not cryptography
    noise = bytearray()
    while len(noise) < size:
        noise += bytes(rng.choice(_NOISE) for _ in range(rng.randint(20, 90)))
        noise += b"\r\n"
    return bytes(noise) + _STACK_TRACE.replace("\n", "\r\n").encode("ascii")
