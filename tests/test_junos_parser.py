"""The Junos parser: brace and `display set` forms give the same flat tree of set paths.

Covers quoted strings holding braces, comments and annotations, `inactive:`/`deactivate`, `protect:`
and `replace:`, leaf-lists, empty containers, line numbers, refusals of other vendors and junk, and
the equivalence that matters: for one configuration in brace and in set form, every control's
verdict is the same (over every baseline and defect case of tests/fixtures/juniper_junos, converted
to set form by the small converter below, and over the shared corpus's pair of one device).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPORA
from test_rules import baseline, cases, host_data, mutate, run, setup

from auditor.config import Rx
from auditor.errors import ParseError
from auditor.models import Status
from auditor.platforms import get_platform
from auditor.platforms.juniper_junos.parser import is_set_format

JUNOS = get_platform("juniper_junos")


def paths(text: str) -> list[str]:
    return [line.text for line in JUNOS.parse(text).lines]


def numbered(text: str) -> list[tuple[int, str]]:
    return [(line.number, line.text) for line in JUNOS.parse(text).lines]


# ---------------------------------------------------------------- a test-only brace -> display set converter


def to_set(text: str) -> str:
    """`show configuration | display set` for a well-formed brace config (one statement a line).

    Independent of the parser on purpose: a stack of containers, one `set` line per leaf (and per
    value of a leaf-list), `deactivate` after an inactive element, `## SECRET-DATA` kept.
    """
    out: list[str] = []
    stack: list[tuple[str, bool, list[bool]]] = []  # (path, inactive, [has children])

    def here() -> str:
        return stack[-1][0] + " " if stack else ""

    for raw in text.splitlines():
        s = raw.strip()
        if not s or s.startswith(("#", "/*")):
            continue
        comment = ""
        if "; ##" in s:
            s, comment = s.split("; ##", 1)
            s, comment = s + ";", " ##" + comment
        if s == "}":
            path, inactive, used = stack.pop()
            if not used[0]:
                out.append(f"set {path}")
            if inactive:
                out.append(f"deactivate {path}")
            continue
        if stack:
            stack[-1][2][0] = True
        s = s.removeprefix("protect: ").removeprefix("replace: ")  # display set prints no such marks
        inactive = s.startswith("inactive: ")
        s = s.removeprefix("inactive: ")
        if s.endswith("{}"):  # an empty container
            out.append(f"set {here()}{s[:-2].strip()}")
            continue
        if s.endswith("{"):
            stack.append((here() + s[:-1].strip(), inactive, [False]))
            continue
        body = s[:-1]
        m = re.match(r"^(.*?)\[ (.*) \]$", body)
        values = [m.group(1) + v for v in m.group(2).split()] if m else [body]
        for v in values:
            out.append(f"set {here()}{v}{comment}")
            if inactive:
                out.append(f"deactivate {here()}{v}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- brace form

BRACES = """\
## Last commit: 2025-11-20 09:12:44 ICT by netadmin
version 22.4R3-S2.11;
system {
    host-name r1;
    /* an annotation { with braces; } */
    login {
        message "Canh bao { truy cap } trai phep; bi cam";
        class ops {
            idle-timeout 10;
            permissions [ view view-configuration ];
        }
    }
    inactive: syslog {
        host 10.0.0.1 {
            any any;
        }
    }
    services {
        inactive: telnet;
        ssh {
            protocol-version v2;
        }
    }
    root-authentication {
        encrypted-password "$6$abc$def"; ## SECRET-DATA
    }
}
protect: interfaces {
    ge-0/0/0 {
        description "TSLCD {uplink}; #1";
        unit 0 {
            family inet {
                address 10.0.0.1/30;
            }
        }
    }
}
routing-instances {
    EMPTY {}
}
replace: policy-options {
    community C1 members [ 65000:1 65000:2 ];
}
"""

BRACE_PATHS = [
    (2, "version 22.4R3-S2.11"),
    (4, "system host-name r1"),
    (7, 'system login message "Canh bao { truy cap } trai phep; bi cam"'),
    (9, "system login class ops idle-timeout 10"),
    (10, "system login class ops permissions view"),
    (10, "system login class ops permissions view-configuration"),
    (21, "system services ssh protocol-version v2"),
    (25, 'system root-authentication encrypted-password "$6$abc$def"'),
    (30, 'interfaces ge-0/0/0 description "TSLCD {uplink}; #1"'),
    (33, "interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/30"),
    (39, "routing-instances EMPTY"),
    (42, "policy-options community C1 members 65000:1"),
    (42, "policy-options community C1 members 65000:2"),
]


def test_braces_give_set_paths_with_leaf_line_numbers() -> None:
    assert numbered(BRACES) == BRACE_PATHS


def test_display_set_of_the_same_config_gives_the_same_statements() -> None:
    converted = to_set(BRACES)
    assert is_set_format(converted.splitlines())
    assert paths(converted) == [p for _, p in BRACE_PATHS]


def test_set_lines_keep_their_own_line_numbers() -> None:
    text = "\n".join([
        "{master:0}",
        "set version 22.4",
        "# a comment line",
        "set system host-name r1",
        'set system login message "a { b; } c"',
        'set system root-authentication encrypted-password "$6$x$y" ## SECRET-DATA',
        "set system  services   ssh",
        "",
    ])
    assert numbered(text) == [
        (2, "version 22.4"), (4, "system host-name r1"), (5, 'system login message "a { b; } c"'),
        (6, 'system root-authentication encrypted-password "$6$x$y"'), (7, "system services ssh"),
    ]


def test_deactivate_drops_the_subtree_and_activate_restores_it() -> None:
    text = """\
