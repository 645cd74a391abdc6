"""The SSH device simulator, driven by real netmiko/paramiko clients (no mocks)."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
import paramiko
import pytest
import yaml
from netmiko import ConnectHandler
from netmiko.base_connection import BaseConnection
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout

from auditor.simulator import (
    CONFIG_COMMANDS,
    DEFAULT_PASSWORD,
    DEFAULT_SECRET,
    DEFAULT_USERNAME,
    DeviceSpec,
    Simulator,
    SimulatorError,
    inventory_platforms,
    known_hosts_line,
    netmiko_device_type,
    normalise_config_text,
    running_simulator,
    simulate_main,
    write_inventory,
)

# netmiko's fortinet driver allows only finite-field DH key exchange, which cryptography deprecates
pytestmark = pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")

FIXTURES = Path(__file__).parent / "fixtures" / "simulator"
INVENTORY = FIXTURES / "inventory"
PLATFORMS = ("cisco_ios", "cisco_nxos", "juniper_junos", "huawei_vrp", "fortinet")
HOSTNAMES = {
    "cisco_ios": "STTTT-WAN01",
    "cisco_nxos": "STTTT-CORE01",
    "juniper_junos": "STTTT-FW02",
    "huawei_vrp": "HUYEN-TX-AR01",
    "fortinet": "STTC-FGT01",
}
# The prompt as the terminal shows it (netmiko's find_prompt strips the trailing blank).
PROMPTS = {
    "cisco_ios": "STTTT-WAN01#",
    "cisco_nxos": "STTTT-CORE01# ",
    "juniper_junos": f"{DEFAULT_USERNAME}@STTTT-FW02> ",
    "huawei_vrp": "<HUYEN-TX-AR01>",
    "fortinet": "STTC-FGT01 # ",
}
BAD_COMMANDS = {p: "show bogus-command" for p in PLATFORMS} | {"huawei_vrp": "display bogus-command"}
ERRORS = {
    "cisco_ios": "% Invalid input detected at '^' marker.",
    "cisco_nxos": "% Invalid command at '^' marker.",
    "juniper_junos": "syntax error, expecting <command>.",
    "huawei_vrp": "Error: Unrecognized command found at '^' position.",
    "fortinet": "command parse error before 'bogus-command'\nCommand fail. Return code -61",
}
MORE = {
    "cisco_ios": " --More-- ",
    "cisco_nxos": "--More--",
    "juniper_junos": "---(more)---",
    "huawei_vrp": "  ---- More ----",
    "fortinet": "--More-- ",
}
# The commands that turn paging off, each with the end of the prompt that follows it.
NO_PAGING = {
    "cisco_ios": [("terminal length 0", PROMPTS["cisco_ios"])],
    "cisco_nxos": [("terminal length 0", PROMPTS["cisco_nxos"])],
    "juniper_junos": [("set cli screen-length 0", PROMPTS["juniper_junos"])],
    "huawei_vrp": [("screen-length 0 temporary", PROMPTS["huawei_vrp"])],
    "fortinet": [("config system console", "(console) # "), ("set output standard", "(console) # "),
                 ("end", PROMPTS["fortinet"])],
}
FAULTS = ("auth", "refused", "stall", "disconnect", "slow", "garbage")
SLOW_CONFIG = "".join(f"interface GigabitEthernet1/0/{n}\n description Cổng số {n}\n!\n" for n in range(100))


def fixture(platform: str) -> str:
    return (FIXTURES / f"{platform}.cfg").read_text(encoding="utf-8")


@dataclass
class Env:
    sim: Simulator
    known_hosts: Path


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    specs = [
        DeviceSpec(p, p, fixture(p), hostname=HOSTNAMES[p],
                   set_config_text=fixture("juniper_junos.set") if p == "juniper_junos" else None)
        for p in PLATFORMS
    ]
    specs += [DeviceSpec(f"raw-{p}", p, fixture(p), hostname=HOSTNAMES[p]) for p in PLATFORMS]
    specs += [
        DeviceSpec(f"fault-{f}", "cisco_ios", SLOW_CONFIG if f == "slow" else fixture("cisco_ios"), fault=f)
        for f in FAULTS
    ]
    with running_simulator(specs) as sim:
        known_hosts = tmp_path_factory.mktemp("sim") / "known_hosts"
        sim.write_known_hosts(known_hosts)
        yield Env(sim, known_hosts)


def connect(env: Env, name: str, platform: str = "cisco_ios", **kwargs: Any) -> BaseConnection:
    """A netmiko session with its defaults, the host key checked against the simulator's."""
    host, port = env.sim.endpoints[name]
    params: dict[str, Any] = {
        "device_type": netmiko_device_type(platform), "host": host, "port": port,
        "username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD, "secret": DEFAULT_SECRET,
        "ssh_strict": True, "system_host_keys": False, "alt_host_keys": True,
        "alt_key_file": str(env.known_hosts), "conn_timeout": 5,
    }
    params.update(kwargs)
    return ConnectHandler(**params)


