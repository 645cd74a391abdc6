"""Running the simulator: in a background thread (tests, demo), or until a signal (`auditor simulate`).

Also copies a Nornir SimpleInventory so that its hosts point at their simulated devices.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import yaml

from ..files import write_private
from .errors import SimulatorError
from .faults import Fault, parse_fault
from .profiles import PROFILES
from .server import DEFAULT_PASSWORD, DEFAULT_SECRET, DEFAULT_USERNAME, DeviceSpec, Simulator

INVENTORY_FILES = ("hosts.yaml", "groups.yaml", "defaults.yaml")
START_TIMEOUT = 120.0


@contextlib.contextmanager
def running_simulator(
    specs: Iterable[DeviceSpec],
    *,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    secret: str = DEFAULT_SECRET,
    shared_host_key: bool = False,
) -> Iterator[Simulator]:
    """`with running_simulator(specs) as sim:` devices served by an event loop in a background thread.

    The devices listen when the block starts; on exit every session is closed, the loop stops and
    the thread is joined.
    """
    sim = Simulator(specs, username=username, password=password, secret=secret, shared_host_key=shared_host_key)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="device-simulator", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(sim.start(), loop).result(START_TIMEOUT)
        yield sim
    finally:
        try:
            asyncio.run_coroutine_threadsafe(_shutdown(sim), loop).result(START_TIMEOUT)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()


async def _shutdown(sim: Simulator) -> None:
    """Stop the simulator, then whatever asyncssh still has running, so the loop closes clean."""
    await sim.stop()
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)
    await asyncio.get_running_loop().shutdown_asyncgens()


# -- inventories ---------------------------------------------------------------------------------


def _load_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SimulatorError(f"cannot read: {exc}", source=str(path)) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SimulatorError("not a mapping", source=str(path))
    return data


def _group_platform(name: str, groups: Mapping[str, Any], seen: set[str]) -> str | None:
    """A group's platform, else its own groups' (depth first, in order), as Nornir resolves it."""
    if name in seen:
        return None
    seen.add(name)
    group = groups.get(name) or {}
    if not isinstance(group, dict):
        return None
    if group.get("platform"):
        return str(group["platform"])
    for parent in group.get("groups") or []:
        found = _group_platform(str(parent), groups, seen)
        if found:
            return found
    return None


def inventory_platforms(inventory_dir: Path) -> dict[str, str | None]:
    """Host name -> platform (host's, else its groups', else defaults'), read with yaml.safe_load."""
    if not (inventory_dir / "hosts.yaml").is_file():
        raise SimulatorError("no hosts.yaml", source=str(inventory_dir))
    hosts = _load_yaml(inventory_dir / "hosts.yaml")
    groups = _load_yaml(inventory_dir / "groups.yaml")
    defaults = _load_yaml(inventory_dir / "defaults.yaml")
    out: dict[str, str | None] = {}
    for name, entry in hosts.items():
        entry = entry if isinstance(entry, dict) else {}
        platform = entry.get("platform")
        if not platform:
            seen: set[str] = set()
            platform = next(
                (p for g in entry.get("groups") or [] if (p := _group_platform(str(g), groups, seen))), None
            )
        out[str(name)] = (
            str(platform) if platform else (str(defaults["platform"]) if defaults.get("platform") else None)
        )
    return out


def _strip_endpoint(entry: Any) -> None:
    """Drop hostname/port from a group or defaults entry and its connection options."""
    if not isinstance(entry, dict):
        return
    entry.pop("hostname", None)
    entry.pop("port", None)
    for options in (entry.get("connection_options") or {}).values():
        if isinstance(options, dict):
            options.pop("hostname", None)
            options.pop("port", None)


def write_inventory(
    inventory_dir_in: Path,
    out_dir: Path,
    endpoints: Mapping[str, tuple[str, int]],
    known_hosts: Iterable[str] = (),
) -> Path:
    """Copy a SimpleInventory to `out_dir` with every host pointing at its simulated device.

    Each host gets `hostname`/`port` from `endpoints` (also inside its own connection options,
    where it sets them); groups and defaults lose theirs so they cannot override. `known_hosts`
    lines (e.g. `Simulator.known_hosts_lines()`) go to `out_dir/known_hosts`. Every host must have
    an endpoint. Files are created 0600. Returns `out_dir`.
    """
    if out_dir.resolve() == inventory_dir_in.resolve():
        raise SimulatorError("will not overwrite the inventory it copies", source=str(out_dir))
    hosts = _load_yaml(inventory_dir_in / "hosts.yaml")
    groups = _load_yaml(inventory_dir_in / "groups.yaml")
    defaults = _load_yaml(inventory_dir_in / "defaults.yaml")
    missing = sorted(str(n) for n in hosts if str(n) not in endpoints)
    if missing:
        raise SimulatorError(f"no simulated device for host(s): {', '.join(missing)}", source=str(inventory_dir_in))
    for name, entry in hosts.items():
        if not isinstance(entry, dict):
            entry = hosts[name] = {}
        address, port = endpoints[str(name)]
        entry["hostname"] = address
        entry["port"] = port
        for options in (entry.get("connection_options") or {}).values():
            if isinstance(options, dict):
                if "hostname" in options:
                    options["hostname"] = address
                if "port" in options:
                    options["port"] = port
    for group in groups.values():
        _strip_endpoint(group)
    _strip_endpoint(defaults)
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for filename, data in zip(INVENTORY_FILES, (hosts, groups, defaults), strict=True):
        write_private(out_dir / filename, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    write_private(out_dir / "known_hosts", "".join(line + "\n" for line in known_hosts))
    return out_dir


def specs_from_inventory(
    from_dir: Path, inventory_dir: Path, faults: Mapping[str, str] | None = None
) -> tuple[list[DeviceSpec], list[str]]:
    """One DeviceSpec per inventory host, its config from `from_dir/<host>.cfg`.

    A Junos host may also have `<host>.set.cfg` (its `| display set` form). A host without a
    config file is simulated as `refused`; the second list says which ones.
    """
    faults = dict(faults or {})
    platforms = inventory_platforms(inventory_dir)
    unknown_hosts = sorted(set(faults) - set(platforms))
    if unknown_hosts:
        raise SimulatorError(f"fault for host(s) not in the inventory: {', '.join(unknown_hosts)}")
    specs: list[DeviceSpec] = []
    missing: list[str] = []
    for name, platform in platforms.items():
        if platform not in PROFILES:
            known = ", ".join(PROFILES)
            raise SimulatorError(f"host {name}: platform {platform!r} cannot be simulated (known: {known})")
        fault = parse_fault(faults.get(name))
        path = from_dir / f"{name}.cfg"
        try:
            config = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            config, fault = "", Fault.REFUSED
            missing.append(name)
        except (OSError, UnicodeDecodeError) as exc:
            raise SimulatorError(f"cannot read config: {exc}", source=str(path)) from exc
        set_path = from_dir / f"{name}.set.cfg"
        set_config = set_path.read_text(encoding="utf-8") if set_path.is_file() else None
        specs.append(DeviceSpec(name, platform, config, set_config, fault))
    return specs, missing


async def serve_forever(
    specs: Iterable[DeviceSpec],
    *,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    secret: str = DEFAULT_SECRET,
    shared_host_key: bool = False,
    on_ready: Callable[[Simulator], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve `specs` until `stop` is set or SIGINT/SIGTERM arrives (main thread), then stop cleanly."""
    sim = Simulator(specs, username=username, password=password, secret=secret, shared_host_key=shared_host_key)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        await sim.start()
        if on_ready is not None:
            on_ready(sim)
        await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        await sim.stop()


def simulate_main(
    from_dir: Path,
    inventory_dir: Path,
    write_inventory_to: Path | None,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    secret: str = DEFAULT_SECRET,
    faults: Mapping[str, str] | None = None,
    *,
    shared_host_key: bool = True,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """`auditor simulate`: serve every inventory host's `from_dir/<host>.cfg` until SIGINT/SIGTERM.

    Prints one line when all devices listen. With `write_inventory_to`, writes there a copy of the
    inventory pointing at the devices, and its known_hosts. Returns 0 after a clean stop, 2 when
    the inventory, configs or faults are unusable.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        specs, missing = specs_from_inventory(from_dir, inventory_dir, faults)
    except SimulatorError as exc:
        print(f"auditor simulate: {exc}", file=err)
        return 2
    if not specs:
        print(f"auditor simulate: no hosts in {inventory_dir}", file=err)
        return 2
    for name in missing:
        print(f"auditor simulate: warning: no {from_dir / (name + '.cfg')}; {name} refuses connections", file=err)

    def ready(sim: Simulator) -> None:
        where = ""
        if write_inventory_to is not None:
            write_inventory(inventory_dir, write_inventory_to, sim.endpoints, sim.known_hosts_lines())
            where = f"; inventory {write_inventory_to}, known_hosts {write_inventory_to / 'known_hosts'}"
        refusing = len(sim.endpoints) - len(sim.host_keys())
        ports = sorted(sim.endpoints[name][1] for name in sim.host_keys())
        span = f" ports {ports[0]}-{ports[-1]}" if ports else ""
        also = f", {refusing} refusing connections" if refusing else ""
        print(
            f"simulator: {len(ports)} devices listening on {sim.host}{span}{also}{where} (Ctrl-C to stop)",
            file=out,
            flush=True,
        )

    try:
        asyncio.run(
            serve_forever(
                specs,
                username=username,
                password=password,
                secret=secret,
                shared_host_key=shared_host_key,
                on_ready=ready,
            )
        )
    except SimulatorError as exc:
        print(f"auditor simulate: {exc}", file=err)
        return 2
    except OSError as exc:
        print(f"auditor simulate: {exc}", file=err)
        return 2
    return 0
