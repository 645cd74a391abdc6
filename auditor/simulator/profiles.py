"""Each simulated platform's CLI as data: banner, prompts, paging, commands and error texts.

The shell (`shell.py`) is generic; everything a platform does differently lives in its
`PlatformProfile` below. Texts are written with `\\n` line ends; the shell sends `\\r\\n`.

Template fields available in every response, prompt and banner: `{hostname}`, `{username}`,
`{privilege}` (1 or 15), `{console_output}` and `{console_show}` (FortiOS console output mode),
`{arg}` / `{last}` (first / last argument of the command), `{section}` (config prompts).
Error templates also get `{caret}` (a line with `^` under the offending word) and `{token}`.

What netmiko 4.x sends during its session preparation, per device type, and what answers it:
  cisco_ios      "\\n", "terminal width 511", "terminal length 0", "\\n" (prompt), "enable" + secret
  cisco_nxos     "\\n", "terminal width 511", "terminal length 0", "\\n"
  juniper_junos  "\\n", "\\n", "set cli screen-width 511" (waits for "Screen width set to"),
                 "set cli complete-on-space off" ("Disabling complete-on-space"),
                 "set cli screen-length 0" ("Screen length set to"), "\\n"; on close "exit"
  huawei         (waits for "<host>"), "\\n", "\\n", "screen-length 0 temporary"; on close "quit"
  fortinet       (waits for "#"), "\\n", "get system status | grep Virtual",
                 "get system status | grep Version", "get system console",
                 "config system console" / "set output standard" / "end"; on close it restores
                 "set output more" the same way, then "exit"
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import SimulatorError


class Where(Enum):
    """Where a command is accepted."""

    EXEC = "exec"  # exec mode, any privilege
    PRIVILEGED = "privileged"  # exec mode, privileged only (IOS `show running-config`)
    CONFIG = "config"  # configuration mode (optionally one section of it)
    ANY = "any"


class Action(Enum):
    """What a command does besides printing its response."""

    TEXT = "text"  # print the response
    SHOW_CONFIG = "show-config"  # print the device's configuration snapshot
    SHOW_SET_CONFIG = "show-set-config"  # the snapshot in `set` form (Junos `| display set`)
    PAGE_LENGTH = "page-length"  # the first argument becomes this session's page length; 0 = no paging
    CONSOLE_OUTPUT = "console-output"  # FortiOS `set output more|standard`: device-wide paging
    ENABLE = "enable"  # ask for the enable secret, then privileged
    DISABLE = "disable"  # back to user privilege
    CONFIGURE = "configure"  # enter configuration mode (prompt section from `section`)
    END = "end"  # leave configuration mode
    LOGOUT = "logout"  # close the session


class PipeKind(Enum):
    """Output modifiers after `|`."""

    INCLUDE = "include"  # keep lines matching the regex argument
    EXCLUDE = "exclude"  # drop lines matching it
    BEGIN = "begin"  # start at the first line matching it
    GREP = "grep"  # FortiOS grep: [-i] [-v] [-f] PATTERN
    NO_MORE = "no-more"  # no paging for this command
    DISPLAY_SET = "display-set"  # Junos: configuration as set commands
    IGNORE = "ignore"  # accepted, changes nothing here (Junos `display omit`)


@dataclass(frozen=True)
class Command:
    """One command of a platform's CLI.

    `syntax` is space-separated words: a keyword (the user may abbreviate it to any unambiguous
    prefix), `<int>`, `<word>`, `{a|b}` (one of the keywords) or `<rest>` (the rest of the line).
    """

    syntax: str
    action: Action = Action.TEXT
    response: str = ""
    where: Where = Where.EXEC
    section: str = ""  # CONFIGURE: the section shown in the config prompt; CONFIG: only in it

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.syntax.split())


@dataclass(frozen=True)
class Pipe:
    """One output modifier, written like a command's syntax (without the `|`)."""

    syntax: str
    kind: PipeKind

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.syntax.split())


