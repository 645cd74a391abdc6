"""The Huawei VRP parser and platform module: `#` blocks, AR-style indentation, `return`, banners,
key blobs, `undo` forms, line numbers, VRP5 and VRP8 headers, and refusal of what is not VRP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.config import ConfigTree
from auditor.errors import ParseError
from auditor.platforms import get_platform, known_platforms

VRP = get_platform("huawei_vrp")
FIXTURES = Path(__file__).parent / "fixtures" / "huawei_vrp"


def texts(tree: ConfigTree) -> list[str]:
    return [line.text for line in tree.lines]


def top(tree: ConfigTree) -> list[str]:
    return [line.text for line in tree.roots]


# An AR router (VRP5): echoed prompt and command, `[Vxxx]` version line, global commands printed
# with a one-space indent between `#` separators, a prompt after `return`.
AR = """\
<ar01>display current-configuration
[V300R021C10SPC100]
#
 sysname ar01
#
 undo telnet server enable
 info-center loghost 10.160.0.21
#
aaa
 authentication-scheme TACACS
  authentication-mode hwtacacs local
 local-user netadmin password irreversible-cipher $1c$abc$def$
#
interface GigabitEthernet0/0/0
 description TSLCD uplink
 undo shutdown
#
 snmp-agent sys-info version v3
#
return
<ar01>
"""


def test_ar_style_global_commands_are_top_level() -> None:
    tree = VRP.parse(AR)
    assert top(tree) == [
        "sysname ar01", "undo telnet server enable", "info-center loghost 10.160.0.21", "aaa",
        "interface GigabitEthernet0/0/0", "snmp-agent sys-info version v3",
    ]
    aaa = tree.roots[3]
    assert [c.text for c in aaa.children] == [
        "authentication-scheme TACACS", "local-user netadmin password irreversible-cipher $1c$abc$def$"]
    assert [c.text for c in aaa.children[0].children] == ["authentication-mode hwtacacs local"]


def test_line_numbers_are_those_of_the_original_text() -> None:
    tree = VRP.parse(AR)
    numbers = {line.text: line.number for line in tree.lines}
    assert numbers["sysname ar01"] == 4
    assert numbers["authentication-mode hwtacacs local"] == 11
    assert numbers["snmp-agent sys-info version v3"] == 18
    assert tree.source_lines == len(AR.splitlines())


def test_prompt_version_line_and_everything_after_return_are_not_config() -> None:
    tree = VRP.parse(AR)
    assert not [t for t in texts(tree) if t.startswith(("<", "[", "display", "return"))]


# A CE switch (VRP8): `!` header lines, nested ` #` separators inside sections.
CE = """\
!Software Version V200R019C10SPC800
!Last configuration was updated at 2025-10-14 09:12:40+07:00 by netadmin
!Last configuration was saved at 2025-10-14 09:13:05+07:00 by netadmin
#
sysname ce01
#
aaa
 local-user netadmin password irreversible-cipher $1c$x$y$
 #
 authentication-scheme TACACS
  authentication-mode hwtacacs local
 #
 domain default_admin
  authentication-scheme TACACS
#
bgp 65141
 peer 10.0.0.1 as-number 64620
 #
 ipv4-family unicast
  peer 10.0.0.1 enable
  peer 10.0.0.1 route-limit 1000
