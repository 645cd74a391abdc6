"""The asyncssh server: one listening port per simulated device, on 127.0.0.1, OS-assigned."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
import warnings
from collections import Counter
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from ..files import write_private
from .errors import SimulatorError
from .faults import Fault, parse_fault
from .profiles import get_profile
from .shell import DeviceState, Shell
from .terminal import Terminal

_log = logging.getLogger(__name__)

# Documented defaults of the simulated devices' credentials (simulator only, never a real device).
DEFAULT_USERNAME = "auditor"
DEFAULT_PASSWORD = "auditor"  # noqa: S105 -- the simulator's documented default
DEFAULT_SECRET = "enable"  # noqa: S105 -- the simulator's documented default enable secret
LOCALHOST = "127.0.0.1"

HOST_KEY_ALGORITHM = "ssh-ed25519"
# Key exchanges offered: what current network operating systems offer (no post-quantum hybrids),
# including the finite-field DH ones that netmiko's fortinet driver insists on.
KEX_ALGORITHMS = (
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group14-sha1",
)
# A stalled or idle client is dropped after this long without finishing its login.
LOGIN_TIMEOUT = 60.0


@dataclass(frozen=True)
class DeviceSpec:
    """One simulated device: its name, platform, configuration snapshot and optional fault.

    `config_text` is what the platform's config command prints (`show running-config`, ...);
    `set_config_text` is Junos `show configuration | display set` (default: `config_text`).
    `hostname` is what the prompt shows (default: `name`).
    """

    name: str
    platform: str
    config_text: str
    set_config_text: str | None = None
    fault: str | Fault | None = None
    hostname: str | None = None

    def __post_init__(self) -> None:
        if not self.name or any(c.isspace() for c in self.name):
            raise SimulatorError(f"bad simulated device name {self.name!r}")
        get_profile(self.platform)
        parse_fault(self.fault)


def _closed_port(host: str) -> int:
    """A port nothing listens on: allocated by the OS, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


def known_hosts_line(host: str, port: int, key: asyncssh.SSHKey) -> str:
    """`[host]:port ssh-ed25519 AAAA...` (OpenSSH known_hosts form of a non-22 port)."""
    algorithm, blob = key.export_public_key("openssh").decode("ascii").split()[:2]
    where = host if port == 22 else f"[{host}]:{port}"
    return f"{where} {algorithm} {blob}"


