"""CLI side of onboarding: `auditor site add|remove`, `auditor baseline HOST`, `auditor onboard HOST`.

Kept apart from cli.py, which calls `add_parsers(sub)` and merges `COMMANDS`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .baseline import placeholders, render_baseline, supported, templates_dir
from .catalogue import load_catalogue
from .errors import AuditorError
from .gate import collect_live, run_gate, write_gate_reports
from .inventory import load_inventory
from .models import HostInfo
from .onboarding import add_hosts, entry_from_flags, read_site_file, remove_hosts
from .platforms import get_platform, known_platforms
from .policy import load_policy
from .schemas import ROLES

EXIT_ACCEPTED, EXIT_BLOCKED = 0, 1


def _inventory_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--inventory", metavar="DIR", type=Path,
                   default=Path(os.environ.get("AUDITOR_INVENTORY", "inventory")),
                   help="Nornir SimpleInventory directory (default: %(default)s)")


def add_parsers(sub: Any) -> None:
    site = sub.add_parser("site", help="add or remove a site's hosts in inventory/hosts.yaml (validated)",
                          description="Validated changes to hosts.yaml: every problem is printed and nothing is "
                                      "written on any; comments and formatting are kept; a backup "
                                      "hosts.yaml.bak-<timestamp> is made.")
    site_sub = site.add_subparsers(dest="site_command", metavar="ACTION", required=True,
                                   parser_class=sub._parser_class)
    add = site_sub.add_parser("add", help="add hosts from --from FILE or from flags (one host)")
    _inventory_arg(add)
    add.add_argument("--from", dest="from_file", metavar="FILE", type=Path,
                     help="YAML with `hosts:` (entries as in hosts.yaml) and optional `comment:`")
    add.add_argument("--host", metavar="NAME", help="host name (without --from)")
    add.add_argument("--address", metavar="IP", help="management address (the entry's hostname)")
    add.add_argument("--platform", choices=known_platforms(), help="platform (default: from defaults.yaml)")
    add.add_argument("--group", action="append", default=[], metavar="GROUP",
                     help="tier and area group, repeatable (e.g. --group commune --group area-dien-bien)")
    add.add_argument("--site", metavar="SITE")
    add.add_argument("--agency", metavar="UNIT")
    add.add_argument("--role", metavar="ROLE", help=f"{'|'.join(ROLES)}")
    add.add_argument("--level", type=int, metavar="N", help="classification level 1-5")
    add.add_argument("--owner", metavar="TEXT")
    add.add_argument("--tslcd", action="append", default=[], metavar="IF", help="TSLCD uplink interface; repeatable")
    add.add_argument("--internet", action="append", default=[], metavar="IF", help="Internet uplink; repeatable")
    add.add_argument("--prefix", action="append", default=[], metavar="CIDR", help="allocated prefix; repeatable")
    add.add_argument("--tag", action="append", default=[], metavar="TAG", help="repeatable")
    add.add_argument("--comment", metavar="TEXT", help="end-of-line comment on the host's key (e.g. the model)")
    add.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    rm = site_sub.add_parser("remove", help="remove every host of a site (or --host NAME)")
    _inventory_arg(rm)
    rm.add_argument("site", metavar="SITE", nargs="?")
    rm.add_argument("--host", action="append", default=[], metavar="NAME", help="remove this host; repeatable")
    rm.add_argument("--dry-run", action="store_true", help="validate only; write nothing")

    base = sub.add_parser("baseline", help="render a baseline config for an inventory host",
                          description="Render templates/<platform>/<role>.cfg.j2 with the host's inventory data. "
                                      "Secrets are <<CHANGE-ME:...>> placeholders to replace.")
    _inventory_arg(base)
    base.add_argument("host", metavar="HOST")
    base.add_argument("--templates", metavar="DIR", type=Path, default=None,
                      help="template directory (default: the repository's templates/)")
    base.add_argument("--output", metavar="FILE", type=Path, help="write here (mode 0600) instead of stdout")

    onboard = sub.add_parser("onboard", help="acceptance gate for a new device (exit 0 accepted, 1 blocked)",
                             description="Audit the device's config against the policy for its role and level; "
                                         "accepted only when no critical or high control fails and no "
                                         "<<CHANGE-ME>> placeholder remains. Waivers do not apply.")
    _inventory_arg(onboard)
    onboard.add_argument("host", metavar="HOST")
    # here --config names the device's config (settings.DEVICE_CONFIG_COMMANDS), not auditor.yaml
    onboard.add_argument("--config", "--device-config", dest="device_config", metavar="FILE", type=Path,
                         help="audit this config file (device not reachable yet) instead of collecting over SSH")
    onboard.add_argument("--policies", metavar="DIR", type=Path,
                         default=Path(os.environ.get("AUDITOR_POLICIES", "policies")))
    onboard.add_argument("--output", metavar="DIR", type=Path, default=None,
                         help="onboarding report directory (default: out/onboard/<host>)")
    from . import cli, cli_history

    cli_history.add_store_args(onboard)
    live = onboard.add_argument_group("live collection over SSH (without --device-config)")
    live.add_argument("--credentials", metavar="FILE", type=Path, default=cli._env_path("AUDITOR_CREDENTIALS"))
    live.add_argument("--known-hosts", metavar="FILE", type=Path,
                      default=cli._env_path("AUDITOR_KNOWN_HOSTS") or Path("~/.ssh/known_hosts").expanduser())
    live.add_argument("--trust-on-first-use", action="store_true")
    live.add_argument("--insecure-no-host-key-check", action="store_true")
    live.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS")
    live.add_argument("--read-timeout", type=float, default=60.0, metavar="SECONDS")
    live.add_argument("--retries", type=int, default=2, metavar="N")
    onboard.set_defaults(workers=1, max_new_connections=1)


def cmd_site(args: argparse.Namespace) -> int:
    if args.site_command == "remove":
        if not args.site and not args.host:
            raise AuditorError("site remove: give SITE or --host NAME")
        change = remove_hosts(args.inventory, args.site, args.host, args.dry_run)
        verb = "would remove" if args.dry_run else "removed"
    else:
        if args.from_file is not None:
            if args.host:
                raise AuditorError("site add: --from FILE and --host exclude each other")
            new, comment = read_site_file(args.from_file)
            comment = args.comment or comment
        else:
            if not args.host:
                raise AuditorError("site add: give --from FILE or --host NAME with its flags")
            new = {args.host: entry_from_flags(
                address=args.address, platform=args.platform, groups=args.group, site=args.site,
                agency=args.agency, role=args.role, level=args.level, owner=args.owner, tslcd=args.tslcd,
                internet=args.internet, prefixes=args.prefix, tags=args.tag)}
            comment = args.comment
        change = add_hosts(args.inventory, new, comment, args.dry_run)
        verb = "valid, would add" if args.dry_run else "added"
    print(f"{verb} {len(change.names)} host(s) in {change.hosts_file}: {', '.join(change.names)}")
    if change.backup is not None:
        print(f"backup of the previous file: {change.backup}")
    return 0


def _host(args: argparse.Namespace) -> tuple[Any, HostInfo]:
    inventory = load_inventory(args.inventory)
    info = inventory.hosts.get(args.host)
    if info is None:
        raise AuditorError(f"host {args.host!r} is not in {args.inventory} (add it with `auditor site add`)")
    return inventory, info


def cmd_baseline(args: argparse.Namespace) -> int:
    _, info = _host(args)
    text = render_baseline(info, args.templates)
    marks = placeholders(text)
    if args.output is not None:
        from .files import write_private

        write_private(args.output, text)
        print(f"baseline for {info.name} ({info.platform} {info.get('role')}) written: {args.output}")
    else:
        sys.stdout.write(text)
    if marks:
        names = sorted({n for _, n in marks})
        print(f"auditor: {len(marks)} placeholder(s) to replace before `auditor onboard` accepts the device: "
              f"{', '.join(names)}", file=sys.stderr)
    return 0


def cmd_onboard(args: argparse.Namespace) -> int:
    inventory, info = _host(args)
    catalogue = load_catalogue()
    policy = load_policy(args.policies, catalogue)
    if args.device_config is not None:
        from .collect import read_config_file

        text, origin, label = read_config_file(args.device_config), str(args.device_config), "files"
    else:
        from .cli import _live_source

        text, origin = collect_live(inventory, info, _live_source(args))
        label = "live"
    gate = run_gate(info, text, origin, policy, catalogue, label)
    output = args.output or Path("out") / "onboard" / info.name
    paths = write_gate_reports(gate, catalogue, output)
    stored = _record(args, gate)
    verdict = "ACCEPTED" if gate.accepted else "BLOCKED"
    print(f"onboarding {info.name} ({info.platform} {info.get('role')}, level {info.get('level')}): {verdict}")
    for reason in gate.reasons():
        print(f"  - {reason}")
    for f in gate.blocking:
        fix = f.remediation.strip().replace("\n", "\n        ")
        print(f"    fix {f.control}: {fix}")
    for p in paths[:2]:
        print(f"report written: {p}")
    if stored:
        print(stored, file=sys.stderr)
    return EXIT_ACCEPTED if gate.accepted else EXIT_BLOCKED


def _record(args: argparse.Namespace, gate: Any) -> str | None:
    """Record the gate's audit as a run (source files/live, scope onboard=HOST) in the history store."""
    if getattr(args, "no_store", False):
        return None
    from .store import Store, resolve_db

    store = Store(resolve_db(args.db))
    try:
        recorder = store.begin_run(gate.run.run, {"onboard": [gate.host.name]})
        try:
            redacted = get_platform(gate.host.platform).redact_config(gate.text)
        except Exception:
            redacted = None
        recorder.finish(gate.run, 0 if gate.accepted else 1,
                        {"onboarding": {"accepted": gate.accepted, "reasons": gate.reasons()}},
                        {gate.host.name: redacted} if redacted else None)
    finally:
        store.close()
    return f"onboarding run {gate.run.run.id} stored in the history database"


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "site": cmd_site, "baseline": cmd_baseline, "onboard": cmd_onboard}

__all__ = ["COMMANDS", "add_parsers", "supported", "templates_dir"]
