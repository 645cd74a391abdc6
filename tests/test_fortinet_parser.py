"""FortiOS parser (auditor/platforms/fortinet/parser.py): keyword nesting, VDOMs, quoted and
multi-line values, comments, line numbers and refusals; plus the platform's interface syntax and
statement-aware redaction, which depend on the tree's shape."""

from __future__ import annotations

from textwrap import dedent

import pytest

from auditor.config import ConfigLine, ConfigTree, Rx
from auditor.context import CheckContext, ObjectTable
from auditor.errors import ParseError
from auditor.models import HostInfo, Status
from auditor.platforms import get_platform
from auditor.platforms.fortinet.checks import CHECKS
from auditor.platforms.fortinet.common import values

FGT = get_platform("fortinet")


def parse(text: str) -> ConfigTree:
    return FGT.parse(dedent(text).lstrip("\n"))


def texts(lines: list[ConfigLine]) -> list[str]:
    return [line.text for line in lines]


def context(tree: ConfigTree, **data: object) -> CheckContext:
    return CheckContext(tree, HostInfo("fw1", "fortinet", {"role": "firewall", "level": 3, **data}), FGT,
                        ObjectTable({}))


SIMPLE = """
#config-version=FG100F-7.2.5-FW-build1517-230606:opmode=0:vdom=0:user=admin
#conf_file_ver=3029361462911
#buildno=1517
#global_vdom=1
config system global
    set admintimeout 5
    set hostname "fw1"
end
config system interface
    edit "port1"
        set ip 10.1.1.1 255.255.255.0
        set allowaccess ping https ssh
        set alias "TSLCD uplink"
        config ipv6
            set ip6-allowaccess ping
        end
    next
    edit "port2"
        unset allowaccess
        set status down
    next
end
config firewall policy
    edit 1
        set name "web out"
        set srcaddr "LAN net" "VC"
        set dstaddr "all"
        set comments "said \\"hi\\" twice"
    next
end
"""


# ---------------------------------------------------------------- nesting


def test_blocks_entries_and_statements_nest_by_keyword() -> None:
    tree = parse(SIMPLE)
    assert texts(tree.roots) == ["config system global", "config system interface", "config firewall policy"]
    interfaces = tree.roots[1]
    assert texts(interfaces.children) == ['edit "port1"', 'edit "port2"']
    port1 = interfaces.children[0]
    assert texts(port1.children) == ["set ip 10.1.1.1 255.255.255.0", "set allowaccess ping https ssh",
                                     'set alias "TSLCD uplink"', "config ipv6"]
    assert texts(port1.children[3].children) == ["set ip6-allowaccess ping"]
    assert port1.children[3].children[0].path() == (
        "config system interface", 'edit "port1"', "config ipv6", "set ip6-allowaccess ping")


def test_next_and_end_are_not_statements_and_unset_is() -> None:
    tree = parse(SIMPLE)
    assert not [line for line in tree.lines if line.text in ("next", "end")]
    assert "unset allowaccess" in texts(tree.lines)


def test_indentation_is_cosmetic() -> None:
    flat = "\n".join(line.strip() for line in dedent(SIMPLE).splitlines())
    odd = "\n".join(("   " * (i % 3)) + line.strip() for i, line in enumerate(dedent(SIMPLE).splitlines()))
    shape = [line.path() for line in parse(SIMPLE).lines]
    assert [line.path() for line in parse(flat).lines] == shape
    assert [line.path() for line in parse(odd).lines] == shape


def test_line_numbers_are_those_of_the_text() -> None:
    tree = parse(SIMPLE)
    lines = dedent(SIMPLE).lstrip("\n").splitlines()
    for line in tree.lines:
        assert lines[line.number - 1].strip() == line.text
    assert tree.source_lines == len(lines)