#
return
"""


def test_vrp8_header_lines_are_comments_and_nested_separators_keep_the_section_open() -> None:
    tree = VRP.parse(CE)
    assert top(tree) == ["sysname ce01", "aaa", "bgp 65141"]
    aaa, bgp = tree.roots[1], tree.roots[2]
    assert [c.text for c in aaa.children] == [
        "local-user netadmin password irreversible-cipher $1c$x$y$", "authentication-scheme TACACS",
        "domain default_admin"]
    family = bgp.children[1]
    assert family.text == "ipv4-family unicast"
    assert [c.text for c in family.children] == ["peer 10.0.0.1 enable", "peer 10.0.0.1 route-limit 1000"]
    assert family.children[1].path() == ("bgp 65141", "ipv4-family unicast", "peer 10.0.0.1 route-limit 1000")


def test_a_column_zero_separator_closes_every_section() -> None:
    tree = VRP.parse("sysname r1\n#\ninterface Vlanif10\n ip address 10.0.0.1 255.255.255.0\n#\n"
                     " ntp-service unicast-server 10.160.0.11\n#\nreturn\n")
    assert top(tree) == ["sysname r1", "interface Vlanif10", "ntp-service unicast-server 10.160.0.11"]


def test_comment_lines_and_blank_lines_are_skipped() -> None:
    tree = VRP.parse("#\n# Huawei VRP Basic Configuration\n# Device: S5700\n#\nsysname sw1\n\n#\nvlan batch 10\n#\n")
    assert texts(tree) == ["sysname sw1", "vlan batch 10"]


def test_return_ends_the_configuration() -> None:
    tree = VRP.parse("sysname r1\n#\nreturn\nsysname other\ninterface GigabitEthernet0/0/1\n")
    assert texts(tree) == ["sysname r1"]


# ---------------------------------------------------------------- banners and blobs

def test_multi_line_header_text_is_not_config() -> None:
    text = ('sysname r1\n#\nheader login information "\nCANH BAO: truy cap trai phep bi nghiem cam.\n'
            'telnet server enable\nhttp server enable\n"\n#\nheader shell information "Chi can bo duoc phep."\n'
            '#\nuser-interface vty 0 4\n protocol inbound ssh\n#\nreturn\n')
    tree = VRP.parse(text)
    assert top(tree) == ["sysname r1", "header login information", "header shell information", "user-interface vty 0 4"]
    assert not [t for t in texts(tree) if "telnet" in t or "http" in t or "CANH BAO" in t]
    assert {line.text: line.number for line in tree.lines}["user-interface vty 0 4"] == 11


def test_header_with_another_delimiter() -> None:
    tree = VRP.parse("sysname r1\nheader login information %\nsysname injected\n%\nstp bpdu-protection\n")
    assert texts(tree) == ["sysname r1", "header login information", "stp bpdu-protection"]


def test_unclosed_header_is_a_parse_error_with_its_line() -> None:
    with pytest.raises(ParseError, match="banner never closed") as err:
        VRP.parse('sysname r1\n#\nheader login information "\nno closing quote\nuser-interface vty 0 4\n')
    assert err.value.line == 3


def test_public_key_blob_is_skipped() -> None:
    tree = VRP.parse("sysname r1\n#\nrsa peer-public-key NOC\n public-key-code begin\n  3082010A 02820101\n"
                     "  00B2C3D4 E5F60718\n public-key-code end\n peer-public-key end\n#\nstelnet server enable\n")
    assert texts(tree) == ["sysname r1", "rsa peer-public-key NOC", "public-key-code begin", "peer-public-key end",
                           "stelnet server enable"]


# ---------------------------------------------------------------- undo, interfaces, indentation

def test_undo_forms_are_statements_of_their_own() -> None:
    tree = VRP.parse("sysname r1\n#\nundo telnet server enable\n#\ninterface GigabitEthernet0/0/1\n undo shutdown\n"
                     " undo lldp enable\n#\n")
    iface = tree.roots[2]
    assert [c.text for c in iface.children] == ["undo shutdown", "undo lldp enable"]
    assert VRP.interfaces.shutdown_rx.match("undo shutdown") is None
    assert VRP.interfaces.shutdown_rx.match("shutdown") is not None


def test_tabs_expand_for_indentation() -> None:
    tree = VRP.parse("sysname r1\n#\ninterface GigabitEthernet0/0/1\n\tshutdown\n#\n")
    assert [c.text for c in tree.roots[1].children] == ["shutdown"]


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("GigabitEthernet0/0/1", "gigabitethernet0/0/1"),
        ("GigabitEthernet 0/0/1", "gigabitethernet0/0/1"),
        ("GE0/0/1", "gigabitethernet0/0/1"),
        ("XGE0/0/2", "xgigabitethernet0/0/2"),
        ("Eth-Trunk 1", "eth-trunk1"),
        ("Eth-Trunk1", "eth-trunk1"),
        ("10GE1/0/1", "10ge1/0/1"),
        ("Vlanif10", "vlanif10"),
        ("LoopBack0", "loopback0"),
    ],
)
def test_interface_names(name: str, canonical: str) -> None:
    assert VRP.canonical_ifname(name) == canonical


@pytest.mark.parametrize(
    ("name", "physical"),
    [("GigabitEthernet0/0/1", True), ("GigabitEthernet 0/0/1", True), ("XGigabitEthernet0/0/1", True),
     ("10GE1/0/1", True), ("40GE1/0/1", True), ("Ethernet0/0/1", True), ("GigabitEthernet0/0/1.100", False),
     ("Eth-Trunk1", False), ("Vlanif10", False), ("LoopBack0", False), ("NULL0", False)],
)
def test_physical_interfaces(name: str, physical: bool) -> None:
    assert bool(VRP.interfaces.physical_rx.match(name)) is physical


def test_interface_section_with_a_space_in_the_name() -> None:
    tree = VRP.parse("sysname sw1\n#\ninterface GigabitEthernet 0/0/1\n description Uplink\n#\n")
    (line, m), = tree.sections(VRP.interfaces.section_rx)
    assert m.group("name") == "GigabitEthernet 0/0/1" and line.children[0].text == "description Uplink"


# ---------------------------------------------------------------- what is not VRP

IOS_CONFIG = """\
Building configuration...
!
version 17.9
hostname r1
!
interface GigabitEthernet0/0/0
 ip address 10.0.0.1 255.255.255.0
