"""The `auditor` command. Parses arguments, calls the library, prints; no logic of its own.

Exit codes: 0 compliant, 1 violations found, 2 usage or validation error, 3 some hosts could not
be audited (collection or parse errors), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import __version__, cli_history, cli_onboard, cli_ops, schedule, settings
from .catalogue import Catalogue, load_catalogue
from .collect import SnapshotSource
from .coverage import coverage, render_text
from .errors import AuditorError, ValidationError
from .inventory import Filters, load_inventory
from .live import ENV_PASSWORD, ENV_SECRET, ENV_USERNAME, Credentials, LiveSource, Login, SshOptions
from .models import AuditRun
from .platforms import known_platforms
from .policy import Policy, load_policy
from .reports import FORMATS, parse_formats, render, write_reports
from .reports import text as text_report
from .reports.labels import DEFAULT_LANG, LANGS, check_lang
from .reports.ranking import SPLIT_KEYS
from .reports.summary import exit_code
from .runner import Progress, audit_files, new_run_id
from .schemas import ROLES, TIERS
from .simulator import (
    DEFAULT_PASSWORD,
    DEFAULT_SECRET,
    DEFAULT_USERNAME,
    running_simulator,
    simulate_main,
    specs_from_inventory,
    write_inventory,
)

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_UNAUDITED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

EPILOG = """\
exit codes:
  0  compliant          1  violations found        2  usage or validation error
  3  some hosts could not be audited (collection or parse errors)