def test_comments_are_skipped() -> None:
    tree = parse("""
        #config-version=FGVM64-7.4.1-FW-build2463-230830:opmode=0:vdom=0
        config router bgp
            # `set as 0` clears the AS
            set as 65001
        end
    """)
    assert texts(tree.lines) == ["config router bgp", "set as 65001"]


# ---------------------------------------------------------------- quoted values


def test_quoted_values_with_spaces_and_several_values_survive() -> None:
    tree = parse(SIMPLE)
    line = next(line for line in tree.lines if line.text.startswith("set srcaddr"))
    assert line.text == 'set srcaddr "LAN net" "VC"'
    assert values(line.text) == ["LAN net", "VC"]
    comment = next(line for line in tree.lines if line.text.startswith("set comments"))
    assert values(comment.text) == ['said "hi" twice']
    assert values("set alias ''") == [""]
    assert values('edit "port1"') == ["port1"]
    assert values("edit 7") == ["7"]


def test_multi_line_quoted_value_is_one_statement_at_its_first_line() -> None:
    tree = parse('''
        config system certificate local
            edit "cert1"
                set password ENC AAAA
                set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----
        MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI
        end
        next
        -----END ENCRYPTED PRIVATE KEY-----"
                set comments "after the key"
            next
        end
        config system replacemsg admin "pre_admin-disclaimer-text"
            set buffer "<p class=\\"warn\\">Truy cap trai phep
        bi nghiem cam</p>
        "
            set format html
        end
    ''')
    key = next(line for line in tree.lines if line.text.startswith("set private-key"))
    assert key.number == 4
    assert key.text.count("\n") == 4 and key.text.endswith('-----END ENCRYPTED PRIVATE KEY-----"')
    assert key.parent is not None and key.parent.text == 'edit "cert1"'
    after = next(line for line in tree.lines if line.text.startswith("set comments"))
    assert (after.number, after.parent) == (9, key.parent)
    buffer = next(line for line in tree.lines if line.text.startswith("set buffer"))
    assert buffer.number == 13 and buffer.text.count("\n") == 2
    assert texts(tree.roots) == ["config system certificate local",
                                 'config system replacemsg admin "pre_admin-disclaimer-text"']
    assert texts(tree.roots[1].children) == [buffer.text, "set format html"]


def test_unclosed_quote_is_refused_with_its_line() -> None:
    with pytest.raises(ParseError, match="never closed") as err:
        parse('config system global\n    set alias "half\n    set hostname x\nend\n')
    assert err.value.line == 2


# ---------------------------------------------------------------- VDOMs and unclosed blocks


MULTI_VDOM = """
config vdom
edit root
next
edit dmz
next
end
config global
config system global
    set hostname "fw-multi"
end
config system interface
    edit "port1"
        set vdom "root"
        set alias "INTERNET Viettel"
    next
end
end
config vdom
edit root
config firewall policy
    edit 1
        set logtraffic disable
    next
end
next
edit dmz
config firewall policy
    edit 7
        set action accept
    next
end
next
end
"""


def test_vdom_and_global_tables_are_top_level_sections() -> None:
    tree = parse(MULTI_VDOM)
    assert texts(tree.roots) == ["config vdom", "config global", "config vdom"]
    policies = [line for line, _ in tree.sections(Rx(r"^config firewall policy$"))]
    assert [p.parent.text for p in policies if p.parent] == ["edit root", "edit dmz"]
    assert [p.number for p in policies] == [20, 27]
    assert tree.first(Rx(r"^config system global$")) is not None
    # statements inside the tables are not top-level
    assert tree.first(Rx(r"^set hostname ")) is None
    assert tree.first(Rx(r"^set hostname "), anywhere=True) is not None


def test_vdom_interfaces_and_alias_roles() -> None:
    ctx = context(parse(MULTI_VDOM))
    assert [(i.name, sorted(i.roles), i.description) for i in ctx.interfaces] == [
        ("port1", ["internet"], "INTERNET Viettel")]


