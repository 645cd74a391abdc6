"""`auditor site add|remove`: validated changes to inventory/hosts.yaml.

New entries are checked against the host schema and against the whole inventory (unique host
names and management addresses, allocated prefixes overlapping no other site's, uplinks present,
designated servers and management prefixes as the groups/defaults give them, valid role, tier and
level) by loading the would-be inventory from a scratch copy, so every rule of `auditor validate`
applies too. On any problem nothing is written and every problem is reported at once.

Writing never re-serialises the existing file: the new entries are dumped with ruamel.yaml (in the
file's own style: flow lists, two-space indent) and appended; a removal cuts the entries' lines,
located with ruamel.yaml's round-trip line information. So every existing comment, key order and
byte of formatting stays. The result is re-parsed and compared with the intended content before an
atomic replace (temp file + os.replace), after a backup `hosts.yaml.bak-<UTC timestamp>`.
"""

from __future__ import annotations

import io
import ipaddress
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from .checks import short_hostname
from .errors import AuditorError, InventoryError, ValidationError
from .inventory import Inventory, load_inventory, overlapping
from .yamlio import load_yaml

NEEDS_TSLCD = ("wan-edge", "firewall")
INHERITED_CONSISTENT = ("designated_servers", "management_prefixes")


@dataclass(frozen=True)
class Change:
    hosts_file: Path
    backup: Path | None
    names: tuple[str, ...]


# --- reading the new entries -------------------------------------------------------------------

def read_site_file(path: Path) -> tuple[dict[str, Any], str | None]:
    """The host entries of a site file (`hosts:` mapping, optional `comment:`); YamlError if malformed."""
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("hosts"), dict) or not raw["hosts"]:
        raise ValidationError([f"{path}: hosts: expected a mapping of host name to entry (as in hosts.yaml)"])
    unknown = sorted(set(raw) - {"hosts", "comment"})
    if unknown:
        raise ValidationError([f"{path}: {k}: unknown key (expected hosts, comment)" for k in unknown])
    comment = raw.get("comment")
    return {str(k): v for k, v in raw["hosts"].items()}, (str(comment) if comment else None)


def entry_from_flags(*, address: str | None, platform: str | None, groups: list[str], site: str | None,
                     agency: str | None, role: str | None, level: int | None, owner: str | None,
                     tslcd: list[str], internet: list[str], prefixes: list[str], tags: list[str]) -> dict[str, Any]:
    """A hosts.yaml entry from command-line flags, keys in the sample's order."""
    entry: dict[str, Any] = {}
    if address is not None:
        entry["hostname"] = address
    if platform is not None:
        entry["platform"] = platform
    if groups:
        entry["groups"] = list(groups)
    data: dict[str, Any] = {}
    for key, value in (("site", site), ("agency", agency), ("role", role), ("level", level), ("owner", owner)):
        if value is not None:
            data[key] = value
    data["uplinks"] = {"tslcd": list(tslcd), "internet": list(internet)}
    if prefixes:
        data["allocated_prefixes"] = list(prefixes)
    if tags:
        data["tags"] = list(tags)
    entry["data"] = data
    return entry


# --- validation --------------------------------------------------------------------------------

def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _load_rt(path: Path) -> CommentedMap:
    try:
        doc = _yaml().load(path.read_text(encoding="utf-8"))
    except Exception as exc:
        raise AuditorError(f"cannot read for a round-trip edit: {exc}", source=str(path)) from exc
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, CommentedMap):
        raise AuditorError("expected a mapping of hosts at the top level", source=str(path))
    return doc


def _scratch_inventory(directory: Path, hosts_text: str, tmp: Path) -> Path:
    scratch = tmp / "inventory"
    scratch.mkdir()
    (scratch / "hosts.yaml").write_text(hosts_text, encoding="utf-8")
    for name in ("groups.yaml", "defaults.yaml"):
        if (directory / name).exists():
            shutil.copy(directory / name, scratch / name)
    return scratch


def _load_candidate(directory: Path, hosts_text: str) -> tuple[Inventory | None, list[str]]:
    """Load the would-be inventory; problems name the real hosts.yaml, not the scratch copy."""
    with tempfile.TemporaryDirectory(prefix="auditor-site-") as tmp:
        scratch = _scratch_inventory(directory, hosts_text, Path(tmp))
        try:
            return load_inventory(scratch), []
        except InventoryError as exc:
            real = str(directory / "hosts.yaml")
            return None, [p.replace(str(scratch / "hosts.yaml"), real).replace(str(scratch), str(directory))
                          for p in exc.problems]


def _inherited(directory: Path, entry: Mapping[str, Any], key: str) -> Any:
    """The value of data `key` the host would get from its groups (in order) or defaults."""
    groups = load_yaml(directory / "groups.yaml") if (directory / "groups.yaml").exists() else {}
    defaults = load_yaml(directory / "defaults.yaml") if (directory / "defaults.yaml").exists() else {}
    for g in entry.get("groups") or ():
        data = ((groups or {}).get(g) or {}).get("data") or {}
        if key in data:
            return data[key]
    return ((defaults or {}).get("data") or {}).get(key)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _effective(directory: Path, entry: Mapping[str, Any], key: str) -> Any:
    raw = entry.get("data")
    data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    return data[key] if key in data else _inherited(directory, entry, key)


