"""Unit tests of the named IOS checks (auditor/platforms/cisco_ios/checks.py) over small configs."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from auditor.catalogue import load_catalogue
from auditor.checks import GENERIC_CHECKS
from auditor.context import CheckContext, ObjectKind
from auditor.models import HostInfo, Outcome, Status
from auditor.platforms import get_platform
from auditor.platforms.cisco_ios.checks import CHECKS
from auditor.policy import load_policy

PLATFORM = get_platform("cisco_ios")
PASS, FAIL, NA = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE
EDGE = {"uplinks": {"tslcd": ["GigabitEthernet0/0"], "internet": ["GigabitEthernet0/1"]}}
MGMT = {"management_prefixes": ["10.160.15.0/26", "10.160.20.0/24"]}


@cache
def objects() -> Mapping[str, ObjectKind]:
    pol = load_policy(Path(__file__).parents[1] / "policies", load_catalogue()).for_platform("cisco_ios")
    assert pol is not None
    return pol.objects


def check(name: str, text: str, data: Mapping[str, Any] | None = None, **params: Any) -> Outcome:
    fn = CHECKS.get(name) or GENERIC_CHECKS[name]
    tree = PLATFORM.parse("hostname r1\n" + dedent(text))
    ctx = CheckContext(tree, HostInfo("r1", "cisco_ios", dict(data or {})), PLATFORM, objects())
    return fn(ctx, params)


def status(name: str, text: str, data: Mapping[str, Any] | None = None, **params: Any) -> Status:
    return check(name, text, data, **params).status


def test_every_check_has_a_docstring() -> None:
    for name, fn in CHECKS.items():
        assert fn.__doc__ and "\n" not in fn.__doc__.strip(), name


# ---------------------------------------------------------------- AAA-01

_VTY = """
line vty 0 4
 transport input ssh
line vty 5 15
 transport input ssh
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aaa new-model\naaa authentication login default group tacacs+ local\n" + _VTY, PASS),
        ("aaa new-model\naaa authentication login default group radius\n", PASS),  # no vty: the default list
        ("aaa authentication login default group tacacs+ local\n" + _VTY, FAIL),  # no new-model
        ("aaa new-model\naaa authentication login default local\n" + _VTY, FAIL),
        ("aaa new-model\naaa authentication login default local group tacacs+\n" + _VTY, FAIL),
        ("aaa new-model\n" + _VTY, FAIL),  # no list at all
        ("aaa new-model\naaa group server tacacs+ TAC\n server name T1\n"
         "aaa authentication login default group TAC local\n" + _VTY, PASS),
        ("aaa new-model\naaa authentication login default group TAC local\n" + _VTY, FAIL),  # TAC undefined
    ],
)
def test_aaa_central_login(text: str, expected: Status) -> None:
    assert status("aaa_central_login", text) == expected


def test_aaa_named_list_on_every_vty() -> None:
    head = "aaa new-model\naaa authentication login default local\naaa authentication login VTY group tacacs+ local\n"
    both = head + "line vty 0 4\n login authentication VTY\nline vty 5 15\n login authentication VTY\n"
    assert status("aaa_central_login", both) == PASS
    one = head + "line vty 0 4\n login authentication VTY\nline vty 5 15\n transport input ssh\n"
    out = check("aaa_central_login", one)
    assert out.status == FAIL
    assert "default" in out.message
    assert [e.text for e in out.evidence] == ["aaa authentication login default local", "line vty 5 15"]


# ---------------------------------------------------------------- DP-07

_EXT = """
interface GigabitEthernet0/0
 ip access-group {acl} in
interface GigabitEthernet0/1
 ip address 203.0.113.2 255.255.255.252
interface GigabitEthernet0/2
 ip access-group INSIDE in
ip access-list extended INSIDE
 permit ip any any
"""


