"""Unit tests of the Cisco NX-OS parser (auditor/platforms/cisco_nxos/parser.py) over small configs."""

from __future__ import annotations

from textwrap import dedent

import pytest

from auditor.config import ConfigTree, Rx
from auditor.errors import ParseError
from auditor.platforms import get_platform
from auditor.platforms.cisco_nxos.checks import CHECKS

NXOS = get_platform("cisco_nxos")

HEADER = """\

!Command: show running-config
!Running configuration last done at: Tue Nov 18 09:20:11 2025
!Time: Mon Nov 24 08:15:02 2025

version 10.3(4a) Bios:version 05.47
hostname dc-sw01
"""


def parse(body: str = "") -> ConfigTree:
    return NXOS.parse(HEADER + dedent(body))


def texts(tree: ConfigTree) -> list[str]:
    return [line.text for line in tree.lines]


def find(tree: ConfigTree, pattern: str) -> list[str]:
    return [line.text for line, _ in tree.find(Rx(pattern), anywhere=True)]


# ---------------------------------------------------------------- headers, version, features


def test_command_and_time_headers_are_comments() -> None:
    tree = parse()
    assert texts(tree) == ["version 10.3(4a) Bios:version 05.47", "hostname dc-sw01"]
    assert not any(t.startswith("!") for t in texts(tree))


def test_line_numbers_count_every_source_line() -> None:
    tree = parse("feature bgp\n")
    numbers = {line.text: line.number for line in tree.lines}
    # the header starts with an empty line, then three `!` lines and another empty line
    assert numbers == {"version 10.3(4a) Bios:version 05.47": 6, "hostname dc-sw01": 7, "feature bgp": 8}
    assert tree.source_lines == 8


def test_version_and_feature_lines_are_statements() -> None:
    tree = parse("""\
        no feature telnet
        feature tacacs+
        feature interface-vlan
        feature nv overlay
        """)
    assert find(tree, r"^feature ") == ["feature tacacs+", "feature interface-vlan", "feature nv overlay"]
    assert find(tree, r"^no feature telnet$") == ["no feature telnet"]
    assert tree.first(Rx(r"^version \S+")) is not None


def test_switchname_is_a_statement() -> None:
    tree = NXOS.parse("version 9.3(12)\nswitchname leaf-01\nfeature lacp\n")
    assert find(tree, r"^switchname ") == ["switchname leaf-01"]


def test_end_stops_the_config() -> None:
    tree = parse("feature bgp\nend\nfeature telnet\n")
    assert find(tree, r"^feature ") == ["feature bgp"]


def test_echoed_command_before_the_config_is_skipped() -> None:
    tree = NXOS.parse("dc-sw01# show running-config\n" + HEADER)
    assert texts(tree)[0] == "version 10.3(4a) Bios:version 05.47"


# ---------------------------------------------------------------- sections and nesting


def test_vrf_context_is_a_section() -> None:
    tree = parse("""\
        vrf context TSLCD
          rd 65101:1
          ip route 10.170.8.0/21 Null0 254
          address-family ipv4 unicast
            route-target both auto
        vrf context management
        """)
    sections = {line.text: line for line, _ in tree.sections(Rx(r"^vrf context "))}
    assert list(sections) == ["vrf context TSLCD", "vrf context management"]
    tslcd = sections["vrf context TSLCD"]
    assert [c.text for c in tslcd.children] == ["rd 65101:1", "ip route 10.170.8.0/21 Null0 254", "address-family ipv4 unicast"]
    assert [c.text for c in tslcd.children[2].children] == ["route-target both auto"]
    assert sections["vrf context management"].children == []


def test_deep_nesting_of_bgp_neighbours() -> None:
    tree = parse("""\
        router bgp 65101
          router-id 10.170.14.254
          vrf TSLCD
            neighbor 10.170.15.250
              remote-as 65000
              password 3 9125d59c18a9b015
              address-family ipv4 unicast
                route-map RM-IN in
        logging server 10.160.0.21 6 use-vrf TSLCD
        """)
    line = tree.first(Rx(r"^route-map RM-IN in$"), anywhere=True)
    assert line is not None
    assert line.path() == ("router bgp 65101", "vrf TSLCD", "neighbor 10.170.15.250", "address-family ipv4 unicast",
                           "route-map RM-IN in")
    # a top-level statement after the section is top-level again
    assert [r.text for r in tree.roots][-2:] == ["router bgp 65101", "logging server 10.160.0.21 6 use-vrf TSLCD"]


def test_odd_indentation_and_tabs_nest_by_depth() -> None:
    tree = parse("interface Ethernet1/1\n\tdescription uplink\n\tno shutdown\ninterface Ethernet1/2\n shutdown\n")
    interfaces = [line for line, _ in tree.sections(Rx(r"^interface "))]
    assert [[c.text for c in i.children] for i in interfaces] == [["description uplink", "no shutdown"], ["shutdown"]]


