"""What a check may look at: the parsed config, the host, the platform and the policy's objects.

`CheckContext` is made once per host and evaluation; it derives what several checks share (the
interfaces and their roles, the objects the config defines, host networks) once. `Container` is
the set of lines one assertion looks at: the whole config or one section's body.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from .addresses import Span, network, network_span
from .config import ConfigLine, ConfigTree, Hits, PatternTable, Rx, find_in
from .models import Evidence, HostInfo, Outcome

if TYPE_CHECKING:
    from .platforms.base import Platform

CheckFn = Callable[["CheckContext", Mapping[str, Any]], Outcome]

INTERFACE_ROLES = ("tslcd", "internet")


@dataclass(frozen=True)
class ObjectKind:
    """A kind of named object (ACL, route-map...): how it is defined and how it is referenced."""

    name: str
    defs: tuple[Rx, ...]  # patterns with a `name` group, matched at any depth
    refs: tuple[Rx, ...] = ()  # patterns with a `name` group, matched at any depth
    builtin: frozenset[str] = frozenset()


class ObjectTable(dict[str, ObjectKind]):
    """The object kinds of a platform's policy, with their patterns precompiled into pass tables."""

    def __init__(self, kinds: Mapping[str, ObjectKind]) -> None:
        super().__init__(kinds)
        self.defs = PatternTable((k.name, rx) for k in kinds.values() for rx in k.defs)

    def refs(self, kinds: Iterable[str]) -> PatternTable:
        return PatternTable((k, rx) for k in kinds for rx in self[k].refs)


class Interface(NamedTuple):
    """An interface section with its role on the dedicated network."""

    line: ConfigLine
    name: str
    roles: frozenset[str]
    shutdown: bool
    physical: bool
    description: str