@dataclass(frozen=True)
class Paging:
    """How long output is paged."""

    default_length: int  # lines per screen (the More prompt takes the last one)
    prompt: str  # the More prompt
    erase: str  # written when the user continues, to wipe the More prompt
    device_wide: bool = False  # FortiOS: paging follows the device's console `output` setting


@dataclass(frozen=True)
class PlatformProfile:
    """Everything one platform's simulated CLI says and accepts."""

    name: str  # the project's platform name
    netmiko_device_type: str
    ssh_version: str  # software part of the SSH identification string
    banner: str  # printed once after login, before the first prompt
    user_prompt: str
    privileged_prompt: str
    config_prompt: str
    starts_privileged: bool
    commands: tuple[Command, ...]
    pipes: tuple[Pipe, ...]
    paging: Paging
    error_unknown_command: str  # the first word is not a command
    error_bad_argument: str  # a later word is wrong
    error_incomplete: str  # the words stop before a command is complete
    error_ambiguous: str = ""  # an abbreviation matches several keywords (default: unknown command)
    enable_prompt: str = "Password: "
    enable_failed: str = "% Bad secrets\n\n"
    enable_attempts: int = 3
    echo_eol: str = "\r\n"  # echoed when the CLI reads the end of a line
    output_trailer: str = ""  # between a command's (non-empty) output and the next prompt
    config_accepts_any: bool = True  # config mode takes any line (as configuration) silently
    console_output_default: str = "more"  # FortiOS console output mode of a fresh device


# --- Cisco IOS / IOS-XE -------------------------------------------------------------------------

_IOS_VERSION = """\
Cisco IOS XE Software, Version 17.09.04a
Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.
Compiled Fri 20-Oct-23 10:33 by mcpre

{hostname} uptime is 21 weeks, 3 days, 4 hours, 12 minutes
System image file is "flash:packages.conf"

cisco C9300-24T (X86) processor with 1338934K/6147K bytes of memory.
Configuration register is 0x102
"""

CISCO_IOS = PlatformProfile(
    name="cisco_ios",
    netmiko_device_type="cisco_ios",
    ssh_version="Cisco-1.25",
    banner=(
        "\n"
        "**************************************************************************\n"
        "*  Authorised access only. This device belongs to the provincial          *\n"
        "*  dedicated data network; every session is logged and audited.          *\n"
        "**************************************************************************\n"
        "\n"
    ),
    user_prompt="{hostname}>",
    privileged_prompt="{hostname}#",
    config_prompt="{hostname}({section})#",
    starts_privileged=False,
    commands=(
        Command("enable", Action.ENABLE),
        Command("disable", Action.DISABLE),
        Command("terminal length <int>", Action.PAGE_LENGTH),
        Command("terminal width <int>"),
        Command("terminal no monitor"),
        Command("show running-config", Action.SHOW_CONFIG, where=Where.PRIVILEGED),
        Command("show version", response=_IOS_VERSION),
        Command("show privilege", response="Current privilege level is {privilege}\n"),
        Command(
            "configure terminal",
            Action.CONFIGURE,
            "Enter configuration commands, one per line.  End with CNTL/Z.\n",
            where=Where.PRIVILEGED,
            section="config",
        ),
        Command("end", Action.END, where=Where.CONFIG),
        Command("exit", Action.END, where=Where.CONFIG),
        Command("exit", Action.LOGOUT),
        Command("logout", Action.LOGOUT),
        Command("quit", Action.LOGOUT),
    ),
    pipes=(
        Pipe("include <rest>", PipeKind.INCLUDE),
        Pipe("exclude <rest>", PipeKind.EXCLUDE),
        Pipe("begin <rest>", PipeKind.BEGIN),
    ),
    paging=Paging(default_length=24, prompt=" --More-- ", erase="\b" * 10 + " " * 10 + "\b" * 10),
    error_unknown_command="{caret}\n% Invalid input detected at '^' marker.\n",
    error_bad_argument="{caret}\n% Invalid input detected at '^' marker.\n",
    error_incomplete="% Incomplete command.\n",
    error_ambiguous='% Ambiguous command:  "{line}"\n',
    output_trailer="\n",
)

