"""Named checks for Huawei VRP that the policy language cannot express, and their registry.

Each takes the check context and the rule's `params` and returns an Outcome. Pattern tables are in
`common.py`; ACL checks live in `acl.py`, routing checks (IGP, the BGP peer model) in
`routing.py`; SNMPv3 privacy (SNMP-04) and the global-or-per-interface switch (SVC-02) are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...config import ConfigLine
from ...context import CheckContext, CheckFn
from ...models import Outcome, Status
from .acl import no_permit_any_inbound, vty_filters_within
from .common import USM_USER, V3_GROUP, V3_TARGET, Problem, judged, rx
from .routing import bgp_authenticated, bgp_networks_within, ebgp_filtered, ebgp_route_limit, igp_authenticated

# ---------------------------------------------------------------- SNMP-04


def snmp_v3_privacy(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """SNMPv3 is authPriv only: some usm-user exists, and every user, v3 group and v3 trap target uses privacy.

    A user's settings may sit on one line (VRP5: `... authentication-mode sha X privacy-mode aes128 Y`)
    or on several lines naming the same user (VRP8); a v3 group without a level is noauthentication.
    """
    tree = ctx.tree
    users: dict[str, list[ConfigLine]] = {}
    for line, m in tree.find(USM_USER):
        users.setdefault(m.group("user"), []).append(line)
    problems = [Problem(f"usm-user {name} has no privacy-mode", tuple(lines)) for name, lines in users.items()
                if not any(" privacy-mode " in line.text for line in lines)]
    problems += [Problem(f"v3 group {m.group('name')} does not require privacy", (line,))
                 for line, m in tree.find(V3_GROUP) if m.group("level") != "privacy"]
    problems += [Problem("a v3 trap target does not use privacy", (line,))
                 for line, m in tree.find(V3_TARGET) if m.group("level") != "privacy"]
    if not users:
        problems.insert(0, Problem("no SNMPv3 usm-user is configured", ()))
    return judged(ctx, problems, "usm-users with privacy-mode, v3 groups and targets at privacy level")


# ---------------------------------------------------------------- SVC-02


def off_globally_or_external(ctx: CheckContext, params: Mapping[str, Any]) -> Outcome:
    """Passes when the `enabled` statement is absent at top level; else every external interface has `disabled`.

    params: `enabled` (top-level pattern turning the feature on), `disabled` (interface pattern
    turning it off there).
    """
    on = ctx.tree.first(rx(str(params["enabled"])))
    if on is None:
        return Outcome(Status.PASS, "not enabled globally")
    external = ctx.interfaces_with("external")
    if not external:
        return Outcome(Status.NOT_APPLICABLE, "no external interface")
    off = rx(str(params["disabled"]))
    problems = [Problem(f"{i.name} lacks /{off.source}/", (on, i.line)) for i in external if i.line.child(off) is None]
    return judged(ctx, problems, f"/{off.source}/ on every external interface")


CHECKS: Mapping[str, CheckFn] = {
    "vty_filters_within": vty_filters_within,
    "no_permit_any_inbound": no_permit_any_inbound,
    "igp_authenticated": igp_authenticated,
    "bgp_authenticated": bgp_authenticated,
    "ebgp_route_limit": ebgp_route_limit,
    "ebgp_filtered": ebgp_filtered,
    "bgp_networks_within": bgp_networks_within,
    "snmp_v3_privacy": snmp_v3_privacy,
    "off_globally_or_external": off_globally_or_external,
}