@pytest.mark.parametrize(
    ("acl", "expected"),
    [
        ("ip access-list extended IN\n 10 permit ip any any", FAIL),
        ("ip access-list extended IN\n 10 permit ip any any log", FAIL),
        ("ip access-list extended IN\n 10 permit ip any any log-input MYCOOKIE", FAIL),
        ("ip access-list extended IN\n 10 permit ip 0.0.0.0 255.255.255.255 any", FAIL),
        ("ip access-list extended IN\n 10 permit ip any 0.0.0.0 255.255.255.255", FAIL),
        ("ip access-list extended IN\n 10 permit ip 10.0.0.0 0.255.255.255 any\n 20 deny ip any any", PASS),
        ("ip access-list extended IN\n 10 deny ip any any log\n 20 permit ip any any", PASS),
        ("ip access-list extended IN\n 10 permit tcp any any eq 443\n 20 deny ip any any", PASS),
        ("ip access-list extended IN\n 10 permit ip any any dscp ef\n 20 deny ip any any", PASS),
        ("ip access-list extended IN\n 10 permit ip any host 203.0.113.2", PASS),
        ("ip access-list standard IN\n 10 permit any", FAIL),
        ("ip access-list standard IN\n 10 permit 0.0.0.0 255.255.255.255 log", FAIL),
        ("ip access-list standard IN\n 10 permit 10.0.0.0 0.255.255.255", PASS),
        ("ip access-list standard IN\n 10 deny any\n 20 permit any", PASS),
    ],
)
def test_no_permit_any_inbound_named(acl: str, expected: Status) -> None:
    assert status("no_permit_any_inbound", _EXT.format(acl="IN") + acl, EDGE) == expected


def test_no_permit_any_inbound_numbered_and_ipv6() -> None:
    assert status("no_permit_any_inbound", _EXT.format(acl="101") + "access-list 101 permit ip any any\n", EDGE) == FAIL
    assert status("no_permit_any_inbound", _EXT.format(acl="10") + "access-list 10 permit any\n", EDGE) == FAIL
    assert status("no_permit_any_inbound", _EXT.format(acl="10") + "access-list 10 permit 10.1.1.1\n", EDGE) == PASS
    v6 = "interface GigabitEthernet0/0\n ipv6 traffic-filter V6 in\nipv6 access-list V6\n permit ipv6 any any sequence 10\n"
    assert status("no_permit_any_inbound", v6, EDGE) == FAIL


def test_no_permit_any_inbound_skips_undefined_and_internal() -> None:
    out = check("no_permit_any_inbound", _EXT.format(acl="MISSING"), EDGE)
    assert out.status == NA  # undefined: DP-06's; INSIDE is internal
    assert status("no_permit_any_inbound", _EXT.format(acl="IN") + "ip access-list extended IN\n 10 deny ip any any\n",
                  {"uplinks": {"tslcd": [], "internet": []}}) == NA


def test_no_permit_any_inbound_evidence() -> None:
    out = check("no_permit_any_inbound", _EXT.format(acl="IN") + "ip access-list extended IN\n 10 permit ip any any\n", EDGE)
    assert [e.text for e in out.evidence] == ["ip access-group IN in", "10 permit ip any any"]


# ---------------------------------------------------------------- WAN-04


def _vty(acl: str, cls: str = "MGMT") -> str:
    return f"{acl}\nline vty 0 4\n access-class {cls} in vrf-also\nline vty 5 15\n access-class {cls} in\n"