# --- Cisco NX-OS --------------------------------------------------------------------------------

_NXOS_VERSION = """\
Cisco Nexus Operating System (NX-OS) Software
TAC support: http://www.cisco.com/tac
Copyright (C) 2002-2024, Cisco and/or its affiliates.
All rights reserved.

Software
  BIOS: version 05.47
  NXOS: version 10.3(4a) [Maintenance Release]
  NXOS image file is: bootflash:///nxos64-cs.10.3.4a.M.bin

Hardware
  cisco Nexus9000 C93180YC-FX Chassis

  Device name: {hostname}
"""

CISCO_NXOS = PlatformProfile(
    name="cisco_nxos",
    netmiko_device_type="cisco_nxos",
    ssh_version="OpenSSH_8.3",
    banner=(
        "\n"
        "Cisco Nexus Operating System (NX-OS) Software\n"
        "TAC support: http://www.cisco.com/tac\n"
        "Copyright (C) 2002-2024, Cisco and/or its affiliates.\n"
        "All rights reserved.\n"
        "The copyrights to certain works contained in this software are\n"
        "owned by other third parties and used and distributed under their own\n"
        "licenses, such as open source.\n"
    ),
    # NX-OS starts its prompt with a carriage return and ends it with a space
    user_prompt="\r{hostname}> ",
    privileged_prompt="\r{hostname}# ",
    config_prompt="\r{hostname}({section})# ",
    starts_privileged=True,
    commands=(
        Command("terminal length <int>", Action.PAGE_LENGTH),
        Command("terminal width <int>"),
        Command("show running-config", Action.SHOW_CONFIG),
        Command("show version", response=_NXOS_VERSION),
        Command(
            "configure terminal",
            Action.CONFIGURE,
            "Enter configuration commands, one per line. End with CNTL/Z.\n",
            section="config",
        ),
        Command("end", Action.END, where=Where.CONFIG),
        Command("exit", Action.END, where=Where.CONFIG),
        Command("exit", Action.LOGOUT),
    ),
    pipes=(
        Pipe("include <rest>", PipeKind.INCLUDE),
        Pipe("exclude <rest>", PipeKind.EXCLUDE),
        Pipe("begin <rest>", PipeKind.BEGIN),
        Pipe("no-more", PipeKind.NO_MORE),
    ),
    paging=Paging(default_length=24, prompt="--More--", erase="\r        \r"),
    error_unknown_command="{caret}\n% Invalid command at '^' marker.\n",
    error_bad_argument="{caret}\n% Invalid command at '^' marker.\n",
    error_incomplete="{caret}\n% Incomplete command at '^' marker.\n",
)

# --- Juniper Junos ------------------------------------------------------------------------------

_JUNOS_VERSION = """\
Hostname: {hostname}
Model: mx204
Junos: 22.4R3-S2.11
JUNOS OS Kernel 64-bit  [20240510.2e3e5bd_builder_stable_12_224]
JUNOS OS runtime [20240510.2e3e5bd_builder_stable_12_224]
JUNOS Routing Software Suite [22.4R3-S2.11]
"""