environment:
  AUDITOR_INVENTORY, AUDITOR_POLICIES  defaults for --inventory and --policies
  AUDITOR_USERNAME, AUDITOR_PASSWORD, AUDITOR_SECRET  device login (live audits)
  AUDITOR_CREDENTIALS, AUDITOR_KNOWN_HOSTS  defaults for --credentials and --known-hosts
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """Usage errors exit 2 with one line, like the rest of the tool."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def _add_sources(p: argparse.ArgumentParser, inventory: bool = True) -> None:
    if inventory:
        p.add_argument("--inventory", metavar="DIR", type=Path,
                       default=Path(os.environ.get("AUDITOR_INVENTORY", "inventory")),
                       help="Nornir SimpleInventory directory (default: %(default)s)")
    p.add_argument("--policies", metavar="DIR", type=Path,
                   default=Path(os.environ.get("AUDITOR_POLICIES", "policies")),
                   help="policy directory (default: %(default)s)")


def _add_output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", action="append", default=[], metavar="FMT",
                   help=f"report format, repeatable or comma-separated: {'|'.join(FORMATS)} (default: text)")
    p.add_argument("--output", metavar="DIR", type=Path,
                   help="write report.<ext> files here (created if missing; files are owner-readable only)")
    _add_report_options(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _add_report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="report language (default: the inventory defaults' report_lang, else vi)")
    p.add_argument("--split-by", choices=SPLIT_KEYS, default=None,
                   help="also write one report set per group into OUTPUT/<key>/<group>/ (needs --output)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="auditor",
        description="Compliance auditor for the province's dedicated data network "
                    "(mạng truyền số liệu chuyên dùng).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    audit = sub.add_parser("audit", help="audit the inventory live over SSH, or saved configs with --from-dir",
                           description="Audit the hosts of the inventory against the policies.",
                           epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_sources(audit)
    audit.add_argument("--from-dir", metavar="DIR", type=Path,
                       help="audit saved configs DIR/<host>.cfg instead of connecting to devices")
    for flag, meta, extra in (("--site", "SITE", ""), ("--tier", "TIER", f" ({'|'.join(TIERS)})"),
                              ("--role", "ROLE", f" ({'|'.join(ROLES)})"), ("--tag", "TAG", ""),
                              ("--host", "HOST", "")):
        audit.add_argument(flag, action="append", default=[], metavar=meta,
                           help=f"only hosts with this {meta.lower()}{extra}; repeatable")
    audit.add_argument("--workers", type=int, default=10, metavar="N", help="parallel hosts (default: %(default)s)")
    _add_output(audit)
    cli_history.add_store_args(audit)
    cli_ops.add_audit_args(audit)
    live = audit.add_argument_group("live collection over SSH (without --from-dir)")
    live.add_argument("--credentials", metavar="FILE", type=Path,
                      default=_env_path("AUDITOR_CREDENTIALS"),
                      help="YAML credentials per host/group/default, mode 600 (default: AUDITOR_USERNAME, "
                           "AUDITOR_PASSWORD, AUDITOR_SECRET from the environment)")
    live.add_argument("--known-hosts", metavar="FILE", type=Path,
                      default=_env_path("AUDITOR_KNOWN_HOSTS") or Path("~/.ssh/known_hosts").expanduser(),
                      help="verify device host keys against this file (default: ~/.ssh/known_hosts)")
    live.add_argument("--trust-on-first-use", action="store_true",
                      help="record the key of a device not yet in --known-hosts (a changed key still fails)")
    live.add_argument("--insecure-no-host-key-check", action="store_true",
                      help="do not verify host keys at all (recorded in the report)")
    live.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                      help="connect/login timeout (default: %(default)s)")
    live.add_argument("--read-timeout", type=float, default=60.0, metavar="SECONDS",
                      help="time allowed for the config output (default: %(default)s)")
    live.add_argument("--retries", type=int, default=2, metavar="N",
                      help="retries for connection errors, with backoff; never for authentication (default: %(default)s)")
    live.add_argument("--max-new-connections", type=int, default=8, metavar="N",
                      help="logins in progress at once, to spare the AAA servers (default: %(default)s)")

    check = sub.add_parser("check", help="audit config files without an inventory",
                           description="Audit config files with no inventory (onboarding, ad-hoc). "
                                       "The host name is the file name without .cfg.",
                           epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument("--platform", required=True, choices=known_platforms())
    check.add_argument("--role", default="wan-edge", choices=ROLES, help="host role (default: %(default)s)")
    check.add_argument("--level", type=int, default=3, choices=range(1, 6), metavar="N",
                       help="classification level 1-5 (default: %(default)s)")
    _add_sources(check, inventory=False)
    _add_output(check)

    simulate = sub.add_parser(
        "simulate", help="serve simulated devices for the inventory's saved configs over SSH",
        description="Start one simulated device per inventory host on 127.0.0.1 (OS-assigned ports), "
                    "answering with DIR/<host>.cfg, until interrupted (SIGINT/SIGTERM).")
    simulate.add_argument("--from-dir", metavar="DIR", type=Path, required=True,
                          help="saved configs DIR/<host>.cfg to serve")
    simulate.add_argument("--inventory", metavar="DIR", type=Path,
                          default=Path(os.environ.get("AUDITOR_INVENTORY", "inventory")),
                          help="Nornir SimpleInventory directory (default: %(default)s)")
    simulate.add_argument("--write-inventory", metavar="OUT", type=Path, required=True,
                          help="write a copy of the inventory pointing at the simulated devices, and "
                               "OUT/known_hosts with their host keys")
    simulate.add_argument("--username", default=DEFAULT_USERNAME, help="login accepted (default: %(default)s)")
    simulate.add_argument("--password", default=DEFAULT_PASSWORD, help="password accepted (default: %(default)s)")
    simulate.add_argument("--secret", default=DEFAULT_SECRET, help="enable secret (default: %(default)s)")
    simulate.add_argument("--fault", action="append", default=[], metavar="HOST=KIND",
                          help="misbehave on purpose: auth, refused, stall, disconnect, slow, garbage; repeatable")

    demo = sub.add_parser(
        "demo", help="audit the sample network live over SSH against simulated devices",
        description="Start simulated devices for the sample inventory, audit them over SSH (host keys "
                    "verified), write the reports and print the summary. Needs nothing else.")
    demo.add_argument("--inventory", metavar="DIR", type=Path, default=Path("inventory"),
                      help="inventory whose snapshots/ the devices serve (default: %(default)s)")
    _add_sources(demo, inventory=False)
    demo.add_argument("--output", metavar="DIR", type=Path, default=Path("out/demo"),
                      help="where the reports go (default: %(default)s)")
    demo.add_argument("--format", action="append", default=[], metavar="FMT",
                      help="report formats besides the text summary (default: json,html)")
    _add_report_options(demo)
    demo.add_argument("--workers", type=int, default=20, metavar="N", help="parallel hosts (default: %(default)s)")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    cli_history.add_store_args(demo)

    validate = sub.add_parser("validate", help="validate inventory and policies; print every problem",
                              description="Validate the inventory and the policies; exit 2 on any problem.")
    _add_sources(validate)

    controls = sub.add_parser("controls", help="the catalogue and the coverage matrix",
                              description="Print the control catalogue and, per platform, whether the "
                                          "policies implement each control.")
    _add_sources(controls, inventory=False)
    controls.add_argument("--format", choices=("text", "json"), default="text")
    cli_history.register(sub)
    schedule.register(sub)
    cli_onboard.add_parsers(sub)
    return parser


def _error(message: str) -> int:
    print(f"auditor: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _validation(exc: ValidationError) -> int:
    for problem in exc.problems:
        print(f"auditor: {problem}", file=sys.stderr)
    print(f"auditor: {len(exc.problems)} problem(s) found", file=sys.stderr)
    return EXIT_USAGE


def _report_lang(args: argparse.Namespace, defaults: Mapping[str, Any] | None = None) -> str:
    """--lang, else the inventory defaults' report_lang, else Vietnamese."""
    return check_lang(args.lang or str((defaults or {}).get("report_lang") or DEFAULT_LANG))