def _networks(values: Any) -> list[Any]:
    out = []
    for v in values if isinstance(values, list | tuple) else ():
        try:
            out.append(ipaddress.ip_network(str(v), strict=False))
        except ValueError:
            continue  # the schema reports it
    return out


def validate_new(directory: Path, existing: Inventory, new: Mapping[str, Any], text: str) -> list[str]:
    """Every problem of adding `new` to the inventory in `directory`.

    The whole-inventory checks work on the new entries' own data plus what their groups/defaults
    give, so they are reported even when a schema problem stops the candidate inventory loading.
    """
    hosts_file = directory / "hosts.yaml"
    problems: list[str] = []
    names = {short_hostname(n): n for n in existing.hosts}
    addresses = {str(h.get("management_address")): h.name for h in existing.hosts.values()
                 if h.get("management_address")}
    pairs = [(str(h.get("site")), str(p)) for h in existing.hosts.values() for p in h.get("allocated_prefixes") or ()]
    new_sites: dict[str, list[str]] = {}
    for name, entry in new.items():
        where = f"{hosts_file}: host {name}"
        if short_hostname(name) in names:
            problems.append(f"{where}: name: duplicate host name (already in the inventory as "
                            f"{names[short_hostname(name)]})")
            continue
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping, found {type(entry).__name__}")
            continue
        names.setdefault(short_hostname(name), name)
        raw = entry.get("data")
        data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        for key in INHERITED_CONSISTENT:
            if key in data:
                inherited = _inherited(directory, entry, key)
                if inherited is not None and _plain(data[key]) != _plain(inherited):
                    problems.append(f"{where}: {key}: {_plain(data[key])} differs from the groups/defaults "
                                    f"({_plain(inherited)}); leave it out to inherit")
        addr = str(entry.get("hostname") or "")
        ip = None
        if not addr:
            problems.append(f"{where}: hostname: missing (the management address)")
        else:
            try:
                ip = ipaddress.ip_address(addr)
            except ValueError:
                problems.append(f"{where}: hostname: {addr!r} is not an IP address (the management address)")
            if addr in addresses:
                problems.append(f"{where}: hostname: management address {addr} already used by {addresses[addr]}")
            else:
                addresses[addr] = name
        prefixes = _networks(_effective(directory, entry, "allocated_prefixes"))
        if not _effective(directory, entry, "allocated_prefixes"):
            problems.append(f"{where}: allocated_prefixes: missing (the site's address block)")
        elif ip is not None and prefixes and not any(ip in p for p in prefixes):
            problems.append(f"{where}: hostname: management address {addr} is outside the site's "
                            f"allocated_prefixes ({', '.join(map(str, prefixes))})")
        site = str(_effective(directory, entry, "site"))
        new_sites.setdefault(site, []).append(name)
        pairs += [(site, str(p)) for p in prefixes]
        role = _effective(directory, entry, "role")
        uplinks = _effective(directory, entry, "uplinks")
        uplinks = uplinks if isinstance(uplinks, Mapping) else {}
        if role in NEEDS_TSLCD:
            if not uplinks.get("tslcd"):
                problems.append(f"{where}: uplinks.tslcd: a {role} needs its TSLCD uplink interface name(s)")
            if "internet" not in uplinks:
                problems.append(f"{where}: uplinks.internet: missing (an empty list [] when there is no "
                                "Internet uplink)")
    for s1, p1, s2, p2 in overlapping(sorted(set(pairs))):
        if s1 in new_sites or s2 in new_sites:
            mine, theirs = ((s1, p1), (s2, p2)) if s1 in new_sites else ((s2, p2), (s1, p1))
            problems.append(f"{hosts_file}: host {', '.join(new_sites[mine[0]])}: allocated_prefixes: {mine[1]} "
                            f"of site {mine[0]} overlaps {theirs[1]} of site {theirs[0]}")
    # schema, groups, platform and every other rule of `auditor validate`, on the would-be file
    # (without the entries whose name is taken: they would only repeat that problem)
    taken = {short_hostname(e) for e in existing.hosts}
    rest = {n: e for n, e in new.items() if short_hostname(n) not in taken}
    if rest:
        _, load_problems = _load_candidate(directory, _append(text, render_entries(rest)))
        problems.extend(p for p in load_problems if p not in problems)
    return problems


# --- writing -----------------------------------------------------------------------------------

def _styled(value: Any, depth: int) -> Any:
    """ruamel nodes in the sample's style: lists (and mappings below data) in flow style."""
    if isinstance(value, Mapping):
        m = CommentedMap((str(k), _styled(v, depth + 1)) for k, v in value.items())
        if depth >= 3:
            m.fa.set_flow_style()
        return m
    if isinstance(value, list | tuple):
        s = CommentedSeq(_styled(v, depth + 1) for v in value)
        s.fa.set_flow_style()
        return s
    if isinstance(value, str) and (" " in value or not value.isascii()):
        return DoubleQuotedScalarString(value)  # the sample quotes names and free text
    return value