class Raw:
    """A bare paramiko shell channel, to see exactly what the device sends."""

    def __init__(self, env: Env, name: str) -> None:
        host, port = env.sim.endpoints[name]
        self.client = paramiko.SSHClient()
        self.client.load_host_keys(str(env.known_hosts))
        self.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        self.client.connect(host, port=port, username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD,
                            look_for_keys=False, allow_agent=False, timeout=5)
        self.chan = self.client.invoke_shell(term="vt100", width=511, height=1000)
        self.chan.settimeout(0.2)
        self.buf = ""

    def send(self, text: str) -> None:
        self.chan.sendall(text.encode())

    def read_until(self, *needles: str, timeout: float = 5.0) -> str:
        """Everything up to and including the first of `needles`."""
        deadline = time.monotonic() + timeout
        while True:
            hits = [(self.buf.find(n), n) for n in needles if n in self.buf]
            if hits:
                pos, needle = min(hits)
                out, self.buf = self.buf[: pos + len(needle)], self.buf[pos + len(needle):]
                return out
            if time.monotonic() > deadline:
                raise AssertionError(f"none of {needles!r} in {self.buf!r}")
            try:
                data = self.chan.recv(65536)
            except TimeoutError:
                continue
            if not data:
                raise EOFError(self.buf)
            self.buf += data.decode("utf-8")

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def raw_session(env: Env) -> Iterator[Any]:
    opened: list[Raw] = []

    def open_raw(name: str) -> Raw:
        opened.append(Raw(env, name))
        return opened[-1]

    yield open_raw
    for raw in opened:
        raw.close()


# -- netmiko sessions, per platform --------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_netmiko_fetches_the_snapshot_byte_for_byte(env: Env, platform: str) -> None:
    with connect(env, platform, platform) as conn:
        if platform == "cisco_ios":  # IOS starts unprivileged and needs enable + secret
            assert conn.find_prompt() == f"{HOSTNAMES[platform]}>"
            assert not conn.check_enable_mode()
        conn.enable()
        assert conn.check_enable_mode()
        assert conn.find_prompt() == PROMPTS[platform].strip()
        out = conn.send_command(CONFIG_COMMANDS[platform])
        assert normalise_config_text(out) == normalise_config_text(fixture(platform))
        assert "Văn phòng" in out or "Sở" in out or "xã" in out  # UTF-8 survives
        err = conn.send_command(BAD_COMMANDS[platform])
        assert ERRORS[platform] in err


@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p != "fortinet"])
def test_error_caret_points_at_the_bad_word(env: Env, raw_session: Any, platform: str) -> None:
    raw = raw_session(f"raw-{platform}")
    if platform == "cisco_ios":
        raw.read_until(">")
        raw.send("enable\n")
        raw.read_until("Password: ")
        raw.send(DEFAULT_SECRET + "\n")
    raw.read_until(PROMPTS[platform])
    command = BAD_COMMANDS[platform]
    raw.send(command + "\n")
    out = raw.read_until(PROMPTS[platform]).replace("\r\n", "\n")
    caret_line = out.split("\n")[1]
    assert caret_line == " " * (len(PROMPTS[platform]) + command.index("bogus")) + "^"