@pytest.mark.parametrize(
    ("acl", "expected"),
    [
        ("ip access-list standard MGMT\n 10 permit 10.160.15.0 0.0.0.63\n 20 deny any log", PASS),
        ("ip access-list standard MGMT\n 10 permit 10.160.15.0 0.0.0.31\n 20 permit 10.160.20.7", PASS),
        ("ip access-list standard MGMT\n 10 permit host 10.160.20.9", PASS),
        ("ip access-list standard MGMT\n 10 permit 10.160.15.0 0.0.0.127", FAIL),  # wider than /26
        ("ip access-list standard MGMT\n 10 permit 10.160.15.0 0.0.0.63\n 20 permit any", FAIL),
        ("ip access-list standard MGMT\n 10 permit 10.160.14.5", FAIL),
        ("ip access-list standard MGMT\n 10 permit 10.160.20.0 0.0.0.255 log", PASS),
        ("ip access-list standard MGMT\n 10 permit 10.160.20.1 0.0.255.0", FAIL),  # non-contiguous, escapes /24
        ("ip access-list standard MGMT\n 10 permit 10.160.20.1 0.0.0.254", PASS),  # non-contiguous, inside /24
        ("ip access-list extended MGMT\n 10 permit tcp 10.160.15.0 0.0.0.63 any eq 22\n 20 deny ip any any", PASS),
        ("ip access-list extended MGMT\n 10 permit tcp any host 10.170.14.254 eq 22", FAIL),
        ("ip access-list extended MGMT\n 10 permit tcp object-group NOC any eq 22", FAIL),  # cannot be verified
        ("ip access-list extended MGMT\n 10 deny ip any any", PASS),  # closes everything: restrictive
        ("access-list 10 permit 10.160.15.0 0.0.0.63\naccess-list 10 deny any", PASS),
        ("access-list 110 permit tcp host 10.160.15.3 any eq 22", PASS),
    ],
)
def test_vty_filters_within(acl: str, expected: Status) -> None:
    cls = "MGMT" if "MGMT" in acl else acl.split()[1]
    assert status("vty_filters_within", _vty(acl, cls), MGMT) == expected


def test_vty_filters_unfiltered_or_undefined() -> None:
    acl = "ip access-list standard MGMT\n 10 permit 10.160.15.0 0.0.0.63\n"
    one_open = acl + "line vty 0 4\n access-class MGMT in\nline vty 5 15\n transport input ssh\n"
    out = check("vty_filters_within", one_open, MGMT)
    assert out.status == FAIL and "line vty 5 15 has no access-class" in out.message
    assert status("vty_filters_within", _vty("", "NOWHERE"), MGMT) == FAIL
    assert status("vty_filters_within", acl, MGMT) == NA  # no vty at all


def test_vty_filters_report_each_acl_once() -> None:
    out = check("vty_filters_within", _vty("ip access-list standard MGMT\n 10 permit any"), MGMT)
    assert out.message.count("permits any") == 1


# ---------------------------------------------------------------- RTE-01

_OSPF_IFS = """
interface Loopback0
 ip address 10.0.0.1 255.255.255.255
interface GigabitEthernet0/0
 ip address 10.1.1.1 255.255.255.252
{g0}
interface GigabitEthernet0/1
 ip address 10.2.2.1 255.255.255.0
{g1}
"""