def test_interface_roles_come_from_alias_or_description_and_uplinks_win() -> None:
    tree = parse("""
        config system interface
            edit "port1"
                set alias ''
                set description "TSLCD - VNPT"
            next
            edit "port2"
                set description "Internet - may tra cuu"
                set status down
            next
            edit "wan1"
            next
        end
    """)
    found = {i.name: (sorted(i.roles), i.shutdown, i.physical) for i in context(tree).interfaces}
    assert found == {"port1": (["tslcd"], False, True), "port2": ([], True, True), "wan1": ([], False, True)}
    ctx = context(tree, uplinks={"tslcd": [], "internet": ["WAN1"]})
    assert {i.name: sorted(i.roles) for i in ctx.interfaces} == {"port1": [], "port2": [], "wan1": ["internet"]}


def test_a_table_left_open_is_closed_by_the_next_top_level_table() -> None:
    tree = parse("""
        config system global
          set hostname "fortios-fw-01"
        config system interface
          edit "wan1"
            set ip 203.0.113.1 255.255.255.252
          next
          edit "lan1"
            set ip 10.1.1.1 255.255.255.0
        config router bgp
            config redistribute "connected"
                set status enable
            config neighbor
                edit "10.0.0.1"
                    set remote-as 65001
        config system ntp
          set ntpsync enable
    """)
    assert texts(tree.roots) == ["config system global", "config system interface", "config router bgp",
                                 "config system ntp"]
    assert texts(tree.roots[1].children) == ['edit "wan1"', 'edit "lan1"']
    # nested blocks are not tables: `config neighbor` stays inside `config redistribute` left open
    assert tree.roots[2].children[0].children[1].text == "config neighbor"


def test_entry_left_open_is_closed_by_the_next_entry() -> None:
    tree = parse("""
        config firewall address
            edit "a"
                set subnet 10.0.0.0 255.0.0.0
            edit "b"
                set subnet 10.1.0.0 255.255.0.0
            next
        end
    """)
    assert texts(tree.roots[0].children) == ['edit "a"', 'edit "b"']


def test_prompt_echo_before_the_output_is_skipped() -> None:
    tree = parse("""
        FGT100F (root) # show full-configuration
        config system global
            set hostname "fw1"
        end
    """)
    assert texts(tree.lines) == ["config system global", 'set hostname "fw1"']


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(("text", "match"), [
    pytest.param("hostname r1\n!\ninterface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n!\n"
                 "line vty 0 4\n transport input ssh\nend\n", "not a FortiOS configuration", id="cisco-ios"),
    pytest.param("set system host-name r1\nset system services ssh\nset interfaces ge-0/0/0 unit 0\n"
                 "set protocols ospf area 0\n", "Junos", id="junos-set"),
    pytest.param("system {\n    host-name r1;\n}\ninterfaces {\n    ge-0/0/0;\n}\nprotocols {\n}\n",
                 "Junos", id="junos-braces"),
    pytest.param("sysname AR1\n#\ninfo-center loghost 10.0.0.1\nuser-interface vty 0 4\nundo telnet server\n"
                 "return\n", "Huawei VRP", id="huawei-vrp"),
    pytest.param("Traceback (most recent call last):\n  File \"x.py\", line 1\nKeyError: 'a'\n",
                 "not a FortiOS configuration", id="stack-trace"),
    pytest.param("Command fail. Return code -61\nUnknown action 0\nfoo bar baz\n",
                 "not a FortiOS configuration", id="error-output"),
    pytest.param("#config-version=FG100F-7.2.5\n#buildno=1517\n", "no configuration statements", id="comments-only"),
])
def test_foreign_and_junk_text_is_refused(text: str, match: str) -> None:
    with pytest.raises(ParseError, match=match):
        FGT.parse(text)


# ---------------------------------------------------------------- redaction of statements