def test_junos_display_set_serves_the_set_snapshot(env: Env) -> None:
    with connect(env, "juniper_junos", "juniper_junos") as conn:
        out = conn.send_command("show configuration | display set")
        assert normalise_config_text(out) == normalise_config_text(fixture("juniper_junos.set"))
        out = conn.send_command("show configuration | no-more")
        assert normalise_config_text(out) == normalise_config_text(fixture("juniper_junos"))


def test_fortinet_console_output_mode_is_restored_after_netmiko(env: Env, raw_session: Any) -> None:
    with connect(env, "fortinet", "fortinet") as conn:
        assert "output              : standard" in conn.send_command("get system console")
    raw = raw_session("fortinet")
    raw.read_until(PROMPTS["fortinet"])
    raw.send("get system console\n")
    assert "output              : more" in raw.read_until(PROMPTS["fortinet"])


# -- the terminal: paging, echo, line ends --------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_paging_until_disabled(env: Env, raw_session: Any, platform: str) -> None:
    raw = raw_session(f"raw-{platform}")
    prompt = PROMPTS[platform]
    if platform == "cisco_ios":
        raw.read_until(">")
        raw.send("enable\n")
        raw.read_until("Password: ")
        raw.send(DEFAULT_SECRET + "\n")
    raw.read_until(prompt)
    command = CONFIG_COMMANDS[platform]
    raw.send(command + "\n")
    first = raw.read_until(MORE[platform])
    assert first.count("\r\n") == 24  # the echo, then 23 lines: the More prompt is the 24th
    pages = [first]
    while True:
        raw.send(" ")
        pages.append(raw.read_until(MORE[platform], prompt))
        if pages[-1].endswith(prompt):
            break
    assert len(pages) >= 3
    erase = {"cisco_ios": "\b" * 10 + " " * 10 + "\b" * 10, "cisco_nxos": "\r        \r",
             "juniper_junos": "\r            \r", "huawei_vrp": "\x1b[16D" + " " * 16 + "\x1b[16D",
             "fortinet": "\r         \r"}[platform]
    text = "".join(pages).replace(MORE[platform], "").replace(erase, "")
    text = text[len(command) + 2 : -len(prompt)]
    assert normalise_config_text(text) == normalise_config_text(fixture(platform))

    for line, next_prompt in NO_PAGING[platform]:
        raw.send(line + "\n")
        raw.read_until(next_prompt)
    raw.send(command + "\n")
    whole = raw.read_until(prompt)
    assert MORE[platform] not in whole
    assert normalise_config_text(whole[len(command) + 2 : -len(prompt)]) == normalise_config_text(fixture(platform))


def test_netmiko_sees_the_more_prompt_when_paging_is_left_on(env: Env) -> None:
    with connect(env, "cisco_ios") as conn:
        conn.enable()
        conn.send_command_timing("terminal length 24", last_read=0.3)
        out = conn.send_command_timing("show running-config", last_read=0.3)
        assert out.rstrip().endswith("--More--")
        assert "transport input ssh" not in out
        pages = [out]
        while pages[-1].rstrip().endswith("--More--"):
            pages.append(conn.send_command_timing(" ", last_read=0.3, strip_command=False, normalize=False,
                                                  cmd_verify=False))
        assert len(pages) == 4  # 82 lines, 23 a page
        assert pages[-1].rstrip().endswith("transport input ssh\n!\nend")


@pytest.mark.parametrize("ending", ["\r", "\n", "\r\n"], ids=["cr", "lf", "crlf"])
def test_line_endings_each_end_one_line(env: Env, raw_session: Any, ending: str) -> None:
    raw = raw_session("raw-cisco_ios")
    raw.read_until("STTTT-WAN01>")
    raw.send(f"show privilege{ending}show privilege{ending}")
    expected = "show privilege\r\nCurrent privilege level is 1\r\n\r\nSTTTT-WAN01>"
    assert raw.read_until("STTTT-WAN01>") + raw.read_until("STTTT-WAN01>") == expected * 2
    raw.send("show version\n")  # a stray extra line end would show up as an empty prompt first
    assert raw.read_until("\r\n") == "show version\r\n"


