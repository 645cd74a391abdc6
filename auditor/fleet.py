"""Fleet-wide controls, computed once over the whole inventory after the per-host phase."""

from __future__ import annotations

from collections.abc import Sequence

from .catalogue import Catalogue
from .inventory import overlapping
from .models import FleetResult, HostInfo, Severity, Status


def fleet_01(hosts: Sequence[HostInfo], severity: Severity) -> FleetResult:
    """FLEET-01: no two hosts share a management address; no two sites' allocated prefixes overlap.

    An address is the management endpoint: address and SSH port (several devices may sit behind
    one address on different ports, as behind a port-forwarding jump host).
    """
    problems: list[str] = []
    involved: set[str] = set()
    by_address: dict[str, list[str]] = {}
    for h in hosts:
        address = h.get("management_address")
        if address:
            port = h.get("management_port", 22)
            endpoint = str(address).lower() if port == 22 else f"{str(address).lower()} port {port}"
            by_address.setdefault(endpoint, []).append(h.name)
    for address, names in sorted(by_address.items()):
        if len(names) > 1:
            problems.append(f"management address {address} shared by {', '.join(sorted(names))}")
            involved.update(names)
    site_prefixes: dict[tuple[str, str], list[str]] = {}
    for h in hosts:
        for p in h.get("allocated_prefixes") or ():
            site_prefixes.setdefault((str(h.get("site")), str(p)), []).append(h.name)
    for site_a, p_a, site_b, p_b in overlapping(site_prefixes):
        problems.append(f"site {site_a} prefix {p_a} overlaps site {site_b} prefix {p_b}")
        involved.update(site_prefixes[(site_a, p_a)] + site_prefixes[(site_b, p_b)])
    if problems:
        return FleetResult("FLEET-01", Status.FAIL, severity, tuple(sorted(involved)), "; ".join(problems))
    return FleetResult("FLEET-01", Status.PASS, severity, (), f"{len(hosts)} hosts, no duplicate or overlapping addressing")


def evaluate_fleet(hosts: Sequence[HostInfo], catalogue: Catalogue) -> tuple[FleetResult, ...]:
    """Every fleet-wide control of the catalogue over `hosts`."""
    out = []
    for control in catalogue.controls:
        if control.id == "FLEET-01":
            out.append(fleet_01(hosts, control.severity))
        elif control.fleet:
            out.append(FleetResult(control.id, Status.ERROR, control.severity, (), "no fleet check implements it"))
    return tuple(out)