JUNIPER_JUNOS = PlatformProfile(
    name="juniper_junos",
    netmiko_device_type="juniper_junos",
    ssh_version="OpenSSH_7.5",
    banner="Last login: Mon Nov 24 08:15:02 2025 from 192.0.2.10\n--- JUNOS 22.4R3-S2.11 Kernel 64-bit\n",
    user_prompt="{username}@{hostname}> ",
    privileged_prompt="{username}@{hostname}> ",
    config_prompt="[edit]\n{username}@{hostname}# ",
    starts_privileged=True,
    commands=(
        Command("set cli screen-width <int>", response="Screen width set to {arg}\n"),
        Command("set cli screen-length <int>", Action.PAGE_LENGTH, "Screen length set to {arg}\n"),
        Command("set cli complete-on-space off", response="Disabling complete-on-space\n"),
        Command("set cli complete-on-space on", response="Enabling complete-on-space\n"),
        Command("show configuration", Action.SHOW_CONFIG),
        Command("show version", response=_JUNOS_VERSION),
        Command("configure", Action.CONFIGURE, "Entering configuration mode\n\n", section="edit"),
        Command("exit configuration-mode", Action.END, "Exiting configuration mode\n\n", where=Where.CONFIG),
        Command("exit", Action.END, "Exiting configuration mode\n\n", where=Where.CONFIG),
        Command("quit", Action.END, "Exiting configuration mode\n\n", where=Where.CONFIG),
        Command("exit", Action.LOGOUT),
        Command("quit", Action.LOGOUT),
    ),
    pipes=(
        Pipe("display set", PipeKind.DISPLAY_SET),
        Pipe("display omit", PipeKind.IGNORE),
        Pipe("no-more", PipeKind.NO_MORE),
        Pipe("match <rest>", PipeKind.INCLUDE),
        Pipe("except <rest>", PipeKind.EXCLUDE),
    ),
    paging=Paging(default_length=24, prompt="---(more)---", erase="\r" + " " * 12 + "\r"),
    error_unknown_command="{caret}\nunknown command.\n",
    error_bad_argument="{caret}\nsyntax error, expecting <command>.\n",
    error_incomplete="{caret}\nsyntax error, expecting <command>.\n",
    output_trailer="\n",
)

# --- Huawei VRP ---------------------------------------------------------------------------------

_VRP_VERSION = """\
Huawei Versatile Routing Platform Software
VRP (R) software, Version 8.200 (NE40E V800R012C10SPC300)
Copyright (C) 2012-2023 Huawei Technologies Co., Ltd.
HUAWEI NE40E-M2K uptime is 112 days, 5 hours, 41 minutes
"""

HUAWEI_VRP = PlatformProfile(
    name="huawei_vrp",
    netmiko_device_type="huawei",
    ssh_version="HUAWEI-1.5",
    banner=(
        "\n"
        "Info: The max number of VTY users is 10, and the number\n"
        "      of current VTY users on line is 1.\n"
        "      The current login time is 2025-11-24 08:15:02+07:00.\n"
    ),
    user_prompt="<{hostname}>",
    privileged_prompt="<{hostname}>",
    config_prompt="[{hostname}]",
    starts_privileged=True,
    commands=(
        Command(
            "screen-length <int> temporary",
            Action.PAGE_LENGTH,
            "Info: The configuration takes effect on the current user terminal interface only.\n",
        ),
        Command("screen-width <int>"),
        Command("display current-configuration", Action.SHOW_CONFIG),
        Command("display version", response=_VRP_VERSION),
        Command("system-view", Action.CONFIGURE, "Enter system view, return user view with return command.\n"),
        Command("return", Action.END, where=Where.CONFIG),
        Command("quit", Action.END, where=Where.CONFIG),
        Command("quit", Action.LOGOUT),
    ),
    pipes=(
        Pipe("include <rest>", PipeKind.INCLUDE),
        Pipe("exclude <rest>", PipeKind.EXCLUDE),
        Pipe("begin <rest>", PipeKind.BEGIN),
        Pipe("no-more", PipeKind.NO_MORE),
    ),
    paging=Paging(default_length=24, prompt="  ---- More ----", erase="\x1b[16D" + " " * 16 + "\x1b[16D"),
    error_unknown_command="{caret}\nError: Unrecognized command found at '^' position.\n",
    error_bad_argument="{caret}\nError: Unrecognized command found at '^' position.\n",
    error_incomplete="{caret}\nError: Incomplete command found at '^' position.\n",
)

# --- Fortinet FortiOS ---------------------------------------------------------------------------