def test_typed_ahead_input_is_echoed_only_when_read(env: Env, raw_session: Any) -> None:
    raw = raw_session("raw-juniper_junos")
    prompt = PROMPTS["juniper_junos"]
    raw.read_until(prompt)
    raw.send("set cli screen-width 200\nset cli screen-length 0\n")
    transcript = raw.read_until(prompt) + raw.read_until(prompt)
    assert transcript == (
        f"set cli screen-width 200\r\nScreen width set to 200\r\n\r\n{prompt}"
        f"set cli screen-length 0\r\nScreen length set to 0\r\n\r\n{prompt}"
    )


# -- host keys --------------------------------------------------------------------------------------


def test_wrong_host_key_is_rejected(env: Env, tmp_path: Path) -> None:
    host, port = env.sim.endpoints["cisco_ios"]
    wrong = tmp_path / "known_hosts"
    wrong.write_text(known_hosts_line(host, port, asyncssh.generate_private_key("ssh-ed25519")) + "\n")
    with pytest.raises(NetmikoTimeoutException, match="does not match"):
        connect(env, "cisco_ios", alt_key_file=str(wrong))
    empty = tmp_path / "empty"
    empty.write_text("")
    with pytest.raises(NetmikoTimeoutException, match="not found in known_hosts"):
        connect(env, "cisco_ios", alt_key_file=str(empty))


def test_known_hosts_lines(env: Env) -> None:
    lines = env.sim.known_hosts_lines()
    assert len(lines) == len(env.sim.endpoints) - 1  # the `refused` device has no key
    for line in lines:
        assert re.fullmatch(r"\[127\.0\.0\.1\]:\d+ ssh-ed25519 AAAA[0-9A-Za-z+/]+=*", line)
    assert len({line.split()[2] for line in lines}) == len(lines)  # one key per device


def test_wrong_enable_secret_is_refused(env: Env, raw_session: Any) -> None:
    with connect(env, "cisco_ios", secret="not-the-secret", read_timeout_override=1) as conn, pytest.raises(ReadTimeout):
        conn.enable()  # the device asks again, as IOS does; netmiko waits for a prompt that never comes
    raw = raw_session("raw-cisco_ios")
    raw.read_until("STTTT-WAN01>")
    raw.send("enable\nwrong-1\nwrong-2\nwrong-3\n")
    assert raw.read_until("STTTT-WAN01>") == (
        "enable\r\nPassword: \r\nPassword: \r\nPassword: \r\n% Bad secrets\r\n\r\nSTTTT-WAN01>"
    )


def test_keyboard_interactive_login(env: Env) -> None:
    host, port = env.sim.endpoints["cisco_ios"]
    transport = paramiko.Transport((host, port))
    try:
        transport.start_client(timeout=5)
        left = transport.auth_interactive(DEFAULT_USERNAME, lambda _t, _i, prompts: [DEFAULT_PASSWORD for _ in prompts])
        assert left == [] and transport.is_authenticated()
    finally:
        transport.close()


# -- faults ------------------------------------------------------------------------------------------


def test_fault_auth(env: Env) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        connect(env, "fault-auth")


def test_fault_refused(env: Env) -> None:
    with pytest.raises(NetmikoTimeoutException, match="TCP connection to device failed"):
        connect(env, "fault-refused")


def test_fault_stall(env: Env) -> None:
    start = time.monotonic()
    with pytest.raises(ReadTimeout):
        connect(env, "fault-stall", read_timeout_override=1)
    assert time.monotonic() - start < 6


def test_fault_disconnect(env: Env, raw_session: Any) -> None:
    conn = connect(env, "fault-disconnect")
    conn.enable()
    with pytest.raises(ReadTimeout):
        conn.send_command("show running-config", read_timeout=2)
    conn.disconnect()
    raw = raw_session("fault-disconnect")
    raw.read_until(">")
    raw.send(f"enable\n{DEFAULT_SECRET}\nterminal length 0\nshow running-config\n")
    with pytest.raises(EOFError) as cut:
        raw.read_until("fault-disconnect#end")
    received = str(cut.value.args[0])
    assert "interface GigabitEthernet0/0/0" in received and "transport input ssh" not in received


