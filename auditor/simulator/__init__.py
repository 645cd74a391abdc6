"""SSH device simulator (asyncssh) for tests, benchmarks and the demo.

Each simulated device listens on its own OS-assigned port of 127.0.0.1 and answers like the
real platform would (banner, prompts, paging, enable, errors), so that netmiko's defaults work:

    with running_simulator([DeviceSpec("r1", "cisco_ios", text)]) as sim:
        host, port = sim.endpoints["r1"]
        # ConnectHandler(device_type=netmiko_device_type("cisco_ios"), host=host, port=port,
        #                username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD, secret=DEFAULT_SECRET,
        #                ssh_strict=True, system_host_keys=False, alt_host_keys=True,
        #                alt_key_file=<file with sim.known_hosts_lines()>)

The config command's output, after netmiko strips the echoed command and the trailing prompt,
equals the snapshot text under `normalise_config_text` (\\r\\n -> \\n, trailing blanks dropped).

Two things netmiko does with real devices too, and so with these:
- it decodes each channel read on its own (`errors="ignore"`), so a UTF-8 character split
  between two reads of a large output is lost; `encoding="latin-1"` in ConnectHandler and
  `out.encode("latin-1").decode("utf-8")` on the result make the transfer lossless;
- its huawei driver spends 2 s in `disconnect()` (a timing-based read for config mode).

Faults on demand (`DeviceSpec(..., fault=...)`): auth, refused, stall, disconnect, slow, garbage.
"""

from __future__ import annotations

from .errors import SimulatorError
from .faults import Fault
from .profiles import PROFILES, PlatformProfile, get_profile, netmiko_device_type
from .runner import (
    inventory_platforms,
    running_simulator,
    serve_forever,
    simulate_main,
    specs_from_inventory,
    write_inventory,
)
from .server import (
    DEFAULT_PASSWORD,
    DEFAULT_SECRET,
    DEFAULT_USERNAME,
    DeviceSpec,
    Simulator,
    known_hosts_line,
)

# The command that prints each platform's configuration on the simulated devices.
CONFIG_COMMANDS: dict[str, str] = {
    "cisco_ios": "show running-config",
    "cisco_nxos": "show running-config",
    "juniper_junos": "show configuration",
    "huawei_vrp": "display current-configuration",
    "fortinet": "show full-configuration",
}


def normalise_config_text(text: str) -> str:
    """The form in which a fetched config equals its snapshot: \\n line ends, no trailing blanks."""
    return text.replace("\r\n", "\n").rstrip()


__all__ = [
    "CONFIG_COMMANDS",
    "DEFAULT_PASSWORD",
    "DEFAULT_SECRET",
    "DEFAULT_USERNAME",
    "PROFILES",
    "DeviceSpec",
    "Fault",
    "PlatformProfile",
    "Simulator",
    "SimulatorError",
    "get_profile",
    "inventory_platforms",
    "known_hosts_line",
    "netmiko_device_type",
    "normalise_config_text",
    "running_simulator",
    "serve_forever",
    "simulate_main",
    "specs_from_inventory",
    "write_inventory",
]