set system host-name r1
set system syslog user * any emergency
set system syslog host 10.0.0.1 any any
set system services telnet
set interfaces ge-0/0/1 unit 0 family inet address 10.0.1.1/24
set interfaces ge-0/0/10 unit 0 family inet address 10.0.10.1/24
deactivate system syslog user *
deactivate system services telnet
deactivate interfaces ge-0/0/1
deactivate system syslog host 10.0.0.1
activate system syslog host 10.0.0.1
"""
    assert paths(text) == [
        "system host-name r1", "system syslog host 10.0.0.1 any any",
        "interfaces ge-0/0/10 unit 0 family inet address 10.0.10.1/24",
    ]


def test_delete_removes_what_was_set_before_it() -> None:
    text = "set system host-name r1\nset system services telnet\ndelete system services\nset system services ssh\n"
    assert paths(text) == ["system host-name r1", "system services ssh"]


def test_a_path_that_only_prefixes_a_longer_one_is_kept_once() -> None:
    text = "set system host-name r1\nset system services ssh\nset system services ssh protocol-version v2\nset system services ssh\n"
    assert paths(text) == ["system host-name r1", "system services ssh protocol-version v2"]


def test_set_leaf_lists_expand_like_braces() -> None:
    text = "set system host-name r1\nset system authentication-order [ tacplus password ]\n"
    assert paths(text) == ["system host-name r1", "system authentication-order tacplus",
                           "system authentication-order password"]


@pytest.mark.parametrize("inactive", [
    "    inactive: services {\n        telnet;\n    }\n",
    "    services {\n        inactive: telnet;\n    }\n",
    "    services {\n        protect: inactive: telnet;\n    }\n",
])
def test_inactive_statements_do_not_count(inactive: str) -> None:
    text = "system {\n    host-name r1;\n" + inactive + "}\n"
    assert paths(text) == ["system host-name r1"]


def test_multi_line_comments_and_quoted_strings() -> None:
    text = """\