def _ospf(router: str, g0: str = "", g1: str = "") -> str:
    return _OSPF_IFS.format(g0=g0, g1=g1) + router


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_ospf("router ospf 1\n network 10.0.0.0 0.255.255.255 area 0\n area 0 authentication message-digest"), PASS),
        (_ospf("router ospf 1\n network 10.0.0.0 0.255.255.255 area 0"), FAIL),
        (_ospf("router ospf 1\n network 10.0.0.0 0.255.255.255 area 0\n area 0 authentication"), FAIL),
        (_ospf("router ospf 1\n network 10.0.0.0 0.255.255.255 area 0.0.0.0\n area 0 authentication message-digest"),
         PASS),
        (_ospf("router ospf 1\n network 10.0.0.0 0.255.255.255 area 0",
               " ip ospf authentication message-digest", " ip ospf authentication key-chain K"), PASS),
        (_ospf("router ospf 1\n network 10.0.0.0 0.255.255.255 area 0\n area 0 authentication message-digest",
               " ip ospf authentication null"), FAIL),
        # only Gi0/0 is in OSPF, and it is authenticated
        (_ospf("router ospf 1\n network 10.1.1.0 0.0.0.3 area 0", " ip ospf authentication message-digest"), PASS),
        # Gi0/1 is in area 1, which has no authentication
        (_ospf("router ospf 1\n network 10.1.1.0 0.0.0.3 area 0\n network 10.2.2.0 0.0.0.255 area 1\n"
               " area 0 authentication message-digest"), FAIL),
        # passive interfaces form no adjacency
        (_ospf("router ospf 1\n passive-interface GigabitEthernet0/1\n network 10.0.0.0 0.255.255.255 area 0",
               " ip ospf authentication message-digest"), PASS),
        (_ospf("router ospf 1\n passive-interface default\n network 10.0.0.0 0.255.255.255 area 0"), NA),
        (_ospf("router ospf 1\n passive-interface default\n no passive-interface Gi0/1\n"
               " network 10.0.0.0 0.255.255.255 area 0"), FAIL),
        # interface-mode OSPF
        (_ospf("router ospf 1\n area 0 authentication message-digest", " ip ospf 1 area 0", " ip ospf 1 area 0"), PASS),
        (_ospf("router ospf 1\n area 0 authentication message-digest", " ip ospf 1 area 0", " ip ospf 1 area 2"), FAIL),
        (_ospf("router ospf 2\n area 0 authentication message-digest", "", " ip ospf 1 area 0"), NA),
        # a VRF process only covers interfaces of its VRF
        (_ospf("router ospf 1 vrf RED\n network 10.0.0.0 0.255.255.255 area 0", " vrf forwarding RED\n"
               " ip ospf authentication message-digest"), PASS),
        ("interface Loopback0\n ip address 10.0.0.1 255.255.255.255\nrouter ospf 1\n network 10.0.0.1 0.0.0.0 area 0", NA),
        ("hostname r1\n", NA),
    ],
)
def test_igp_authenticated_ospf(text: str, expected: Status) -> None:
    assert status("igp_authenticated", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_ospf("router eigrp 100\n network 10.1.1.0 0.0.0.3",
               " ip authentication mode eigrp 100 md5\n ip authentication key-chain eigrp 100 K"), PASS),
        (_ospf("router eigrp 100\n network 10.1.1.0 0.0.0.3", " ip authentication key-chain eigrp 100 K"), FAIL),
        (_ospf("router eigrp 100\n network 10.1.1.0 0.0.0.3",
               " ip authentication mode eigrp 200 md5\n ip authentication key-chain eigrp 200 K"), FAIL),
        # classful network statement covers both interfaces
        (_ospf("router eigrp 100\n network 10.0.0.0\n passive-interface GigabitEthernet0/1",
               " ip authentication mode eigrp 100 md5\n ip authentication key-chain eigrp 100 K"), PASS),
        (_ospf("router eigrp 100\n network 10.0.0.0",
               " ip authentication mode eigrp 100 md5\n ip authentication key-chain eigrp 100 K"), FAIL),
        # named mode
        (_ospf("router eigrp SITE\n address-family ipv4 unicast autonomous-system 100\n"
               "  af-interface default\n   authentication mode md5\n   authentication key-chain K\n"
               "  exit-af-interface\n  network 10.0.0.0 0.255.255.255\n exit-address-family"), PASS),
        (_ospf("router eigrp SITE\n address-family ipv4 unicast autonomous-system 100\n"
               "  af-interface default\n   authentication mode md5\n  exit-af-interface\n"
               "  network 10.0.0.0 0.255.255.255\n exit-address-family"), FAIL),  # md5 needs a key chain
        (_ospf("router eigrp SITE\n address-family ipv4 unicast autonomous-system 100\n"
               "  af-interface GigabitEthernet0/0\n   authentication mode hmac-sha-256 0 s3cret\n  exit-af-interface\n"
               "  af-interface GigabitEthernet0/1\n   passive-interface\n  exit-af-interface\n"
               "  network 10.0.0.0 0.255.255.255\n exit-address-family"), PASS),
        (_ospf("router eigrp SITE\n address-family ipv4 unicast autonomous-system 100\n"
               "  af-interface default\n   passive-interface\n  exit-af-interface\n"
               "  af-interface GigabitEthernet0/1\n   no passive-interface\n  exit-af-interface\n"
               "  network 10.0.0.0 0.255.255.255\n exit-address-family"), FAIL),
        # IS-IS: hellos are authenticated per interface
        (_ospf("router isis\n net 49.0001.0000.0000.0001.00", " ip router isis\n isis authentication mode md5"), PASS),
        (_ospf("router isis\n net 49.0001.0000.0000.0001.00", " ip router isis", " ip router isis\n"
               " isis authentication mode md5"), FAIL),
    ],
)
def test_igp_authenticated_eigrp_isis(text: str, expected: Status) -> None:
    assert status("igp_authenticated", text) == expected


