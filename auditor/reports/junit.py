"""JUnit XML for CI pipelines: a testsuite per host, a testcase per control."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..catalogue import Catalogue
from ..models import AuditRun, Finding, Status
from .labels import Translator


def _details(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{f.rule}: {f.message}")
        lines.extend(f"  line {e.line}: {e.text}" for e in f.evidence)
        if f.remediation:
            lines.append(f"  fix: {f.remediation}")
    return "\n".join(lines)


def render(run: AuditRun, catalogue: Catalogue, lang: str) -> str:
    title = Translator(lang).titles(catalogue)
    root = ET.Element("testsuites", name=f"auditor {run.run.id}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in run.hosts:
        suite = ET.SubElement(root, "testsuite", name=r.host.name, timestamp=run.run.started[:19],
                              hostname=str(r.host.get("management_address") or r.host.name))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        props = ET.SubElement(suite, "properties")
        for key in ("platform", "site", "agency", "district", "tier", "role", "owner"):
            value = r.host.platform if key == "platform" else r.host.get(key)
            if value is not None:
                ET.SubElement(props, "property", name=key, value=str(value))
        for v in r.controls:
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", name=f"{v.control} {title(v.control)}",
                                 classname=f"{r.host.name}.{v.control}", time="0")
            findings = [f for f in r.findings if f.control == v.control and f.status == v.status]
            if v.status == Status.FAIL:
                counts["failures"] += 1
                el = ET.SubElement(case, "failure", type=v.severity.value,
                                   message="; ".join(f.message for f in findings) or v.reason)
                el.text = _details(findings)
            elif v.status == Status.ERROR:
                counts["errors"] += 1
                el = ET.SubElement(case, "error", type="error",
                                   message="; ".join(f.message for f in findings) or v.reason or (r.error or ""))
                el.text = _details(findings)
            elif v.status in (Status.NOT_APPLICABLE, Status.WAIVED):
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=v.reason or v.status.value)
        for k, n in counts.items():
            suite.set(k, str(n))
            totals[k] += n
        suite.set("time", f"{r.seconds:.3f}")
    for k in ("tests", "failures", "errors"):
        root.set(k, str(totals[k]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