system {
    /* first line
       second line { not a container; } */
    host-name r1;
    login {
        message "line one
line two";
    }
    # services { telnet; }
}
"""
    assert numbered(text) == [(4, "system host-name r1"), (6, 'system login message "line one\\nline two"')]


def test_lenient_with_a_missing_semicolon_and_stray_braces() -> None:
    text = "system {\n    host-name r1\n    services { ssh; }\n}\n}\nsnmp {\n    location lab;\n"
    assert paths(text) == ["system host-name r1", "system services ssh", "snmp location lab"]


def test_flat_sections_group_statements_by_prefix() -> None:
    tree = JUNOS.parse(BRACES)
    classes = [(s.text, [c.text for c in s.children]) for s, _ in tree.sections(Rx(r"^system login class \S+"))]
    assert classes == [("system login class ops", ["idle-timeout 10", "permissions view", "permissions view-configuration"])]
    ifaces = [(s.text, m.group("name")) for s, m in tree.sections(JUNOS.interfaces.section_rx)]
    assert ifaces == [("interfaces ge-0/0/0", "ge-0/0/0")]


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(("text", "why"), [
    ("hostname r1\n!\ninterface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n!\nline vty 0 4\n"
     " transport input ssh\n!\nip ssh version 2\nservice password-encryption\nend\n", "not a Juniper Junos configuration"),
    ("config system global\n    set hostname fw1\nend\nconfig system interface\n    edit port1\n    next\nend\n"
     "config firewall policy\n    edit 1\n    next\nend\nconfig router static\nend\n", "FortiOS"),
    ("Traceback (most recent call last):\n  File x, line 1\nValueError: boom\n", "not a Juniper Junos configuration"),
    ("\n# nothing here\n\n", "no configuration statements"),
])
def test_other_vendors_and_junk_are_refused(text: str, why: str) -> None:
    with pytest.raises(ParseError, match=why):
        JUNOS.parse(text)


# ---------------------------------------------------------------- the equivalence: same verdicts in both forms


def _verdicts(text: str, data: dict[str, Any]) -> tuple[dict[str, Status], dict[str, Status]]:
    verdicts, findings = run("juniper_junos", text, data)
    return {v.control: v.status for v in verdicts}, {f.rule: f.status for f in findings}


BASES = sorted(setup("juniper_junos")["hosts"])
CASES = cases("juniper_junos")


@pytest.mark.parametrize("base", BASES)
def test_baseline_in_set_form_has_the_same_tree(base: str) -> None:
    text = baseline("juniper_junos", base)
    assert paths(to_set(text)) == paths(text)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_defect_case_judges_the_same_in_set_form(case: dict[str, Any]) -> None:
    text = mutate("juniper_junos", baseline("juniper_junos", case["base"]), case)
    data = host_data("juniper_junos", case)
    assert _verdicts(to_set(text), data) == _verdicts(text, data)


SAME_DEVICE = [  # MANIFEST.tsv: the one device the shared corpus holds in both forms
    ("juniper_junos/hier-config__fixtures_running_config_junos.conf",
     "juniper_junos_set/hier-config__fixtures_running_config_flat_junos.conf"),
]


@pytest.mark.parametrize(("brace", "flat"), SAME_DEVICE)
def test_corpus_pair_of_one_device_judges_the_same(brace: str, flat: str) -> None:
    if not (CORPORA / brace).exists() or not (CORPORA / flat).exists():
        pytest.skip("the shared corpus is not beside this checkout")
    a, b = (Path(CORPORA / p).read_text(encoding="utf-8") for p in (brace, flat))
    assert paths(a) == paths(b)
    for name, data in setup("juniper_junos")["hosts"].items():
        assert _verdicts(a, data) == _verdicts(b, data), name


def test_redacted_config_judges_the_same() -> None:
    """A stored (redacted) snapshot is audited like the original: hash schemes and key ids stay."""
    for base in BASES:
        text = baseline("juniper_junos", base)
        data = setup("juniper_junos")["hosts"][base]
        assert "$9$" not in JUNOS.redact_config(text)
        assert _verdicts(JUNOS.redact_config(text), data) == _verdicts(text, data)
    md5 = next(c for c in CASES if c["id"] == "user-password-md5")
    text = mutate("juniper_junos", baseline("juniper_junos", md5["base"]), md5)
    assert _verdicts(JUNOS.redact_config(text), host_data("juniper_junos", md5))[0]["AAA-02"] == Status.FAIL


def test_evidence_is_redacted_by_the_engine() -> None:
    case = {"id": "community", "base": "wan-edge", "after": '    contact "NOC Trung tam Du lieu tinh Dien Bien";',
            "add": ["    community Kx7vB2nR {", "        authorization read-write;", "    }"]}
    _, findings = run("juniper_junos", mutate("juniper_junos", baseline("juniper_junos", "wan-edge"), case),
                      setup("juniper_junos")["hosts"]["wan-edge"])
    texts = [e.text for f in findings for e in f.evidence]
    assert any("snmp community <redacted>" in t for t in texts)
    assert not any("Kx7vB2nR" in t or "$9$" in t for t in texts)