def test_igp_evidence_names_process_and_interface() -> None:
    out = check("igp_authenticated", _ospf("router ospf 1\n network 10.2.2.0 0.0.0.255 area 0"))
    assert [e.text for e in out.evidence] == ["router ospf 1", "interface GigabitEthernet0/1"]


# ---------------------------------------------------------------- RTE-02 / RTE-03 / RTE-04

_FILTERS = """
route-map RM-IN permit 10
route-map RM-OUT permit 10
ip prefix-list PL seq 5 permit 10.0.0.0/8
ip as-path access-list 1 permit ^65000$
access-list 5 permit 10.0.0.0 0.255.255.255
"""


def _bgp(body: str) -> str:
    return _FILTERS + "router bgp 65101\n" + body


def test_bgp_not_configured_or_no_neighbour() -> None:
    for name in ("bgp_authenticated", "ebgp_maximum_prefix", "ebgp_filtered"):
        assert status(name, "hostname r1\n") == NA
        assert status(name, _bgp(" bgp log-neighbor-changes\n")) == NA


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (" neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 password 7 0822455D0A16\n", PASS),
        (" neighbor 192.0.2.1 remote-as 65000\n", FAIL),
        (" neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 ao AO-KEYS\n", PASS),
        (" neighbor 10.0.0.2 remote-as 65101\n", FAIL),  # iBGP needs it too
        (" neighbor PG peer-group\n neighbor PG remote-as 65000\n neighbor PG password 7 0822455D0A16\n"
         " neighbor 192.0.2.1 peer-group PG\n", PASS),
        (" neighbor PG peer-group\n neighbor PG remote-as 65000\n neighbor 192.0.2.1 peer-group PG\n", FAIL),
        (" template peer-session S\n  remote-as 65000\n  password 7 0822455D0A16\n exit-peer-session\n"
         " neighbor 192.0.2.1 inherit peer-session S\n", PASS),
        # nested session templates
        (" template peer-session BASE\n  password 7 0822455D0A16\n exit-peer-session\n"
         " template peer-session S\n  remote-as 65000\n  inherit peer-session BASE\n exit-peer-session\n"
         " neighbor 192.0.2.1 inherit peer-session S\n", PASS),
        # a template inheriting itself does not loop
        (" template peer-session S\n  remote-as 65000\n  inherit peer-session S\n exit-peer-session\n"
         " neighbor 192.0.2.1 inherit peer-session S\n", FAIL),
        # VRF neighbours, with a peer-group defined at the process level
        (" neighbor PG peer-group\n neighbor PG password 7 0822455D0A16\n address-family ipv4 vrf RED\n"
         "  neighbor 192.0.2.1 remote-as 65000\n  neighbor 192.0.2.1 peer-group PG\n exit-address-family\n", PASS),
        (" address-family ipv4 vrf RED\n  neighbor 192.0.2.1 remote-as 65000\n  neighbor 192.0.2.1 activate\n"
         " exit-address-family\n address-family ipv4 vrf BLUE\n  neighbor 192.0.2.1 remote-as 65000\n"
         "  neighbor 192.0.2.1 password 7 0822455D0A16\n exit-address-family\n", FAIL),  # same address, other VRF
        # a neighbour without remote-as (nowhere) is not a session
        (" neighbor 192.0.2.1 description half-configured\n", NA),
    ],
)
def test_bgp_authenticated(body: str, expected: Status) -> None:
    assert status("bgp_authenticated", _bgp(body)) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (" neighbor 192.0.2.1 remote-as 65000\n address-family ipv4\n  neighbor 192.0.2.1 maximum-prefix 1000 80\n", PASS),
        (" neighbor 192.0.2.1 remote-as 65000\n", FAIL),
        (" neighbor 10.0.0.2 remote-as 65101\n", NA),  # iBGP only
        (" neighbor 10.0.0.2 remote-as 65101\n neighbor 192.0.2.1 remote-as 65000\n", FAIL),
        (" neighbor PG peer-group\n neighbor PG remote-as 65000\n neighbor 192.0.2.1 peer-group PG\n"
         " address-family ipv4\n  neighbor PG maximum-prefix 100\n", PASS),
        (" neighbor 192.0.2.1 remote-as 65000\n address-family ipv4\n  neighbor 192.0.2.1 inherit peer-policy P\n"
         " template peer-policy P\n  maximum-prefix 100\n exit-peer-policy\n", PASS),
    ],
)
def test_ebgp_maximum_prefix(body: str, expected: Status) -> None:
    assert status("ebgp_maximum_prefix", _bgp(body)) == expected