KEYED = '''config system snmp community
    edit 1
        set name "nms-Kx7v"
        config hosts
            edit 1
                set ip 10.0.0.41 255.255.255.255
            next
        end
    next
    edit 2
        set name "public"
    next
end
config firewall policy
    edit 1
        set name "LAN out"
    next
end
config vpn certificate local
    edit "c1"
        set private-key "-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7
-----END PRIVATE KEY-----"
        set comments "kept"
    next
end
'''


def test_evidence_of_a_multi_line_key_is_redacted() -> None:
    tree = FGT.parse(KEYED)
    key = next(line for line in tree.lines if line.text.startswith("set private-key"))
    evidence = context(tree).evidence(key)
    assert evidence.line == 21 and evidence.text == "set private-key <redacted>"


def test_redacted_config_keeps_lines_and_object_names() -> None:
    redacted = FGT.redact_config(KEYED)
    lines = redacted.split("\n")
    assert len(lines) == len(KEYED.split("\n"))
    assert "MIIEvQ" not in redacted and "nms-Kx7v" not in redacted
    assert lines[2] == "        set name <redacted>"
    assert lines[10] == '        set name "public"'  # well-known: SNMP-01's finding, not a secret
    assert lines[15] == '        set name "LAN out"'  # a policy's name, outside the community table
    assert lines[20:23] == ["        set private-key <redacted>", "", ""]
    assert lines[23] == '        set comments "kept"'
    # the redacted copy parses to the same shape, with the same line numbers
    assert [(line.number, line.path()[:-1]) for line in FGT.parse(redacted).lines] == [
        (line.number, line.path()[:-1]) for line in FGT.parse(KEYED).lines]


@pytest.mark.parametrize(("line", "redacted"), [
    ("set allowaccess ping https ssh", None),
    ('set passive-interface "port4"', None),
    ("set keylife 86400", None),
    ("set key-id 1", None),
    ("set admin-lockout-threshold 3", None),
    ("set password-expire 2026-01-01 00:00:00", None),
    ('set certificate "Fortinet_Factory"', None),  # a certificate's name, not a PEM block
    ('set name "public"', None),  # a well-known community is SNMP-01's finding, not a secret
    ('set name "Kx7vB2nR"', "set name <redacted>"),
    ("set password public", "set password <redacted>"),  # a well-known word as a password is a password
    ("set md5-keys 1 ENC Kx7vB2nR", "set md5-keys 1 ENC <redacted>"),
])
def test_redaction_of_single_lines(line: str, redacted: str | None) -> None:
    assert FGT.redact(line) == (line if redacted is None else redacted)


# ---------------------------------------------------------------- the `entries` check


def test_entries_counts_and_reports_when_there_are_none() -> None:
    tree = parse("""
        config system admin
            edit "a"
            next
            edit "b"
                set remote-auth enable
            next
            edit "c"
            next
        end
    """)
    ctx = context(tree)
    local = {"path": ["^config system admin$", "^edit "], "unless": ["^set remote-auth enable$"], "max": 1}
    result = CHECKS["entries"](ctx, local)
    assert result.status == Status.FAIL and [e.line for e in result.evidence] == [2, 7]
    assert CHECKS["entries"](ctx, {**local, "max": 2}).status == Status.PASS
    users = {"path": ["^config system snmp user$", "^edit "], "present": ["^set security-level auth-priv$"]}
    assert CHECKS["entries"](ctx, users).status == Status.NOT_APPLICABLE
    assert CHECKS["entries"](ctx, {**users, "none": "pass"}).status == Status.PASS
    assert CHECKS["entries"](ctx, {**users, "none": "fail"}).status == Status.FAIL
    with pytest.raises(ValueError, match="needs a path"):
        CHECKS["entries"](ctx, {"path": ["^config system admin$"]})


def test_every_check_has_a_one_line_docstring() -> None:
    for name, fn in CHECKS.items():
        assert fn.__doc__ and "\n" not in fn.__doc__.strip(), name