def test_interfaces_canonical_names_and_physical_ports() -> None:
    assert NXOS.canonical_ifname("Eth1/49") == "ethernet1/49"
    assert NXOS.canonical_ifname("e1/2") == "ethernet1/2"
    assert NXOS.canonical_ifname("Po11") == "port-channel11"
    assert NXOS.canonical_ifname("Lo0") == "loopback0"
    assert NXOS.canonical_ifname("mgmt0") == "mgmt0"
    physical = NXOS.interfaces.physical_rx
    assert physical.match("Ethernet1/1") and physical.match("Ethernet101/1/3")
    assert not any(physical.match(n) for n in ("mgmt0", "port-channel1", "Vlan10", "loopback0", "nve1"))


# ---------------------------------------------------------------- banners


def test_multi_line_banner_body_is_not_configuration() -> None:
    tree = parse("""\
        banner motd #
        CANH BAO: truy cap trai phep bi nghiem cam.
        feature telnet
        #
        feature bgp
        """)
    assert find(tree, r"^banner ") == ["banner motd"]
    assert find(tree, r"^feature ") == ["feature bgp"]
    assert not find(tree, r"^CANH")


def test_single_line_banner() -> None:
    tree = parse("banner motd %Authorised access only%\nfeature bgp\n")
    assert find(tree, r"^banner motd$") == ["banner motd"]
    assert find(tree, r"^feature ") == ["feature bgp"]


def test_banner_delimiter_is_its_first_character() -> None:
    tree = parse("banner motd ^C\nline one # not the end\nno feature telnet\n^C\nfeature ssh\n")
    assert texts(tree)[2:] == ["banner motd", "feature ssh"]


def test_unclosed_banner_is_refused_with_its_line() -> None:
    with pytest.raises(ParseError, match="banner never closed") as err:
        parse("banner motd #\nwelcome\nfeature bgp\n")
    assert err.value.line == 8


# ---------------------------------------------------------------- refused input


@pytest.mark.parametrize(("text", "family"), [
    ("system {\n    host-name r1;\n}\ninterfaces {\n    ge-0/0/0 {\n    }\n}\nprotocols {\n    ospf;\n}\n"
     "firewall {\n}\n", "Junos"),
    ("set system host-name r1\nset interfaces ge-0/0/0 unit 0\nset protocols ospf area 0\n"
     "set firewall family inet\nset system services ssh\n", "Junos"),
    ("config system global\n    set hostname fw1\nend\nconfig firewall policy\n    edit 1\n    next\nend\n"
     "config router static\nend\n", "FortiOS"),
    ("sysname r1\n#\nundo telnet server enable\ninfo-center loghost 10.0.0.1\nuser-interface vty 0 4\n"
     " protocol inbound ssh\n#\nreturn\n", "Huawei VRP"),
])
def test_foreign_configs_are_refused(text: str, family: str) -> None:
    with pytest.raises(ParseError, match=f"looks like a {family}"):
        NXOS.parse(text)


@pytest.mark.parametrize("text", [
    "Building configuration...\n\nCurrent configuration : 9214 bytes\n!\nversion 17.9\nhostname r1\n"
    "service timestamps log datetime msec\nno ip source-route\ninterface Loopback0\n ip address 10.0.0.1 255.255.255.255\n",
    "version 15.7\nhostname r1\ninterface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\nline con 0\n"
    " exec-timeout 5 0\nline vty 0 4\n transport input ssh\n",
])
def test_ios_configs_are_refused(text: str) -> None:
    with pytest.raises(ParseError, match="Cisco IOS"):
        NXOS.parse(text)


@pytest.mark.parametrize("text", [
    "Traceback (most recent call last):\n  File \"x.py\", line 1\nKeyError: 'x'\nConnection closed by foreign host.\n",
    "% Invalid command at '^' marker.\n% Permission denied\nLogin incorrect\n",
    "!Command: show running-config\n!Time: Mon Nov 24 08:15:02 2025\n",
    "ip domain-lookup\nip name-server 10.62.0.53\n",  # plausible words, but no anchor statement
])
def test_junk_is_refused(text: str) -> None:
    with pytest.raises(ParseError):
        NXOS.parse(text)


# ---------------------------------------------------------------- the platform module


def test_named_checks_have_one_line_docstrings() -> None:
    for name, fn in CHECKS.items():
        assert fn.__doc__ and "\n" not in fn.__doc__.strip(), name


def test_platform_contract() -> None:
    assert NXOS.netmiko_device_type == "cisco_nxos"
    assert NXOS.show_config_command == "show running-config"
    assert NXOS.enable is False
