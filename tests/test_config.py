"""The ConfigTree and the Cisco IOS parser: banners, certificates, separators, odd indentation."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping

import pytest
from conftest import ROOT

from auditor.collect import read_config_file
from auditor.config import Rx, literal_prefix, literal_runs
from auditor.context import CheckContext, Container
from auditor.errors import CollectionError, ParseError
from auditor.models import HostInfo
from auditor.platforms import get_platform
from auditor.platforms.base import decode_config
from auditor.policy import Policy

IOS = get_platform("cisco_ios")


@pytest.mark.parametrize(
    ("pattern", "prefix", "word"),
    [
        ("^ip ssh version 2$", "ip ssh version 2", "ip"),
        ("^line vty ", "line vty ", "line"),
        ("^transport input (?!.*telnet)", "transport input ", "transport"),
        ("^loggin?g", "loggi", None),
        ("^exec-timeout \\d+", "exec-timeout ", "exec-timeout"),
        ("no anchor", "", None),
        ("^control-plane$", "control-plane", "control-plane"),  # the whole line is one known word
        ("^shutdown", "shutdown", None),  # `shutdownfoo` would match too
        ("^ab+$", "ab", None),  # the `b` repeats
    ],
)
def test_literal_prefix_and_first_word(pattern: str, prefix: str, word: str | None) -> None:
    assert literal_prefix(pattern) == prefix
    assert Rx(pattern).word == word


def test_rx_prefix_filter_agrees_with_regex() -> None:
    rx = Rx("^loggin?g host (?P<h>\\S+)")
    assert rx.match("logging host 1.2.3.4")
    assert rx.match("loggig host 1.2.3.4")
    assert not rx.match("no logging host 1.2.3.4")


CONFIG = """\
Building configuration...

Current configuration : 2048 bytes
!
! Last configuration change at 10:00:00 ICT Mon Nov 2 2026
version 17.9
hostname dbn-test-rtr01
!
banner exec %
ip http server
%
banner login ^C
  CANH BAO: he thong chi danh cho can bo duoc phep.
  line vty 0 4
   transport input telnet
^C
banner motd #single line banner#
crypto pki certificate chain TP-self-signed-1
 certificate self-signed 01
  3082022B 30820194 A0030201 02020101 300D0609 2A864886 F70D0101 05050030
  ip http server
  \tquit
interface GigabitEthernet0/0
  description TSLCD uplink
  ip address 10.62.1.1 255.255.255.252
 no ip proxy-arp
!
router bgp 65001
 address-family ipv4
  neighbor 10.0.0.1 activate
 exit-address-family
line vty 0 4
 transport input ssh
