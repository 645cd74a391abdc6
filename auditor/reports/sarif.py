"""SARIF 2.1.0 for code-review tools over config repositories: a result per failing rule, located
in the audited config file (snapshot or file) at its evidence line; rule metadata from the catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..catalogue import Catalogue, Control
from ..models import AuditRun, Finding, HostResult, Status
from .labels import Translator

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "7.5", "medium": "5.0", "low": "2.0"}


def _uri(source: str) -> str:
    path = Path(source)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()


def _rule(control: Control, t: Translator, documents: dict[str, str]) -> dict[str, Any]:
    refs = [f"{kind} {ref}" for kind, values in control.refs.items() if kind != "VN" for ref in values]
    refs += [documents.get(ref, ref) for ref in control.refs.get("VN", ())]
    return {
        "id": control.id,
        "name": control.id.replace("-", ""),
        "shortDescription": {"text": t.control_title(control)},
        "fullDescription": {"text": control.intent or control.title},
        "help": {"text": "\n".join(refs) or control.title},
        "defaultConfiguration": {"level": LEVELS[control.severity.value]},
        "properties": {"area": control.area, "severity": control.severity.value,
                       "security-severity": SECURITY_SEVERITY[control.severity.value],
                       "tags": ["security", control.area], "references": refs},
    }


def _result(r: HostResult, f: Finding, index: dict[str, int]) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": _uri(r.source or f"{r.host.name}.cfg")}}}
    if f.evidence:
        first = f.evidence[0]
        location["physicalLocation"]["region"] = {"startLine": max(1, first.line), "snippet": {"text": first.text}}
    location["logicalLocations"] = [{"name": r.host.name, "kind": "module"}]
    text = f.message + (f" Fix: {f.remediation}" if f.remediation else "")
    result: dict[str, Any] = {
        "ruleId": f.control,
        "level": LEVELS[f.severity.value],
        "message": {"text": f"{r.host.name}: {text}"},
        "locations": [location],
        "properties": {"host": r.host.name, "rule": f.rule, "severity": f.severity.value},
    }
    if f.control in index:
        result["ruleIndex"] = index[f.control]
    return result


def report_dict(run: AuditRun, catalogue: Catalogue, lang: str) -> dict[str, Any]:
    t = Translator(lang)
    documents = dict(catalogue.documents)
    rules = [_rule(c, t, documents) for c in catalogue.controls]
    index = {c.id: i for i, c in enumerate(catalogue.controls)}
    results = [_result(r, f, index) for r in run.hosts if r.ok for f in r.findings if f.status == Status.FAIL]
    notifications = [{"level": "error", "message": {"text": f"{r.host.name}: {r.error}"}}
                     for r in run.hosts if not r.ok]
    invocation: dict[str, Any] = {"executionSuccessful": not notifications,
                                  "startTimeUtc": run.run.started, "endTimeUtc": run.run.finished}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "auditor", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "automationDetails": {"id": f"auditor/{run.run.id}"},
            "invocations": [invocation],
            "results": results,
            "properties": {"policy_version": run.run.policy_version, "source": run.run.source},
        }],
    }


def render(run: AuditRun, catalogue: Catalogue, lang: str) -> str:
    return json.dumps(report_dict(run, catalogue, lang), ensure_ascii=False, indent=1) + "\n"