def test_fault_slow_still_completes(env: Env) -> None:
    with connect(env, "fault-slow") as conn:
        conn.enable()
        start = time.monotonic()
        out = conn.send_command("show running-config")
        elapsed = time.monotonic() - start
    assert normalise_config_text(out) == normalise_config_text(SLOW_CONFIG)
    assert 1.0 < elapsed < 10


def test_fault_garbage(env: Env) -> None:
    with connect(env, "fault-garbage") as conn:
        conn.enable()
        out = conn.send_command("show running-config")
        assert "Traceback (most recent call last)" in out
        assert "hostname" not in out
        assert conn.send_command("show privilege").strip() == "Current privilege level is 15"


def test_large_utf8_config_is_identical_through_a_latin1_channel() -> None:
    # netmiko decodes each read on its own, dropping a UTF-8 character split between two reads
    # (with real devices too); a latin-1 channel is lossless, and the text is then decoded as UTF-8.
    config = "".join(f"interface Gi0/{n}\n description Kết nối Ủy ban nhân dân xã số {n}\n!\n" for n in range(8000))
    with running_simulator([DeviceSpec("big", "cisco_ios", config)]) as sim:
        host, port = sim.endpoints["big"]
        with ConnectHandler(device_type="cisco_ios", host=host, port=port, username=DEFAULT_USERNAME,
                            password=DEFAULT_PASSWORD, secret=DEFAULT_SECRET, encoding="latin-1") as conn:
            conn.enable()
            out = conn.send_command("show running-config", read_timeout=30)
    assert normalise_config_text(out.encode("latin-1").decode("utf-8")) == normalise_config_text(config)


# -- many sessions at once -------------------------------------------------------------------------


def test_concurrent_sessions_on_many_devices() -> None:
    specs = [DeviceSpec(f"d{n:02d}-{p}", p, fixture(p)) for n in range(2) for p in PLATFORMS]
    with running_simulator(specs, shared_host_key=True) as sim:
        lines = sim.known_hosts_lines()
        assert len({line.split()[2] for line in lines}) == 1

        def fetch(spec: DeviceSpec) -> bool:
            host, port = sim.endpoints[spec.name]
            with ConnectHandler(device_type=netmiko_device_type(spec.platform), host=host, port=port,
                                username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD,
                                secret=DEFAULT_SECRET) as conn:
                conn.enable()
                out = conn.send_command(CONFIG_COMMANDS[spec.platform])
            return normalise_config_text(out) == normalise_config_text(spec.config_text)

        with ThreadPoolExecutor(len(specs)) as pool:
            assert all(pool.map(fetch, specs))


# -- API and inventory ---------------------------------------------------------------------------------


def test_spec_validation() -> None:
    with pytest.raises(SimulatorError, match="known: cisco_ios, cisco_nxos"):
        DeviceSpec("x", "cisco_xr", "")
    with pytest.raises(SimulatorError, match="known: auth, refused"):
        DeviceSpec("x", "cisco_ios", "", fault="meltdown")
    with pytest.raises(SimulatorError, match="duplicate"):
        Simulator([DeviceSpec("x", "cisco_ios", ""), DeviceSpec("x", "fortinet", "")])


def test_inventory_platforms_follow_host_then_groups_then_defaults(tmp_path: Path) -> None:
    assert inventory_platforms(INVENTORY) == {
        "sttt-wan01": "cisco_ios",
        "sttt-core01": "cisco_nxos",
        "sttt-fw02": "juniper_junos",
        "huyen-tx-ar01": "huawei_vrp",
        "sttc-fgt01": "fortinet",
    }
    (tmp_path / "hosts.yaml").write_text("a: {}\nb: {groups: [g]}\n")
    (tmp_path / "groups.yaml").write_text("g: {}\n")
    (tmp_path / "defaults.yaml").write_text("platform: huawei_vrp\n")
    assert inventory_platforms(tmp_path) == {"a": "huawei_vrp", "b": "huawei_vrp"}