end
ip http server
"""


def test_ios_tree_structure_and_line_numbers() -> None:
    tree = IOS.parse(CONFIG)
    texts = [line.text for line in tree.lines]
    # banner bodies, certificate hex, preamble and comments are not statements
    assert "ip http server" not in texts
    assert "transport input telnet" not in texts
    assert not any(t.startswith("3082022B") for t in texts)
    assert "banner login" in texts and "banner exec" in texts and "banner motd" in texts
    numbers = {line.text: line.number for line in tree.lines}
    assert numbers["hostname dbn-test-rtr01"] == 7
    assert numbers["line vty 0 4"] == 32
    iface = tree.first(Rx("^interface GigabitEthernet0/0$"))
    assert iface is not None
    # odd indentation (two spaces, then one) still nests under the interface
    assert [c.text for c in iface.children] == [
        "description TSLCD uplink", "ip address 10.62.1.1 255.255.255.252", "no ip proxy-arp"]
    bgp = tree.first(Rx("^router bgp "))
    assert bgp is not None
    af = bgp.children[0]
    assert af.text == "address-family ipv4" and af.children[0].text == "neighbor 10.0.0.1 activate"
    assert af.children[0].path() == ("router bgp 65001", "address-family ipv4", "neighbor 10.0.0.1 activate")
    # statements after `end` are ignored
    assert tree.first(Rx("^ip http server$")) is None


def test_ios_certificate_without_quit_ends_at_next_statement() -> None:
    text = "crypto pki certificate chain X\n certificate ca 01\n  AABBCC DDEEFF\nhostname r1\n"
    tree = IOS.parse(text)
    assert [line.text for line in tree.lines] == ["crypto pki certificate chain X", "certificate ca 01", "hostname r1"]


def test_ios_tabs_expand_for_indentation() -> None:
    tree = IOS.parse("interface Gi0/1\n\tshutdown\nhostname r1\n")
    iface = tree.roots[0]
    assert [c.text for c in iface.children] == ["shutdown"]


def test_ios_unclosed_banner_is_a_parse_error_with_line() -> None:
    with pytest.raises(ParseError) as err:
        IOS.parse("hostname r1\nbanner login ^C\nno closing delimiter\nline vty 0 4\n")
    assert err.value.line == 2
    assert "banner never closed" in str(err.value)


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("system {\n    host-name r1;\n}\ninterfaces {\n}\nprotocols {\n}\nfirewall {\n}\n", "Junos (brace format)"),
        ("set system host-name r1\nset interfaces ge-0/0/0 unit 0\nset protocols ospf area 0\n", "Junos (set format)"),
        ("config system global\n    set hostname fw\nend\nconfig firewall policy\nend\nconfig router static\nend\n",
         "FortiOS"),
        ("sysname R1\n#\ninfo-center loghost 1.1.1.1\n#\nuser-interface vty 0 4\n#\nreturn\n", "Huawei VRP"),
    ],
)
def test_foreign_config_refused_as_ios(text: str, family: str) -> None:
    with pytest.raises(ParseError, match=re.escape(family)):
        IOS.parse(text)


def test_decode_refuses_binary_invalid_utf8_empty_and_huge(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParseError, match="binary"):
        decode_config(b"\x7fELF\x00\x01\x02", "x.cfg")
    with pytest.raises(ParseError, match="invalid UTF-8") as err:
        decode_config(b"hostname r1\nbanner motd \xff\xfe\n", "x.cfg")
    assert err.value.line == 2
    with pytest.raises(ParseError, match="empty"):
        decode_config(b"  \n\n", "x.cfg")
    big = tmp_path / "big.cfg"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(CollectionError, match=r"50\.0 MB"):
        read_config_file(big)
    with pytest.raises(CollectionError, match="not found"):
        read_config_file(tmp_path / "missing.cfg")


def test_vietnamese_text_survives() -> None:
    tree = IOS.parse("hostname r1\ninterface Gi0/0\n description TSLCD Sở Tài chính\n")
    assert tree.lines[-1].text == "description TSLCD Sở Tài chính"


def test_flat_tree_sections_group_by_prefix() -> None:
    from auditor.config import ConfigLine, FlatConfigTree

    texts = ["system host-name r1", "system login class ops idle-timeout 10",
             "system login class ops permissions all", "system login class ro idle-timeout 0",
             "interfaces ge-0/0/0 description TSLCD uplink"]
    tree = FlatConfigTree([ConfigLine(t, i) for i, t in enumerate(texts, start=1)], len(texts))
    sections = [(s.text, s.number, [c.text for c in s.children])
                for s, _ in tree.sections(Rx(r"^system login class \S+"))]
    assert sections == [
        ("system login class ops", 2, ["idle-timeout 10", "permissions all"]),
        ("system login class ro", 4, ["idle-timeout 0"]),
    ]
    (iface, m), = tree.sections(Rx(r"^interfaces (?P<name>\S+)"))
    assert m.group("name") == "ge-0/0/0" and iface.children[0].text == "description TSLCD uplink"
    assert tree.first(Rx("^system host-name ")) is not None


@pytest.mark.parametrize("text", [
    "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: boom\n% Invalid input\n",
    "%^&*(\n)(*&^%\n!!@@##\n$$%%\n",
    "% Invalid input detected at '^' marker.\n",
])
def test_output_that_is_not_a_config_is_refused(text: str) -> None:
    with pytest.raises(ParseError, match="not a Cisco IOS configuration"):
        IOS.parse(text)


def test_second_word_index_finds_the_same_lines() -> None:
    body = "".join(f"ip domain-list d{i}.vn\n" for i in range(20))
    tree = IOS.parse("hostname r1\n" + body + "ip ssh version 2\nip http server\ninterface Gi0/0\n ip address 10.0.0.1 255.0.0.0\n")
    assert [line.number for line, _ in tree.find(Rx("^ip ssh version 2$"))] == [22]
    assert [line.text for line, _ in tree.find(Rx("^ip (?:ssh|http) "))] == ["ip ssh version 2", "ip http server"]
    assert len(list(tree.find(Rx("^ip domain-list ")))) == 20
    assert [line.number for line, _ in tree.find(Rx("^ip address "), anywhere=True)] == [25]
    assert Rx("^ip ssh version 2").word2 == "ssh" and Rx("^ip ssh").word2 is None
    assert Rx("^line vty(?: |$)").word2 == "vty" and Rx("^line vty(?:$| )").word2 == "vty"


@pytest.mark.parametrize(
    ("pattern", "prefix", "runs"),
    [
        (r"^username \S+ (?:.* )?password\b", "username ", [" ", "password"]),
        (r"^loggin?g host", "loggi", ["g host"]),
        (r"^ip\.x+yz{2}abc", "ip.x", ["y", "abc"]),  # `+` keeps its character, `{2}` and `?` drop theirs
        (r"^a\x41bc", "a", []),  # an escape code is not literal text
        (r"^[]a]bcd", "", ["bcd"]),
        (r"unanchored \d+ text\.here", "", ["unanchored ", " text.here"]),
    ],
)
def test_literal_runs(pattern: str, prefix: str, runs: list[str]) -> None:
    assert literal_runs(pattern) == (prefix, runs)


def test_top_level_alternation_has_no_literals_and_is_not_anchored() -> None:
    assert literal_runs("^a|b") is None
    rx = Rx("^abc|xyz")
    assert rx.prefix == "" and rx.needle == "" and not rx.anchored
    assert rx.match("the xyz") is not None  # `xyz` matches anywhere, as re.search says


def test_case_insensitive_pattern_has_no_needle() -> None:
    assert Rx("(?i)^hostname router").needle == ""
    assert Rx("(?i)^hostname router").match("HOSTNAME ROUTER") is not None


def _patterns(obj: object, seen: set[int]) -> Iterator[Rx]:
    """Every Rx reachable from a compiled policy object."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, Rx):
        yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _patterns(getattr(obj, f.name), seen)
    elif isinstance(obj, Mapping):
        for v in obj.values():
            yield from _patterns(v, seen)
    elif isinstance(obj, (tuple, list)):
        for v in obj:
            yield from _patterns(v, seen)