def render_entries(new: Mapping[str, Any], comment: str | None = None) -> str:
    """The YAML text of the new entries, to append to hosts.yaml."""
    buf = io.StringIO()
    _yaml().dump(CommentedMap((n, _styled(e, 1)) for n, e in new.items()), buf)
    text = re.sub(r"\n(?=[^\s#])", "\n\n", buf.getvalue().rstrip("\n")) + "\n"  # a blank line between hosts
    if comment:  # as the sample does: an end-of-line comment on the (first) host's key
        first, _, rest = text.partition("\n")
        text = f"{first}  # {' '.join(comment.split())}\n{rest}"
    return text


def _append(text: str, block: str) -> str:
    if text and not text.endswith("\n"):
        text += "\n"
    return text + ("\n" if text.strip() else "") + block


def _cut(text: str, doc: CommentedMap, names: list[str]) -> str:
    """Remove the lines of the top-level entries `names`, keeping full-line comments between entries."""
    lines = text.splitlines(keepends=True)
    keys = list(doc)
    starts = {k: doc.lc.key(k)[0] for k in keys}
    drop: set[int] = set()
    for name in names:
        i = keys.index(name)
        start = starts[name]
        end = starts[keys[i + 1]] if i + 1 < len(keys) else len(lines)
        last = start
        for n in range(start + 1, end):  # the entry's body: indented lines (and blank lines inside)
            if lines[n][:1] in (" ", "\t") and lines[n].strip():
                last = n
            elif (lines[n].strip() and not lines[n].lstrip().startswith("#")) or lines[n].startswith("#"):
                break  # the next top-level content, or a full-line comment heading what follows
        drop.update(range(start, last + 1))
    kept = [line for n, line in enumerate(lines) if n not in drop]
    out = re.sub(r"\n{3,}", "\n\n", "".join(kept))
    return out.rstrip("\n") + "\n" if text.endswith("\n") else out


def _check_written(text: str, expected: Mapping[str, Any], path: Path) -> None:
    import yaml

    try:
        got = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise AuditorError(f"internal error: the edited file would not parse ({exc}); nothing written",
                           source=str(path)) from exc
    if _plain(got) != _plain(expected):
        raise AuditorError("internal error: the edited file would not hold the intended hosts; nothing written",
                           source=str(path))


def atomic_write(path: Path, text: str) -> Path | None:
    """Replace `path` atomically with `text`, after copying it to `path.bak-<timestamp>`."""
    backup = None
    if path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        backup = path.with_name(f"{path.name}.bak-{stamp}")
        shutil.copy2(path, backup)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return backup


def add_hosts(directory: Path, new: Mapping[str, Any], comment: str | None = None, dry_run: bool = False) -> Change:
    """Validate `new` (host name -> hosts.yaml entry) and append it; ValidationError lists every problem."""
    hosts_file = directory / "hosts.yaml"
    existing = load_inventory(directory)
    text = hosts_file.read_text(encoding="utf-8")
    doc = _load_rt(hosts_file)
    new = {str(k): v for k, v in new.items()}
    candidate_text = _append(text, render_entries(new, comment)) if new else text
    problems = validate_new(directory, existing, new, text)
    if problems:
        raise ValidationError(problems)
    expected = {**_plain(doc), **_plain(new)}
    _check_written(candidate_text, expected, hosts_file)
    backup = None if dry_run else atomic_write(hosts_file, candidate_text)
    return Change(hosts_file, backup, tuple(new))


def remove_hosts(directory: Path, site: str | None, hosts: list[str], dry_run: bool = False) -> Change:
    """Remove every host of `site` (or the named hosts) from hosts.yaml; the rest must stay valid."""
    hosts_file = directory / "hosts.yaml"
    existing = load_inventory(directory)
    doc = _load_rt(hosts_file)
    problems: list[str] = []
    names: list[str] = []
    if site is not None:
        names = [n for n, h in existing.hosts.items() if str(h.get("site")).lower() == site.lower()]
        if not names:
            problems.append(f"{hosts_file}: site: no host of site {site!r}")
    for h in hosts:
        if h not in doc:
            problems.append(f"{hosts_file}: host {h}: name: not in the inventory")
        elif h not in names:
            names.append(h)
    if not problems and len(names) == len(doc):
        problems.append(f"{hosts_file}: removing {', '.join(names)} would leave no host")
    if problems:
        raise ValidationError(problems)
    text = hosts_file.read_text(encoding="utf-8")
    candidate_text = _cut(text, doc, names)
    _, load_problems = _load_candidate(directory, candidate_text)
    if load_problems:
        raise ValidationError(load_problems)
    _check_written(candidate_text, {k: v for k, v in _plain(doc).items() if k not in names}, hosts_file)
    backup = None if dry_run else atomic_write(hosts_file, candidate_text)
    return Change(hosts_file, backup, tuple(names))