!
line vty 0 4
 transport input ssh
!
end
"""


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (IOS_CONFIG, "not a Huawei VRP configuration"),
        ("system {\n    host-name r1;\n}\ninterfaces {\n}\nprotocols {\n}\nfirewall {\n}\n", "Junos (brace format)"),
        ("set system host-name r1\nset interfaces ge-0/0/0 unit 0\nset protocols ospf area 0\n", "Junos (set format)"),
        ("config system global\n    set hostname fw\nend\nconfig firewall policy\nend\nconfig router static\nend\n",
         "FortiOS"),
        ("Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\nValueError: boom\n",
         "not a Huawei VRP configuration"),
        ("Error: Unrecognized command found at '^' position.\n", "not a Huawei VRP configuration"),
        ("#\n!Software Version V200R019C10SPC800\n#\nreturn\n", "no configuration statements"),
    ],
)
def test_foreign_and_junk_refused(text: str, why: str) -> None:
    with pytest.raises(ParseError, match=re.escape(why)):
        VRP.parse(text)


# ---------------------------------------------------------------- the platform module

def test_platform_is_registered_with_its_collection_settings() -> None:
    assert "huawei_vrp" in known_platforms()
    assert (VRP.netmiko_device_type, VRP.show_config_command, VRP.enable) == (
        "huawei", "display current-configuration", False)


# Lines that hold no secret although they use the words redaction looks for.
ORDINARY = (
    "ssh server cipher aes256_ctr aes128_ctr",
    "ssh user netadmin authentication-type password",
    "authentication-mode aaa",
    "authentication-mode hwtacacs local",
    "ospf authentication-mode keychain OSPF-KEYS",
    "peer 10.0.0.1 keychain BGP-KEYS",
    "snmp-agent community complexity-check disable",
    "local-user netadmin privilege level 15",
)


def test_redaction_touches_only_secret_positions() -> None:
    assert [VRP.redact(line) for line in ORDINARY] == list(ORDINARY)
    # in the baselines every secret is ciphertext (%^%#...%^%#) or a hash ($1c$...$): only those lines change
    for path in sorted(FIXTURES.glob("*.cfg")):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert (VRP.redact(line) != line) == ("%^%#" in line or "$1c$" in line), (path.name, line)


def test_well_known_clear_communities_stay_readable_others_do_not() -> None:
    assert VRP.redact("snmp-agent community read public acl 2001") == "snmp-agent community read public acl 2001"
    assert VRP.redact("snmp-agent community read Kx7vB2nR acl 2001") == "snmp-agent community read <redacted> acl 2001"
    assert VRP.redact("snmp-agent community write cipher %^%#a b%^%# acl 2001") == (
        "snmp-agent community write cipher <redacted> acl 2001")
    # a well-known word as a password is still a password
    assert VRP.redact("local-user admin password simple admin") == "local-user admin password simple <redacted>"


def test_redacted_config_keeps_storage_forms_and_key_ids() -> None:
    text = ("ospf authentication-mode md5 1 cipher %^%#k%^%#\nmd5-password cipher 10.0.0.1 %^%#k%^%#\n"
            "local-user a password irreversible-cipher $1c$k$\nsysname r1")
    assert VRP.redact_config(text) == (
        "ospf authentication-mode md5 1 cipher <redacted>\nmd5-password cipher 10.0.0.1 <redacted>\n"
        "local-user a password irreversible-cipher <redacted>\nsysname r1")