def test_write_inventory_points_hosts_at_the_simulator(tmp_path: Path) -> None:
    endpoints = {name: ("127.0.0.1", 40000 + n) for n, name in enumerate(inventory_platforms(INVENTORY))}
    out = write_inventory(INVENTORY, tmp_path / "sim-inv", endpoints, ["[127.0.0.1]:40000 ssh-ed25519 AAAAC3Nz"])
    for name in ("hosts.yaml", "groups.yaml", "defaults.yaml", "known_hosts"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    text = (out / "hosts.yaml").read_text(encoding="utf-8")
    assert "Ủy ban nhân dân xã Tân Xuân" in text  # unicode kept, not escaped
    hosts = yaml.safe_load(text)
    assert list(hosts) == list(endpoints)  # order kept
    for name, (address, port) in endpoints.items():
        assert (hosts[name]["hostname"], hosts[name]["port"]) == (address, port)
    assert hosts["sttt-fw02"]["connection_options"]["netmiko"]["port"] == endpoints["sttt-fw02"][1]
    assert hosts["sttt-fw02"]["connection_options"]["netmiko"]["extras"] == {"global_delay_factor": 1}
    groups = yaml.safe_load((out / "groups.yaml").read_text(encoding="utf-8"))
    assert "port" not in groups["cisco"]
    assert groups["juniper"]["connection_options"]["netmiko"] == {"extras": {"ssh_strict": True}}
    assert (out / "known_hosts").read_text() == "[127.0.0.1]:40000 ssh-ed25519 AAAAC3Nz\n"
    with pytest.raises(SimulatorError, match="overwrite"):
        write_inventory(INVENTORY, INVENTORY, endpoints)
    with pytest.raises(SimulatorError, match="sttc-fgt01"):
        write_inventory(INVENTORY, tmp_path / "other", {k: v for k, v in endpoints.items() if k != "sttc-fgt01"})


def test_simulate_main_rejects_unusable_input(tmp_path: Path) -> None:
    err = tmp_path / "err.txt"
    with err.open("w") as fh:
        assert simulate_main(tmp_path, INVENTORY, None, faults={"sttt-wan01": "meltdown"}, err=fh) == 2
        assert simulate_main(tmp_path, INVENTORY, None, faults={"nobody": "auth"}, err=fh) == 2
        assert simulate_main(tmp_path, tmp_path / "missing", None, err=fh) == 2
    assert "meltdown" in err.read_text() and "nobody" in err.read_text()


def test_simulate_main_serves_until_sigterm(tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    for host, platform in (("sttt-wan01", "cisco_ios"), ("sttt-core01", "cisco_nxos"),
                           ("sttt-fw02", "juniper_junos"), ("sttc-fgt01", "fortinet")):
        (snapshots / f"{host}.cfg").write_text(fixture(platform), encoding="utf-8")
    out_dir = tmp_path / "sim-inventory"
    code = ("import sys; from pathlib import Path; from auditor.simulator import simulate_main; "
            f"sys.exit(simulate_main(Path({str(snapshots)!r}), Path({str(INVENTORY)!r}), Path({str(out_dir)!r}), "
            "faults={'sttc-fgt01': 'garbage'}))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    try:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(proc.stdout.readline() if proc.stdout else ""))
        reader.start()
        reader.join(30)
        assert line and line[0].startswith("simulator: 4 devices listening on 127.0.0.1"), line
        assert "1 refusing connections" in line[0]
        hosts = yaml.safe_load((out_dir / "hosts.yaml").read_text(encoding="utf-8"))
        with ConnectHandler(device_type="cisco_ios", host=hosts["sttt-wan01"]["hostname"],
                            port=hosts["sttt-wan01"]["port"], username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD,
                            secret=DEFAULT_SECRET, ssh_strict=True, system_host_keys=False, alt_host_keys=True,
                            alt_key_file=str(out_dir / "known_hosts")) as conn:
            conn.enable()
            out = conn.send_command("show running-config")
        assert normalise_config_text(out) == normalise_config_text(fixture("cisco_ios"))
        with pytest.raises(NetmikoTimeoutException, match="TCP connection"):  # no snapshot: refused
            ConnectHandler(device_type="huawei", host="127.0.0.1", port=hosts["huyen-tx-ar01"]["port"],
                           username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD, conn_timeout=3)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        assert "huyen-tx-ar01.cfg" in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