def test_ebgp_asdot_local_as_is_ibgp() -> None:
    text = "router bgp 1.10\n neighbor 10.0.0.2 remote-as 65546\n"
    assert status("ebgp_maximum_prefix", text) == NA


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (" neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 route-map RM-IN in\n"
         " neighbor 192.0.2.1 route-map RM-OUT out\n", PASS),
        (" neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 prefix-list PL in\n"
         " neighbor 192.0.2.1 filter-list 1 out\n", PASS),
        (" neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 distribute-list 5 in\n"
         " neighbor 192.0.2.1 route-map RM-OUT out\n", PASS),
        (" neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 route-map RM-IN in\n", FAIL),
        (" neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 route-map RM-OUT out\n", FAIL),
        (" neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 route-map RM-IN in\n"
         " neighbor 192.0.2.1 route-map RM-MISSING out\n", FAIL),
        (" neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 route-map RM-IN in\n"
         " neighbor 192.0.2.1 prefix-list PL-MISSING out\n neighbor 192.0.2.1 route-map RM-OUT out\n", FAIL),
        (" neighbor 10.0.0.2 remote-as 65101\n", NA),
        (" template peer-policy P\n  route-map RM-IN in\n  route-map RM-OUT out\n exit-peer-policy\n"
         " neighbor 192.0.2.1 remote-as 65000\n address-family ipv4\n  neighbor 192.0.2.1 inherit peer-policy P\n", PASS),
    ],
)
def test_ebgp_filtered(body: str, expected: Status) -> None:
    assert status("ebgp_filtered", _bgp(body)) == expected


def test_ebgp_filtered_names_the_problem() -> None:
    out = check("ebgp_filtered", _bgp(" neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.1 route-map X in\n"))
    assert "has no outbound filter" in out.message and "undefined route-map X" in out.message
    assert [e.text for e in out.evidence] == ["neighbor 192.0.2.1 remote-as 65000"]


# ---------------------------------------------------------------- WAN-02 (BGP part)

_ALLOC = {"allocated_prefixes": ["10.170.8.0/21"], **EDGE}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("interface GigabitEthernet0/0\n vrf forwarding T\nrouter bgp 1\n address-family ipv4 vrf T\n"
         "  network 10.170.8.0 mask 255.255.248.0\n", PASS),
        ("interface GigabitEthernet0/0\n vrf forwarding T\nrouter bgp 1\n address-family ipv4 vrf T\n"
         "  network 10.170.0.0 mask 255.255.0.0\n", FAIL),
        # networks of another instance are out of scope
        ("interface GigabitEthernet0/0\n vrf forwarding T\nrouter bgp 1\n network 198.51.100.0 mask 255.255.255.0\n"
         " address-family ipv4 vrf T\n  network 10.170.9.0 mask 255.255.255.0\n", PASS),
        ("interface GigabitEthernet0/0\n ip address 10.170.15.1 255.255.255.252\nrouter bgp 1\n"
         " network 198.51.100.0 mask 255.255.255.0\n", FAIL),
        ("interface GigabitEthernet0/0\nrouter bgp 1\n address-family ipv4\n  network 10.170.9.0 mask 255.255.255.0\n", PASS),
        ("interface GigabitEthernet0/0\nrouter bgp 1\n network 10.0.0.0\n", FAIL),  # classful /8
        ("interface GigabitEthernet0/0\nrouter bgp 1\n neighbor 192.0.2.1 remote-as 2\n", NA),
        ("interface GigabitEthernet0/5\nrouter bgp 1\n network 10.0.0.0\n", NA),  # no tslcd interface
    ],
)
def test_bgp_networks_within(text: str, expected: Status) -> None:
    assert status("bgp_networks_within", text, _ALLOC, prefixes="allocated_prefixes") == expected