class CheckContext:
    """What a check may look at: the parsed config, the host, the platform and the policy's objects."""

    def __init__(
        self,
        tree: ConfigTree,
        host: HostInfo,
        platform: Platform,
        objects: ObjectTable,
    ) -> None:
        self.tree = tree
        self.host = host
        self.platform = platform
        self.objects = objects
        self._defined: dict[str, frozenset[str]] = {}
        self._networks: dict[str, list[ipaddress.IPv4Network | ipaddress.IPv6Network]] = {}
        self._memo: dict[str, Any] = {}
        self._by_role: dict[str, tuple[Interface, ...]] = {}
        self._evidence: dict[int, tuple[ConfigLine, Evidence]] = {}
        self._spans: dict[str, list[Span]] = {}
        self.role: str | None = host.get("role")
        self.level: int | None = host.get("level")

    @property
    def top(self) -> Container:
        """The whole config, top-level statements (made on demand: a context holding its own
        containers would be a reference cycle, kept alive until the garbage collector runs)."""
        return Container(self, None)

    @property
    def everywhere(self) -> Container:
        """The whole config, statements at any depth."""
        return Container(self, None, anywhere=True)

    def memo(self, key: str, factory: Callable[[], Any]) -> Any:
        """A value derived from this config, computed once per host (e.g. a BGP neighbour model)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = factory()
            return value

    def evidence(self, line: ConfigLine) -> Evidence:
        """Evidence for a line, with its secrets redacted by the platform (once per line and host)."""
        found = self._evidence.get(id(line))  # the entry holds the line: its id stays its own
        if found is None:
            found = self._evidence[id(line)] = (line, Evidence(line.number, self.platform.redact(line.text)))
        return found[1]

    def defined(self, kind: str) -> frozenset[str]:
        """Names of the objects of `kind` that the config defines (built-ins included)."""
        if not self._defined:
            found: dict[str, set[str]] = {k: set(obj.builtin) for k, obj in self.objects.items()}
            for tag, _, m in self.objects.defs.scan_tree(self.tree):
                found[tag].add(m.group("name"))
            self._defined = {k: frozenset(v) for k, v in found.items()}
        return self._defined[kind]

    @cached_property
    def interfaces(self) -> tuple[Interface, ...]:
        syntax = self.platform.interfaces
        desc, shut, physical = syntax.description_rx, syntax.shutdown_rx, syntax.is_physical
        desc_prefix, desc_match, desc_text = desc.prefix, desc.regex.match, "text" in desc.regex.groupindex
        shut_prefix, shut_match = shut.prefix, shut.regex.match
        uplinks = self.host.get("uplinks")
        by_name: dict[str, set[str]] = {}
        if uplinks is not None:
            for role in INTERFACE_ROLES:
                for name in uplinks.get(role) or ():
                    by_name.setdefault(self.platform.canonical_ifname(str(name)), set()).add(role)
        out = []
        for line, m in self._interface_sections(syntax.section_rx, syntax.container_rx):
            name = m.group("name")
            # one pass over the body: the first description line, and whether it is shut down
            text: str | None = None
            down = False
            for child in line.children:
                t = child.text
                if text is None and t.startswith(desc_prefix) and (d := desc_match(t)) is not None:
                    text = d.group("text") if desc_text else t.partition(" ")[2]
                elif not down and t.startswith(shut_prefix) and shut_match(t) is not None:
                    down = True
            text = text or ""
            if uplinks is not None:
                roles = frozenset(by_name.get(self.platform.canonical_ifname(name), ()))
            else:
                first = text.split(None, 1)[0] if text else ""
                roles = _ROLE_OF.get(first, _NO_ROLE)
            out.append(Interface(line, name, roles, down, physical(name), text))
        return tuple(out)

    def _interface_sections(self, header: Rx, container: Rx | None) -> Iterator[tuple[ConfigLine, re.Match[str]]]:
        """Interface sections: top-level, or entries of a container table (FortiOS `config system interface`)."""
        if container is None:
            yield from self.tree.sections(header)
            return
        for table, _ in self.tree.sections(container):
            for child in table.children:
                m = header.match(child.text)
                if m is not None:
                    yield child, m

    def interfaces_with(self, role: str) -> tuple[Interface, ...]:
        """Interfaces of a role: tslcd, internet, external (either), physical or all."""
        found = self._by_role.get(role)
        if found is None:
            every = self.interfaces
            if role == "all":
                found = every
            elif role == "physical":
                found = tuple(i for i in every if i.physical)
            elif role == "external":
                found = tuple(i for i in every if i.roles)
            else:
                found = tuple(i for i in every if role in i.roles)
            self._by_role[role] = found
        return found

    def networks(self, path: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """Host data addresses or prefixes at `path` as networks (parsed once per host)."""
        nets = self._networks.get(path)
        if nets is None:
            nets = self._networks[path] = [n for v in self.host_value(path) or () if (n := network(str(v)))]
        return nets

    def spans(self, path: str) -> list[Span]:
        """networks(path) as integer ranges."""
        found = self._spans.get(path)
        if found is None:
            found = self._spans[path] = [sp for v in self.host_texts(path) if (sp := network_span(v))]
        return found

    def host_texts(self, path: str) -> tuple[str, ...]:
        """The host data list at `path` as texts (empty when absent)."""
        return tuple(str(v) for v in self.host_value(path) or ())

    def host_value(self, path: str) -> Any:
        """A host data value by dotted path (`designated_servers.ntp`), None when absent."""
        value: Any = self.host.data
        for part in path.split("."):
            if not (type(value) is dict or isinstance(value, Mapping)):  # the ABC check is slow: dicts first
                return None
            value = value.get(part)
        return value


# interface roles from the first word of a description, when the inventory lists no uplinks
_ROLE_OF = {"TSLCD": frozenset({"tslcd"}), "INTERNET": frozenset({"internet"})}
_NO_ROLE: frozenset[str] = frozenset()


# ---------------------------------------------------------------- where a check looks

class Container:
    """The lines an assertion looks at: the whole config, or one section's body."""

    __slots__ = ("anywhere", "ctx", "section", "tree")

    def __init__(self, ctx: CheckContext, section: ConfigLine | None, anywhere: bool = False) -> None:
        self.ctx = ctx
        self.tree = ctx.tree
        self.section = section
        self.anywhere = anywhere

    def find(self, rx: Rx) -> Hits:
        if self.section is None:
            return self.tree.find(rx, anywhere=self.anywhere)
        return find_in(self.section.descendants(), rx)

    def has(self, rx: Rx) -> bool:
        if self.section is None:
            return self.tree.first(rx, anywhere=self.anywhere) is not None
        if rx.exact is not None:
            return rx.exact in self.section.texts()
        needle = rx.needle
        if rx.anchored:
            prefix, match = rx.prefix, rx.regex.match
            for line in self.section.descendants():
                text = line.text
                if text.startswith(prefix) and needle in text and match(text):
                    return True
            return False
        search = rx.regex.search
        return any(needle in line.text and search(line.text) for line in self.section.descendants())