@pytest.mark.parametrize("platform", ["cisco_ios", "cisco_nxos", "juniper_junos", "huawei_vrp", "fortinet"])
def test_prefilter_never_rejects_a_matching_line(platform: str, policy: Policy) -> None:
    """The literal prefix and needle only skip lines that the regex itself would not match: checked
    for every pattern of the platform's policy on every statement (and statement tail) of its fixtures."""
    pp = policy.for_platform(platform)
    assert pp is not None
    patterns = {rx.source: rx for rx in _patterns(pp, set())}
    syntax = get_platform(platform).interfaces
    patterns.update({rx.source: rx for rx in (syntax.section_rx, syntax.description_rx, syntax.shutdown_rx)})
    texts: set[str] = set()
    for path in (ROOT / "tests" / "fixtures" / platform).glob("*.cfg"):
        for line in get_platform(platform).parse(path.read_text(encoding="utf-8")).lines:
            words = line.text.split(" ")
            texts.update(" ".join(words[i:]) for i in range(len(words)))
    assert len(patterns) > 30 and len(texts) > 200
    needles = 0
    for rx in patterns.values():
        needles += bool(rx.needle)
        for text in texts:
            expected = (rx.regex.match(text) if rx.anchored else rx.regex.search(text)) is not None
            assert (rx.match(text) is not None) == expected, (rx.source, text)
    assert needles > 5  # the needles are in use, so the check above means something


@pytest.mark.parametrize("platform", ["cisco_ios", "cisco_nxos", "juniper_junos", "huawei_vrp", "fortinet"])
def test_indexed_lookups_find_what_a_full_scan_finds(platform: str, policy: Policy) -> None:
    """The first-word index (with its second-word buckets and leading alternatives) and the pattern
    tables return exactly the lines, in text order, that matching every line would."""
    pp = policy.for_platform(platform)
    assert pp is not None
    patterns = list({rx.source: rx for rx in _patterns(pp, set())}.values())
    patterns += [Rx(r"^(?:ntp|logging) (?:server|host) "), Rx(r"^(?:interface|line) ")]
    for path in (ROOT / "tests" / "fixtures" / platform).glob("*.cfg"):
        tree = get_platform(platform).parse(path.read_text(encoding="utf-8"))
        # the top level of a FortiOS tree also holds the tables of `config global` and of each VDOM
        top = sorted((line for bucket in tree._top.values() for line in bucket), key=lambda line: line.number)
        for rx in patterns:
            for anywhere, lines in ((True, tree.lines), (False, top)):
                expected = [line for line in lines if rx.match(line.text)]
                assert [line for line, _ in tree.find(rx, anywhere=anywhere)] == expected, (path.name, rx.source)
        ctx = CheckContext(tree, HostInfo("h", platform, {}), get_platform(platform), pp.objects)
        sections = [line for line in tree.lines if line.children]
        sections += [line for line, _ in tree.sections(get_platform(platform).interfaces.section_rx)]
        for section in sections:
            body = Container(ctx, section)
            for rx in patterns:
                expected_has = any(rx.match(line.text) for line in section.descendants())
                assert body.has(rx) is expected_has, (path.name, section.text, rx.source)
        tags = {kind: kind for kind in pp.objects}
        for table in (pp.objects.defs, pp.objects.refs(list(tags))):
            brute = [(t, line.number) for t, line, _ in table.scan(tree.lines)]
            assert sorted(brute) == sorted((t, line.number) for t, line, _ in table.scan_tree(tree))


def test_leading_alternatives_are_indexed_under_each_word() -> None:
    assert Rx(r"^(?:tacacs|radius)-server host (?P<a>\S+)").heads == (("tacacs-server", "host"), ("radius-server", "host"))
    assert Rx(r"^(?:ip )?urpf").heads is None  # an optional group: no known first word
    assert Rx(r"^(?:a|b)?c ").heads is None
    tree = IOS.parse("radius-server host 10.0.0.2 key x\nhostname r\ntacacs-server host 10.0.0.1 key y\n")
    found = [line.number for line, _ in tree.find(Rx(r"^(?:tacacs|radius)-server host (?P<a>\S+)"))]
    assert found == [1, 3]
