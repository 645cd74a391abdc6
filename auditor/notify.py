"""Notifications after a run: email over SMTP and a signed JSON webhook, each with a send rule.

Targets come from the config file's `notifications:` (see settings.py). Rules: `always`,
`on-new-failures` (a failure not failing in the previous complete run of the same scope; with no
previous run, any failure), `on-critical` (a critical failure), `on-errors` (a host not audited).

The message holds the run's summary, the new critical/high failures, the hosts not audited and the
report's path: never a secret, a config line or evidence. Secrets (SMTP login, webhook HMAC key)
come from the credentials file (`smtp: {username, password}`, `webhook: {secret}`) or, for the
webhook, the environment variable named by `secret_env`. Webhook bodies are signed:
`X-Auditor-Signature: sha256=<hex HMAC-SHA256 of the body>`.

Delivery is retried (`retries`, exponential `backoff`) and then given up with a log line: a
notification never fails the audit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import ssl
import stat
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from .catalogue import Catalogue
from .logs import EventLog
from .models import AuditRun, Status
from .reports.summary import exit_code, summarize
from .yamlio import load_yaml

SIGNATURE_HEADER = "X-Auditor-Signature"
NOTIFY_SEVERITIES = ("critical", "high")


@dataclass
class Secrets:
    smtp_username: str | None = None
    smtp_password: str | None = None
    webhook_secret: str | None = None


def load_secrets(path: Path | None) -> Secrets:
    """The `smtp:` and `webhook:` entries of the credentials file (owner-only, like the device logins)."""
    if path is None or not path.exists():
        return Secrets()
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return Secrets()  # live.py refuses such a file for device logins; never use it for mail either
    raw = load_yaml(path) or {}
    smtp = raw.get("smtp") or {} if isinstance(raw, dict) else {}
    hook = raw.get("webhook") or {} if isinstance(raw, dict) else {}
    return Secrets(smtp.get("username"), smtp.get("password"), hook.get("secret"))


@dataclass
class Context:
    """What a notification is about."""

    run: AuditRun
    catalogue: Catalogue
    previous: Mapping[tuple[str, str], str] | None  # (host, control) -> status of the previous run, None if none
    previous_id: str | None = None
    report: Path | None = None
    schedule: str | None = None
    theme: Mapping[str, list[str]] = field(default_factory=dict)

    def failures(self) -> list[tuple[str, str, str]]:
        out = [(r.host.name, v.control, v.severity.value) for r in self.run.hosts if r.ok for v in r.controls
               if v.status == Status.FAIL]
        out += [(",".join(f.hosts) or "fleet", f.control, f.severity.value) for f in self.run.fleet
                if f.status == Status.FAIL]
        return out

    def new_failures(self) -> list[tuple[str, str, str]]:
        if self.previous is None:
            return self.failures()
        return [f for f in self.failures() if self.previous.get((f[0], f[1])) != "fail"]

    def unreachable(self) -> list[tuple[str, str]]:
        return [(r.host.name, r.error or "") for r in self.run.hosts if not r.ok]


def should_send(rule: str, ctx: Context) -> bool:
    if rule == "always":
        return True
    if rule == "on-new-failures":
        return bool(ctx.new_failures())
    if rule == "on-critical":
        return any(sev == "critical" for _h, _c, sev in ctx.failures())
    if rule == "on-errors":
        return bool(ctx.unreachable())
    raise ValueError(f"unknown send rule {rule!r}")


def payload(ctx: Context) -> dict[str, Any]:
    s = summarize(ctx.run)
    titles = {c.id: c.title for c in ctx.catalogue.controls}
    return {
        "run": ctx.run.run.id, "started": ctx.run.run.started, "finished": ctx.run.run.finished,
        "source": ctx.run.run.source, "schedule": ctx.schedule, "theme": dict(ctx.theme) or None,
        "exit_code": exit_code(ctx.run),
        "summary": {"hosts": s.hosts, "compliant_hosts": s.compliant_hosts, "not_audited": s.errors,
                    "score": round(s.score or 0.0, 1), "failures_by_severity": s.by_severity},
        "compared_with": ctx.previous_id,
        "new_failures": [{"host": h, "control": c, "severity": sev, "title": titles.get(c, "")}
                         for h, c, sev in ctx.new_failures() if sev in NOTIFY_SEVERITIES],
        "unreachable": [{"host": h, "error": e} for h, e in ctx.unreachable()],
        "report": str(ctx.report) if ctx.report else None,
    }


def subject(data: Mapping[str, Any], prefix: str = "[auditor]") -> str:
    what = f"schedule {data['schedule']}" if data.get("schedule") else "ad-hoc audit"
    sev = data["summary"]["failures_by_severity"]
    return (f"{prefix} {what} {data['run']}: score {data['summary']['score']} %, {len(data['new_failures'])} new "
            f"critical/high, {sev.get('critical', 0)} critical failing, {len(data['unreachable'])} not audited")


def text_body(data: Mapping[str, Any]) -> str:
    s = data["summary"]
    lines = [f"Run {data['run']} ({data['source']}), {data['started']} .. {data['finished']}, exit code {data['exit_code']}"]
    if data.get("schedule"):
        lines.append(f"Schedule: {data['schedule']}")
    if data.get("theme"):
        lines.append("Theme: " + "; ".join(f"{k}={','.join(v)}" for k, v in data["theme"].items()))
    lines.append(f"Hosts: {s['hosts']} ({s['compliant_hosts']} compliant, {s['not_audited']} not audited); "
                 f"score {s['score']} %")
    lines.append("Failures by severity: " + ", ".join(f"{k} {v}" for k, v in s["failures_by_severity"].items()))
    lines.append(f"Compared with run: {data['compared_with'] or '(none: first run of this scope)'}")
    lines.append("")
    lines.append(f"New critical/high failures ({len(data['new_failures'])}):")
    lines += [f"  [{f['severity']}] {f['host']}  {f['control']} {f['title']}" for f in data["new_failures"]] or ["  none"]
    lines.append("")
    lines.append(f"Hosts not audited ({len(data['unreachable'])}):")
    lines += [f"  {u['host']}: {u['error']}" for u in data["unreachable"]] or ["  none"]
    lines.append("")
    lines.append(f"Report: {data['report'] or '(not written to a file)'}")
    return "\n".join(lines) + "\n"


def _ssl_context(ca_file: str | None) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()


def send_email(target: Mapping[str, Any], data: Mapping[str, Any], secrets: Secrets) -> None:
    msg = EmailMessage()
    msg["Subject"] = subject(data, target.get("subject_prefix", "[auditor]"))
    msg["From"] = target["from"]
    msg["To"] = ", ".join(target["to"])
    msg.set_content(text_body(data))
    security = target.get("security", "starttls")
    port = target.get("port") or (465 if security == "tls" else 587)
    timeout = float(target.get("timeout", 15.0))
    ctx = _ssl_context(target.get("ca_file"))
    smtp: smtplib.SMTP
    if security == "tls":
        smtp = smtplib.SMTP_SSL(target["host"], port, timeout=timeout, context=ctx)
    else:
        smtp = smtplib.SMTP(target["host"], port, timeout=timeout)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=ctx)
            smtp.ehlo()
        if secrets.smtp_username and secrets.smtp_password:
            smtp.login(secrets.smtp_username, secrets.smtp_password)
        smtp.send_message(msg)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send_webhook(target: Mapping[str, Any], data: Mapping[str, Any], secrets: Secrets) -> None:
    url = str(target["url"])
    if not url.startswith("https://"):
        raise ValueError("webhook URL must be https://")
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "auditor"}
    secret = os.environ.get(target["secret_env"]) if target.get("secret_env") else None
    secret = secret or secrets.webhook_secret
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, body)
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - https only
    with urllib.request.urlopen(req, timeout=float(target.get("timeout", 15.0)),  # noqa: S310
                                context=_ssl_context(target.get("ca_file"))) as resp:
        if resp.status >= 300:
            raise OSError(f"HTTP {resp.status}")


SENDERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any], Secrets], None]] = {
    "email": send_email, "webhook": send_webhook}


def _target_name(kind: str, target: Mapping[str, Any]) -> str:
    if kind == "email":
        return f"smtp://{target['host']}:{target.get('port') or ''}"
    return str(target["url"]).split("?", 1)[0]  # never log a query string (may carry a token)


def notify(targets: Mapping[str, list[Mapping[str, Any]]], ctx: Context, secrets: Secrets, log: EventLog,
           sleep: Callable[[float], None] = time.sleep) -> dict[str, int]:
    """Send to every target whose rule matches; returns counts sent / skipped / failed. Never raises."""
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    data = payload(ctx)
    for kind, sender in SENDERS.items():
        for target in targets.get(kind) or []:
            name, rule = _target_name(kind, target), str(target.get("send", "on-new-failures"))
            if not should_send(rule, ctx):
                counts["skipped"] += 1
                log.event("notify", run=data["run"], target=name, kind=kind, rule=rule, outcome="skipped")
                continue
            retries, backoff = int(target.get("retries", 3)), float(target.get("backoff", 2.0))
            for attempt in range(retries + 1):
                try:
                    sender(target, data, secrets)
                except Exception as exc:  # any delivery problem: log, retry, give up; never fail the audit
                    last = attempt == retries
                    log.event("notify", "error" if last else "warning", run=data["run"], target=name, kind=kind,
                              outcome="failed" if last else "retrying", attempt=attempt + 1,
                              error=f"{type(exc).__name__}: {exc}")
                    if last:
                        counts["failed"] += 1
                    else:
                        sleep(backoff * (2 ** attempt))
                else:
                    counts["sent"] += 1
                    log.event("notify", run=data["run"], target=name, kind=kind, rule=rule, outcome="sent",
                              attempt=attempt + 1)
                    break
    return counts
