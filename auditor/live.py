"""Live collection over SSH: credentials, host-key policy, retries, and the netmiko session.

The connection goes through nornir-netmiko's connection plugin (`host.get_connection("netmiko")`),
configured per host from the credentials and the SSH options. Failures are classified into the
reasons a report shows (unreachable, timeout, authentication failed, host key mismatch, unknown
host key, disconnected mid output); only connection-level failures are retried.
"""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import stat
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)
from nornir.core.inventory import ConnectionOptions, Host
from nornir.core.task import Task

from .errors import AuditorError, CollectionError
from .models import HostInfo
from .platforms import get_platform
from .yamlio import load_yaml

ENV_USERNAME, ENV_PASSWORD, ENV_SECRET = "AUDITOR_USERNAME", "AUDITOR_PASSWORD", "AUDITOR_SECRET"

# paramiko logs a transport's socket errors; every such failure already becomes a host's error
# reason, so its records are not printed by Python's last-resort handler.
logging.getLogger("paramiko").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    secret: str = ""


class Credentials:
    """Logins per host: the credentials file (host, then group, then `default`), else the environment.

    File format (YAML, readable by its owner only)::

        default: {username: auditor, password: ..., secret: ...}
        groups:  {commune: {username: ..., password: ...}}
        hosts:   {dbn-so-tc-rtr01: {password: ...}}
    """

    def __init__(self, default: Login | None, groups: Mapping[str, Mapping[str, str]] | None = None,
                 hosts: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.default = default
        self.groups = groups or {}
        self.hosts = hosts or {}

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Credentials:
        user, password = env.get(ENV_USERNAME), env.get(ENV_PASSWORD)
        default = Login(user, password, env.get(ENV_SECRET, "")) if user and password else None
        return cls(default)

    @classmethod
    def from_file(cls, path: Path, env: Mapping[str, str]) -> Credentials:
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise CollectionError(f"cannot read credentials file: {exc.strerror}", source=str(path)) from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CollectionError(
                f"credentials file is readable by others (mode {stat.S_IMODE(mode):04o}); "
                f"run: chmod 600 {path}", source=str(path))
        raw = load_yaml(path) or {}
        if not isinstance(raw, dict) or set(raw) - {"default", "groups", "hosts", "smtp", "webhook"}:
            raise CollectionError("expected a mapping with 'default', 'groups' and/or 'hosts'", source=str(path))
        base = cls.from_env(env).default
        default = raw.get("default")
        if isinstance(default, dict):
            base = _merge(base, default, str(path))
        return cls(base, raw.get("groups") or {}, raw.get("hosts") or {})

    def for_host(self, name: str, groups: list[str]) -> Login:
        login = self.default
        for group in reversed(groups):  # the first group listed wins, as in Nornir
            if group in self.groups:
                login = _merge(login, self.groups[group], f"group {group}")
        if name in self.hosts:
            login = _merge(login, self.hosts[name], f"host {name}")
        if login is None:
            raise CollectionError(f"no credentials: set {ENV_USERNAME} and {ENV_PASSWORD} or use --credentials")
        return login


def _merge(base: Login | None, entry: Mapping[str, Any], where: str) -> Login:
    user = entry.get("username", base.username if base else None)
    password = entry.get("password", base.password if base else None)
    if not user or not password:
        raise CollectionError(f"credentials for {where} need a username and a password")
    return Login(str(user), str(password), str(entry.get("secret", base.secret if base else "")))


@dataclass(frozen=True)
class SshOptions:
    """How to connect: host-key policy, timeouts, retries and the cap on concurrent logins."""

    known_hosts: Path
    trust_on_first_use: bool = False
    verify_host_keys: bool = True
    conn_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 2
    backoff: float = 1.0
    max_new_connections: int = 8

    @property
    def login_deadline(self) -> float:
        """Time allowed from TCP connect to the device's prompt."""
        return 2 * self.conn_timeout

    @property
    def host_key_policy(self) -> str:
        if not self.verify_host_keys:
            return "disabled"
        return "trust-on-first-use" if self.trust_on_first_use else "known_hosts"


class KnownHosts:
    """The known_hosts file: look up a host's key, and (trust on first use) record a new one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    @staticmethod
    def entry_name(host: str, port: int) -> str:
        return host if port == 22 else f"[{host}]:{port}"

    def lookup(self, host: str, port: int) -> paramiko.HostKeys:
        keys = paramiko.HostKeys()
        if self.path.exists():
            keys.load(str(self.path))
        return keys.lookup(self.entry_name(host, port)) or {}

    def learn(self, host: str, port: int, timeout: float) -> None:
        """Fetch the server's key and append it if the file has no key for that host yet."""
        with self._lock:
            if self.lookup(host, port):
                return
            sock = socket.create_connection((host, port), timeout=timeout)
            transport = paramiko.Transport(sock)
            try:
                transport.start_client(timeout=timeout)
                key = transport.get_remote_server_key()
            finally:
                transport.close()
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with self.path.open("a", encoding="ascii") as fh:
                fh.write(f"{self.entry_name(host, port)} {key.get_name()} {key.get_base64()}\n")
            self.path.chmod(0o600)


def classify(exc: BaseException) -> tuple[str, bool]:
    """The reason a report shows for a collection failure, and whether a retry may help."""
    text = str(exc)
    if isinstance(exc, paramiko.BadHostKeyException) or "does not match" in text:
        return "host key mismatch: the device's SSH key differs from known_hosts (possible impersonation)", False
    if isinstance(exc, NetmikoAuthenticationException | paramiko.AuthenticationException):
        return "authentication failed", False
    if isinstance(exc, paramiko.SSHException) and "known_hosts" in text:
        return "unknown host key: not in known_hosts (use --trust-on-first-use to record it)", False
    if isinstance(exc, ConnectionRefusedError) or "refused" in text.lower():
        return "unreachable: connection refused", True
    if isinstance(exc, LoginTimeout):
        return f"timeout: {exc}", True
    if isinstance(exc, ChannelClosed):
        return "disconnected mid output: the device closed the session", True
    if isinstance(exc, NetmikoTimeoutException | socket.timeout | TimeoutError):
        if "TCP connection" in text or "timed out" in text.lower():
            return "unreachable: no answer on the SSH port", True
        return "timeout: no prompt from the device", True
    if isinstance(exc, ReadTimeout):
        return "timeout: the device stopped sending before the prompt came back", True
    if isinstance(exc, EOFError | ConnectionResetError | OSError | ReadException | paramiko.SSHException):
        return f"disconnected mid output ({type(exc).__name__})", True
    return f"collection failed: {type(exc).__name__}: {text.splitlines()[0] if text else ''}", False


class LoginTimeout(Exception):
    """The device accepted the connection but never presented its prompt."""


class ChannelClosed(EOFError):
    """The device closed the session before the output was complete."""


def _fail_fast_on_close(conn: Any) -> None:
    """Make a read on a session the device has closed raise instead of returning nothing.

    netmiko's reads return "" on a closed channel, so a device that drops the session in the
    middle of the config would otherwise be waited for until the read timeout.
    """
    read = conn.read_channel

    def read_channel() -> str:
        data: str = read()
        channel = conn.remote_conn
        if not data and channel is not None and channel.closed and not channel.recv_ready():
            raise ChannelClosed("the device closed the session")
        return data

    conn.read_channel = read_channel


def _close(nhost: Host) -> None:
    """End the SSH session; without netmiko's graceful logout unless the platform needs it.

    The config has been read; netmiko's `disconnect()` first probes for config mode with
    timing-based reads (two seconds on some platforms), which adds nothing to an audit. Platforms
    whose session preparation changed device-wide settings (FortiOS console paging) log out
    gracefully so that netmiko restores them.
    """
    conn = nhost.connections.pop("netmiko", None)
    if conn is None:
        return
    with contextlib.suppress(Exception):  # the session may already be broken
        if get_platform(nhost.platform).graceful_logout:
            conn.close()
        else:
            conn.connection.paramiko_cleanup()


class LiveSource:
    """Collects running configs over SSH through nornir-netmiko."""

    label = "live"

    def __init__(self, credentials: Credentials, options: SshOptions) -> None:
        self.credentials = credentials
        self.options = options
        self.known_hosts = KnownHosts(options.known_hosts)
        self._logins = threading.BoundedSemaphore(max(1, options.max_new_connections))

    def _prepare(self, nhost: Host) -> None:
        platform = get_platform(nhost.platform)
        login = self.credentials.for_host(nhost.name, [g.name for g in nhost.groups])
        o = self.options
        extras: dict[str, Any] = {
            "secret": login.secret,
            "conn_timeout": o.conn_timeout,
            "auth_timeout": o.conn_timeout,
            "banner_timeout": o.conn_timeout,
            "blocking_timeout": o.conn_timeout,
            "session_timeout": o.read_timeout,
            "ssh_strict": o.verify_host_keys,
            "system_host_keys": False,
            "alt_host_keys": o.verify_host_keys,
            "alt_key_file": str(o.known_hosts) if o.verify_host_keys else "",
            "allow_agent": False,
            "use_keys": False,
            # netmiko decodes each read on its own and drops a UTF-8 character split between two
            # reads; latin-1 maps every byte, and the output is decoded as UTF-8 once, whole
            "encoding": "latin-1",
        }
        nhost.username = login.username
        nhost.password = login.password
        nhost.connection_options["netmiko"] = ConnectionOptions(
            hostname=nhost.hostname, port=nhost.port, username=login.username, password=login.password,
            platform=platform.netmiko_device_type, extras=extras)

    def _login(self, task: Task) -> Any:
        """Open the netmiko session, giving up when the device has not shown its prompt by the
        login deadline (netmiko itself would keep reading for twenty seconds per step).

        The session opens in a helper thread over a socket of ours; at the deadline the socket is
        shut, the helper is left to finish failing on its own, and the host fails at once.
        """
        nhost = task.host
        o = self.options
        host, port = str(nhost.hostname), int(nhost.port or 22)
        with self._logins:
            if o.verify_host_keys and o.trust_on_first_use:
                self.known_hosts.learn(host, port, o.conn_timeout)
            sock = socket.create_connection((host, port), timeout=o.conn_timeout)
            extras = nhost.connection_options["netmiko"].extras
            assert extras is not None  # set by _prepare
            extras["sock"] = sock
            opened: Future[Any] = Future()

            def open_session() -> None:
                try:
                    opened.set_result(nhost.get_connection("netmiko", task.nornir.config))
                except BaseException as exc:  # handed to the waiting worker
                    opened.set_exception(exc)

            threading.Thread(target=open_session, name=f"login-{nhost.name}", daemon=True).start()
            try:
                conn = opened.result(timeout=o.login_deadline)
            except FutureTimeout:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
                raise LoginTimeout(f"no prompt within {o.login_deadline:g} s") from None
            except Exception:
                sock.close()
                raise
        _fail_fast_on_close(conn)
        return conn

    def _collect_once(self, task: Task) -> str:
        nhost = task.host
        platform = get_platform(nhost.platform)
        conn = self._login(task)
        try:
            if platform.enable:
                conn.enable()
            output = conn.send_command(platform.show_config_command, read_timeout=self.options.read_timeout)
        finally:
            _close(nhost)
        raw = str(output).encode("latin-1")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("utf-8", errors="replace")

    def fetch(self, host: HostInfo, task: Task | None = None) -> tuple[str, str]:
        if task is None:
            raise AuditorError("live collection runs inside a Nornir task")
        nhost = task.host
        self._prepare(nhost)
        origin = f"{nhost.hostname}:{nhost.port or 22}"
        attempt = 0
        while True:
            try:
                return self._collect_once(task), origin
            except AuditorError:
                raise
            except Exception as exc:
                reason, retry = classify(exc)
                _close(nhost)
                if not retry or attempt >= self.options.retries:
                    suffix = f" after {attempt + 1} attempts" if attempt else ""
                    raise CollectionError(f"{reason}{suffix}", source=origin) from exc
                attempt += 1
                time.sleep(self.options.backoff * (2 ** (attempt - 1)) * (0.5 + random.random()))  # noqa: S311