# ---------------------------------------------------------------- IFC-02


def _switch(ports: str, globals_: str = "spanning-tree portfast bpduguard default\n") -> str:
    return globals_ + dedent(ports)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_switch("interface Gi1/0/1\n switchport mode access\n spanning-tree portfast\n"), PASS),
        (_switch("interface Gi1/0/1\n switchport mode access\n spanning-tree portfast edge\n"), PASS),
        (_switch("interface Gi1/0/1\n switchport mode access\n"), FAIL),  # not portfast
        (_switch("interface Gi1/0/1\n switchport mode access\n", "spanning-tree portfast default\n"
                 "spanning-tree portfast bpduguard default\n"), PASS),
        (_switch("interface Gi1/0/1\n switchport mode access\n spanning-tree portfast disable\n",
                 "spanning-tree portfast edge default\nspanning-tree portfast edge bpduguard default\n"), FAIL),
        (_switch("interface Gi1/0/1\n switchport mode access\n spanning-tree portfast\n", ""), FAIL),
        (_switch("interface Gi1/0/1\n switchport mode access\n spanning-tree bpduguard enable\n", ""), PASS),
        (_switch("interface Gi1/0/1\n switchport mode access\n spanning-tree portfast\n"
                 " spanning-tree bpduguard disable\n"), FAIL),
        (_switch("interface Gi1/0/1\n switchport mode dynamic auto\n"), FAIL),
        (_switch("interface Gi1/0/1\n switchport mode dynamic desirable\n shutdown\n"), NA),
        (_switch("interface Gi1/0/1\n switchport mode access\n shutdown\n", ""), NA),  # shut-down ports exempt
        (_switch("interface Gi1/0/1\n switchport mode trunk\n"), NA),
    ],
)
def test_access_ports_guarded(text: str, expected: Status) -> None:
    assert status("access_ports_guarded", text) == expected


# ---------------------------------------------------------------- WAN-01 (generic separate_instances)

_VRF = r"^(?:ip )?vrf forwarding (?P<name>\S+)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("interface GigabitEthernet0/0\n vrf forwarding T\ninterface GigabitEthernet0/1\n vrf forwarding I\n", PASS),
        ("interface GigabitEthernet0/0\n ip vrf forwarding T\ninterface GigabitEthernet0/1\n", PASS),
        ("interface GigabitEthernet0/0\n vrf forwarding T\ninterface GigabitEthernet0/1\n ip vrf forwarding T\n", FAIL),
        ("interface GigabitEthernet0/0\ninterface GigabitEthernet0/1\n", FAIL),  # both global
        ("interface GigabitEthernet0/0\n vrf forwarding T\n", NA),  # the internet uplink is not configured
    ],
)
def test_separate_instances(text: str, expected: Status) -> None:
    assert status("separate_instances", text, EDGE, match=_VRF) == expected


def test_separate_instances_by_description_roles() -> None:
    text = ("interface GigabitEthernet0/0\n description TSLCD - VNPT\ninterface GigabitEthernet0/1\n"
            " description Internet - may tra cuu\n")
    assert status("separate_instances", text, {}, match=_VRF) == NA  # free text is not a role
    text = text.replace("Internet - may", "INTERNET - may")
    out = check("separate_instances", text, {}, match=_VRF)
    assert out.status == FAIL and "global" in out.message


def test_ospf_cleartext_key_line_does_not_override_area_digest() -> None:
    text = _ospf("router ospf 1\n network 10.0.0.0 0.255.255.255 area 0\n area 0 authentication message-digest",
                 " ip ospf authentication-key 7 0822455D0A16\n ip ospf message-digest-key 1 md5 7 0822455D0A16")
    assert status("igp_authenticated", text) == PASS