_FORTIOS_STATUS = """\
Version: FortiGate-100F v7.4.3,build2573,240201 (GA.F)
First GA patch build date: 230509
Security Level: 1
Firmware Signature: certified
Virus-DB: 92.01234(2024-02-01 10:00)
Extended DB: 92.01234(2024-02-01 10:00)
IPS-DB: 27.00724(2024-01-31 01:32)
IPS-ETDB: 0.00000(2001-01-01 00:00)
APP-DB: 27.00724(2024-01-31 01:32)
FMWP-DB: 24.00003(2024-01-04 14:58)
IPS Malicious URL Database: 5.00123(2024-02-01 08:30)
IoT-Detect: 0.00000(2022-08-17 17:31)
Serial-Number: FG100FTK22000000
BIOS version: 05000009
System Part-Number: P24062-04
Log hard disk: Available
Hostname: {hostname}
Private Encryption: Disable
Operation Mode: NAT
Current virtual domain: root
Max number of virtual domains: 10
Virtual domains status: 1 in NAT mode, 0 in TP mode
Virtual domain configuration: disable
FIPS-CC mode: disable
Current HA mode: standalone
Branch point: 2573
Release Version Information: GA
System time: Mon Nov 24 08:15:02 2025
Last reboot reason: warm reboot
"""

_FORTIOS_CONSOLE_GET = """\
output              : {console_output}
login               : enable
fortiexplorer       : enable
"""

_FORTIOS_CONSOLE_FULL = """\
config system console
    set output {console_output}
    set login enable
    set fortiexplorer enable
end
"""

FORTINET = PlatformProfile(
    name="fortinet",
    netmiko_device_type="fortinet",
    ssh_version="FortiSSH_7.4",
    banner="",
    user_prompt="{hostname} # ",
    privileged_prompt="{hostname} # ",
    config_prompt="{hostname} ({section}) # ",
    starts_privileged=True,
    commands=(
        Command("get system status", response=_FORTIOS_STATUS),
        Command("get system console", response=_FORTIOS_CONSOLE_GET),
        Command("show system console", response="config system console\n{console_show}end\n"),
        Command("show full-configuration system console", response=_FORTIOS_CONSOLE_FULL),
        Command("show full-configuration", Action.SHOW_CONFIG),
        Command("show", Action.SHOW_CONFIG),
        Command("config system console", Action.CONFIGURE, section="console"),
        Command("config <word> <word>", Action.CONFIGURE, section="{last}"),
        Command("set output {more|standard}", Action.CONSOLE_OUTPUT, where=Where.CONFIG, section="console"),
        Command("get", response=_FORTIOS_CONSOLE_GET, where=Where.CONFIG, section="console"),
        Command("show", response="config system console\n{console_show}end\n", where=Where.CONFIG, section="console"),
        Command("end", Action.END, where=Where.CONFIG),
        Command("abort", Action.END, where=Where.CONFIG),
        Command("exit", Action.LOGOUT),
    ),
    pipes=(Pipe("grep <rest>", PipeKind.GREP),),
    paging=Paging(default_length=24, prompt="--More-- ", erase="\r         \r", device_wide=True),
    error_unknown_command="Unknown action 0\nCommand fail. Return code -1\n",
    error_bad_argument="command parse error before '{token}'\nCommand fail. Return code -61\n",
    error_incomplete="Command fail. Return code -61\n",
    output_trailer="\n",
    config_accepts_any=False,
    console_output_default="more",
)

# The registry, explicitly: one entry per platform (the project's platform names).
PROFILES: dict[str, PlatformProfile] = {p.name: p for p in (CISCO_IOS, CISCO_NXOS, JUNIPER_JUNOS, HUAWEI_VRP, FORTINET)}


def get_profile(platform: str) -> PlatformProfile:
    """The profile of `platform`; an unknown name raises an error listing the known ones."""
    try:
        return PROFILES[platform]
    except KeyError:
        known = ", ".join(PROFILES)
        raise SimulatorError(f"unknown platform {platform!r} for the simulator (known: {known})") from None


def netmiko_device_type(platform: str) -> str:
    """The netmiko device_type that talks to a simulated `platform` (e.g. `huawei` for `huawei_vrp`)."""
    return get_profile(platform).netmiko_device_type