class Simulator:
    """Simulated network devices over SSH, served from the running asyncio loop.

    `await start()` opens one listening port per device (127.0.0.1, OS-assigned) and
    `await stop()` closes them and every session. With `shared_host_key=True`, all devices share
    one ed25519 host key (cheaper for hundreds of devices); otherwise each has its own.
    """

    def __init__(
        self,
        specs: Iterable[DeviceSpec],
        *,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        secret: str = DEFAULT_SECRET,
        host: str = LOCALHOST,
        shared_host_key: bool = False,
    ) -> None:
        self.specs = list(specs)
        duplicates = sorted(n for n, count in Counter(s.name for s in self.specs).items() if count > 1)
        if duplicates:
            raise SimulatorError(f"duplicate simulated device names: {', '.join(duplicates)}")
        self.username = username
        self.password = password
        self.secret = secret
        self.host = host
        self.shared_host_key = shared_host_key
        self._endpoints: dict[str, tuple[str, int]] = {}
        self._keys: dict[str, asyncssh.SSHKey] = {}
        self._acceptors: list[asyncssh.SSHAcceptor] = []
        self._connections: set[asyncssh.SSHServerConnection] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def endpoints(self) -> dict[str, tuple[str, int]]:
        """Device name -> (host, port), for every device (a `refused` one's port is closed)."""
        return dict(self._endpoints)

    def host_keys(self) -> dict[str, asyncssh.SSHKey]:
        """Device name -> host key, for every listening device."""
        return dict(self._keys)

    def host_key(self, name: str) -> asyncssh.SSHKey:
        """The host key of device `name` (devices with the `refused` fault have none)."""
        return self._keys[name]

    def known_hosts_lines(self) -> list[str]:
        """One known_hosts line per listening device: `[127.0.0.1]:PORT ssh-ed25519 AAAA...`."""
        return [known_hosts_line(*self._endpoints[name], key) for name, key in self._keys.items()]

    def write_known_hosts(self, path: Path) -> None:
        """Write `known_hosts_lines()` to `path`, readable by its owner only."""
        write_private(path, "".join(line + "\n" for line in self.known_hosts_lines()))

    async def start(self) -> None:
        """Open every device's listening port; on any failure, close what was opened."""
        if self._acceptors or self._endpoints:
            raise SimulatorError("simulator already started")
        # netmiko's fortinet driver allows only finite-field DH key exchanges; cryptography warns
        # on each one the server computes. That is the point of simulating FortiOS: keep quiet.
        warnings.filterwarnings("ignore", message="Diffie-Hellman over finite fields", module="asyncssh")
        shared = asyncssh.generate_private_key(HOST_KEY_ALGORITHM) if self.shared_host_key else None
        try:
            for spec in self.specs:
                await self._start_device(spec, shared)
        except BaseException:
            await self.stop()
            raise

    async def _start_device(self, spec: DeviceSpec, shared: asyncssh.SSHKey | None) -> None:
        profile = get_profile(spec.platform)
        fault = parse_fault(spec.fault)
        if fault is Fault.REFUSED:
            self._endpoints[spec.name] = (self.host, _closed_port(self.host))
            return
        config = spec.config_text.replace("\r\n", "\n")
        state = DeviceState(
            profile=profile,
            hostname=spec.hostname or spec.name,
            config_text=config,
            set_config_text=config if spec.set_config_text is None else spec.set_config_text.replace("\r\n", "\n"),
            fault=fault,
            console_output=profile.console_output_default,
        )
        key = shared or asyncssh.generate_private_key(HOST_KEY_ALGORITHM)
        acceptor = await asyncssh.create_server(
            lambda: _Server(self, state),
            self.host,
            0,
            server_host_keys=[key],
            server_version=profile.ssh_version,
            kex_algs=list(KEX_ALGORITHMS),
            encoding=None,
            line_editor=False,
            allow_pty=True,
            agent_forwarding=False,
            x11_forwarding=False,
            login_timeout=LOGIN_TIMEOUT,
            config=None,
        )
        self._acceptors.append(acceptor)
        self._endpoints[spec.name] = (self.host, acceptor.get_port())
        self._keys[spec.name] = key

    async def stop(self) -> None:
        """Stop listening, end every session and connection, and wait for them to finish."""
        acceptors, self._acceptors = self._acceptors, []
        for acceptor in acceptors:
            acceptor.close()
        for task in list(self._tasks):
            task.cancel()
        for conn in list(self._connections):
            conn.abort()
        waits: list[Awaitable[object]] = [a.wait_closed() for a in acceptors]
        waits += [c.wait_closed() for c in list(self._connections)]
        waits += list(self._tasks)
        if waits:
            await asyncio.wait_for(asyncio.gather(*waits, return_exceptions=True), timeout=10)
        self._connections.clear()

    # -- used by the server classes --------------------------------------------------------------

    def _check_login(self, device: DeviceState, username: str, password: str) -> bool:
        if device.fault is Fault.AUTH:
            return False
        return hmac.compare_digest(username.encode(), self.username.encode()) & hmac.compare_digest(
            password.encode(), self.password.encode()
        )

    def _track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class _Server(asyncssh.SSHServer):
    """One SSH connection to a simulated device: authentication and session creation."""

    def __init__(self, sim: Simulator, device: DeviceState) -> None:
        self._sim = sim
        self._device = device
        self._conn: asyncssh.SSHServerConnection | None = None
        self._username = ""

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._sim._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._sim._connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        self._username = username
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self._sim._check_login(self._device, username, password)

    def kbdint_auth_supported(self) -> bool:
        return True

    def get_kbdint_challenge(
        self, username: str, lang: str, submethods: str
    ) -> tuple[str, str, str, Sequence[tuple[str, bool]]]:
        return "", "", "", [("Password: ", False)]

    def validate_kbdint_response(self, username: str, responses: Sequence[str]) -> bool:
        return len(responses) == 1 and self._sim._check_login(self._device, username, responses[0])

    def session_requested(self) -> _Session:
        return _Session(self._sim, self._device, self._username)


class _Session(asyncssh.SSHServerSession[bytes]):
    """The interactive shell channel: feeds the Terminal, runs the Shell in a task."""

    def __init__(self, sim: Simulator, device: DeviceState, username: str) -> None:
        self._sim = sim
        self._device = device
        self._username = username
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._term: Terminal | None = None
        self._lost = False

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self._chan = chan
        self._term = Terminal(chan.write, self._device.profile.echo_eol, self._abort)

    def _abort(self) -> None:
        if self._chan is not None:
            self._chan.get_extra_info("connection").abort()

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Mapping[int, int]
    ) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        return False

    def session_started(self) -> None:
        if self._device.fault is Fault.STALL:
            return  # the session is open, but the CLI never starts: no banner, no prompt, no echo
        self._sim._track(asyncio.get_running_loop().create_task(self._run()))

    async def _run(self) -> None:
        assert self._term is not None and self._chan is not None
        conn: asyncssh.SSHServerConnection = self._chan.get_extra_info("connection")
        try:
            await Shell(self._device, self._term, self._username, self._sim.secret).run()
        except Exception:  # a simulator bug must not leave the client hanging
            _log.exception("simulated device %s: session failed", self._device.hostname)
            conn.abort()
            return
        # The CLI ended (exit/quit/logout): end the session and the connection, as a device does.
        self._term.flush()
        await asyncio.sleep(0)  # a loss that write revealed is processed before more is sent
        if not self._term.closed and not self._lost and not conn.is_closed():
            self._term.closed = True
            with contextlib.suppress(OSError):
                self._chan.exit(0)
            conn.close()

    def data_received(self, data: bytes, datatype: int | None) -> None:
        if self._term is not None:
            self._term.feed(data)

    def eof_received(self) -> bool:
        if self._term is not None:
            self._term.feed_eof()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        if self._term is not None:
            self._term.closed = True
            self._term.feed_eof()

    def pause_writing(self) -> None:
        if self._term is not None:
            self._term.pause_writing()

    def resume_writing(self) -> None:
        if self._term is not None:
            self._term.resume_writing()