def _emit(run: AuditRun, catalogue: Catalogue, formats: list[str], output: Path | None,
          lang: str = DEFAULT_LANG, split_by: str | None = None) -> int:
    if split_by is not None and output is None:
        raise AuditorError("--split-by needs --output DIR")
    if output is not None:
        paths = write_reports(run, catalogue, formats, output, lang, split_by)
        sys.stdout.write(text_report.render(run, catalogue) if "text" not in formats else
                         (output / "report.txt").read_text(encoding="utf-8"))
        for p in paths:
            print(f"report written: {p}")
    else:
        for fmt in formats:
            content = render(run, catalogue, fmt, lang)
            if isinstance(content, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(content)
            else:
                sys.stdout.write(content)
    return exit_code(run)


def _load_policy(args: argparse.Namespace, catalogue: Catalogue) -> Policy:
    return load_policy(args.policies, catalogue)


def cmd_audit(args: argparse.Namespace) -> int:
    if not hasattr(args, "_ops"):  # schedule lock, theme, logs and notifications around the audit
        return cli_ops.audit(args, cmd_audit)
    formats = parse_formats(args.format)
    if args.workers < 1:
        return _error("--workers must be at least 1")
    catalogue = load_catalogue()
    inventory = load_inventory(args.inventory)
    policy = _load_policy(args, catalogue)
    filters = Filters(tuple(args.site), tuple(args.tier), tuple(args.role), tuple(args.tag), tuple(args.host))
    selected = inventory.select(filters)
    if not selected:
        return _error(f"no host in {args.inventory} matches the filters ({filters.describe()})")
    progress = Progress(len(selected), enabled=False if args.no_progress else None)
    if args.from_dir is not None:
        if not args.from_dir.is_dir():
            return _error(f"{args.from_dir}: snapshot directory not found")
        run = cli_ops.run_audit(args, inventory, filters, SnapshotSource(args.from_dir), policy, catalogue,
                                workers=args.workers, progress=progress)
        return _emit(run, catalogue, formats, args.output, _report_lang(args, inventory.defaults), args.split_by)
    source = _live_source(args)
    output = args.output or Path("out") / new_run_id()
    run = cli_ops.run_audit(args, inventory, filters, source, policy, catalogue, workers=args.workers,
                            progress=progress, save_to=output / "snapshots",
                            host_key_policy=source.options.host_key_policy)
    if not args.output and "json" not in formats:
        formats = [*formats, "json"]
    code = _emit(run, catalogue, formats, output, _report_lang(args, inventory.defaults), args.split_by)
    print(f"configs saved (secrets redacted): {output / 'snapshots'}  (repeat with --from-dir)")
    return code


def _live_source(args: argparse.Namespace) -> LiveSource:
    if args.insecure_no_host_key_check and args.trust_on_first_use:
        raise AuditorError("--trust-on-first-use and --insecure-no-host-key-check exclude each other")
    if args.workers < 1 or args.retries < 0 or args.max_new_connections < 1:
        raise AuditorError("--workers and --max-new-connections must be at least 1, --retries at least 0")
    if args.credentials is not None:
        credentials = Credentials.from_file(args.credentials, os.environ)
    else:
        credentials = Credentials.from_env(os.environ)
        if credentials.default is None:
            raise AuditorError(f"no credentials: set {ENV_USERNAME} and {ENV_PASSWORD} (and {ENV_SECRET} for "
                               "enable) or give --credentials FILE")
    known_hosts = args.known_hosts
    if not args.insecure_no_host_key_check and not args.trust_on_first_use and not known_hosts.exists():
        raise AuditorError(f"{known_hosts}: known_hosts file not found (use --trust-on-first-use to create it)")
    options = SshOptions(known_hosts=known_hosts, trust_on_first_use=args.trust_on_first_use,
                         verify_host_keys=not args.insecure_no_host_key_check, conn_timeout=args.timeout,
                         read_timeout=args.read_timeout, retries=args.retries,
                         max_new_connections=args.max_new_connections)
    return LiveSource(credentials, options)


def cmd_check(args: argparse.Namespace) -> int:
    formats = parse_formats(args.format)
    catalogue = load_catalogue()
    policy = _load_policy(args, catalogue)
    data = {"role": args.role, "level": args.level}
    progress = Progress(len(args.files), enabled=False if args.no_progress else None)
    run = audit_files(args.files, args.platform, data, policy, catalogue, progress)
    return _emit(run, catalogue, formats, args.output, _report_lang(args), args.split_by)


def cmd_validate(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    problems: list[str] = []
    counts: list[str] = []
    try:
        inventory = load_inventory(args.inventory)
        counts.append(f"{len(inventory.hosts)} hosts")
    except ValidationError as exc:
        problems.extend(exc.problems)
    try:
        policy = _load_policy(args, catalogue)
        counts.append(f"{sum(len(p.rules) for p in policy.platforms.values())} rules "
                      f"for {len(policy.platforms)} platform(s)")
    except ValidationError as exc:
        problems.extend(exc.problems)
    try:
        waivers = cli_history.load_run_waivers(args.policies, catalogue)
        if waivers is not None:
            counts.append(f"{len(waivers.active) + len(waivers.expired)} waiver(s)")
    except ValidationError as exc:
        problems.extend(exc.problems)
    if problems:
        return _validation(ValidationError(problems))
    print(f"ok: {args.inventory} ({', '.join(counts[:1])}) and {args.policies} ({', '.join(counts[1:])}) are valid")
    return EXIT_OK


def cmd_controls(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    policy = _load_policy(args, catalogue)
    platforms = catalogue.platforms
    matrix = coverage(catalogue, policy, platforms)
    if args.format == "json":
        data = {
            cid: {p: {"state": c.state, "rules": list(c.rules), "reason": c.reason} for p, c in row.items()}
            for cid, row in matrix.items()
        }
        print(json.dumps({"platforms": list(platforms), "controls": data}, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render_text(catalogue, matrix, platforms))
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    faults: dict[str, str] = {}
    for item in args.fault:
        host, sep, kind = item.partition("=")
        if not sep or not host or not kind:
            return _error(f"--fault {item!r}: expected HOST=KIND")
        faults[host] = kind
    return simulate_main(args.from_dir, args.inventory, args.write_inventory, args.username, args.password,
                         args.secret, faults)


def cmd_demo(args: argparse.Namespace) -> int:
    formats = parse_formats(["text", *(args.format or ["json", "html"])])
    catalogue = load_catalogue()
    policy = _load_policy(args, catalogue)
    lang = _report_lang(args, load_inventory(args.inventory).defaults)  # the sample must be valid first
    specs, missing = specs_from_inventory(args.inventory / "snapshots", args.inventory)
    if missing:
        return _error(f"no saved config for {', '.join(missing)} in {args.inventory / 'snapshots'}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="auditor-demo-") as tmp, running_simulator(specs) as sim:
        sim_inventory = write_inventory(args.inventory, Path(tmp) / "inventory", sim.endpoints,
                                        sim.known_hosts_lines())
        inventory = load_inventory(sim_inventory)
        print(f"demo: {len(specs)} simulated devices listening on 127.0.0.1; auditing them over SSH", file=sys.stderr)
        login = Login(DEFAULT_USERNAME, DEFAULT_PASSWORD, DEFAULT_SECRET)
        options = SshOptions(known_hosts=sim_inventory / "known_hosts", read_timeout=30.0)
        source = LiveSource(Credentials(login), options)
        progress = Progress(len(inventory.hosts), enabled=False if args.no_progress else None)
        run = cli_history.run_audit(args, inventory, Filters(), source, policy, catalogue, workers=args.workers,
                                    progress=progress, save_to=args.output / "snapshots",
                                    host_key_policy=options.host_key_policy)
    code = _emit(run, catalogue, formats, args.output, lang, args.split_by)
    html = f"; HTML report: {args.output / 'report.html'}" if "html" in formats else ""
    print(f"demo: {len(run.hosts)} hosts audited live in {time.monotonic() - started:.1f} s; "
          f"report: {args.output / 'report.txt'}{html}")
    return code


COMMANDS = {"audit": cmd_audit, "simulate": cmd_simulate, "demo": cmd_demo, "check": cmd_check,
            "validate": cmd_validate, "controls": cmd_controls, "schedule": schedule.cmd_schedule,
            **cli_history.COMMANDS, **cli_onboard.COMMANDS}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `auditor` command with `argv`; returns the exit code."""
    parser = build_parser()
    try:
        config = settings.apply_defaults(parser, sys.argv[1:] if argv is None else argv)  # auditor.yaml
    except ValidationError as exc:
        return _validation(exc)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse has printed already
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    settings.merge_lists(args, config)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except ValidationError as exc:
        return _validation(exc)
    except AuditorError as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        print("auditor: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


def main_entry() -> None:
    sys.exit(main())


