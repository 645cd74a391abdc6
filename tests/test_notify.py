"""Notifications: email to a local SMTP server (aiosmtpd, STARTTLS / TLS, AUTH), webhooks to a local HTTPS
server with a test certificate; content, signature, send rules, and delivery failures that never fail the audit."""

from __future__ import annotations

import datetime as dt
import email
import email.message
import email.policy
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import ROOT
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from auditor.cli import main
from auditor.store import Store

SNAPSHOTS = ROOT / "inventory" / "snapshots"
HOST = "dbn-so-xd-rtr01"  # fails critical controls
SMTP_PASSWORD = "s3cret-smtp-pw"
HOOK_SECRET = "hook-shared-secret"


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("cert")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    crt = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
           .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
           .not_valid_after(now + dt.timedelta(days=7))
           .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                       x509.DNSName("localhost")]), critical=False)
           .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
           .sign(key, hashes.SHA256()))
    cert_file, key_file = d / "cert.pem", d / "key.pem"
    cert_file.write_bytes(crt.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def _server_ctx(cert: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    return ctx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode("utf-8")))
        return "250 OK"

    def auth(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == b"mailer" and data.password == SMTP_PASSWORD.encode()
        if ok:
            self.logins.append(mechanism)
        return AuthResult(success=ok)


@pytest.fixture(params=["starttls", "tls"])
def smtp(request: pytest.FixtureRequest, cert: tuple[Path, Path]) -> Iterator[tuple[Mailbox, int, str]]:
    box = Mailbox()
    port = _free_port()
    kw: dict[str, Any] = {"hostname": "127.0.0.1", "port": port, "authenticator": box.auth, "auth_required": True}
    if request.param == "starttls":
        kw.update(tls_context=_server_ctx(cert), require_starttls=True)
    else:
        # implicit TLS: aiosmtpd does not count it as TLS for AUTH advertisement, the socket is TLS anyway
        kw.update(ssl_context=_server_ctx(cert), auth_require_tls=False)
    controller = Controller(box, **kw)
    controller.start()
    try:
        yield box, port, request.param
    finally:
        controller.stop()


class Hooks:
    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []


@pytest.fixture
def webhook(cert: tuple[Path, Path]) -> Iterator[tuple[Hooks, str]]:
    hooks = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hooks.received.append((dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_a: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = _server_ctx(cert).wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hooks, f"https://127.0.0.1:{server.server_address[1]}/hook?token=abc"
    finally:
        server.shutdown()
        server.server_close()


def _files(tmp_path: Path, notifications: dict[str, Any]) -> tuple[Path, Path]:
    creds = tmp_path / "credentials.yaml"
    creds.write_text(yaml.safe_dump({"smtp": {"username": "mailer", "password": SMTP_PASSWORD},
                                     "webhook": {"secret": HOOK_SECRET}}))
    creds.chmod(0o600)
    config = tmp_path / "auditor.yaml"
    config.write_text(yaml.safe_dump({"inventory": str(ROOT / "inventory"), "policies": str(ROOT / "policies"),
                                      "database": str(tmp_path / "h.db"), "credentials": str(creds),
                                      "no_progress": True, "log_file": str(tmp_path / "audit.log"),
                                      "notifications": notifications}))
    return config, creds


def _audit(config: Path, tmp_path: Path, *extra: str, snapshots: Path = SNAPSHOTS) -> int:
    return main(["audit", "--config", str(config), "--from-dir", str(snapshots), "--host", HOST,
                 "--output", str(tmp_path / "out"), "--format", "json,html", *extra])


def test_email_over_starttls_and_tls_with_auth(smtp: tuple[Mailbox, int, str], cert: tuple[Path, Path],
                                               tmp_path: Path) -> None:
    box, port, security = smtp
    config, _ = _files(tmp_path, {"email": [{
        "host": "127.0.0.1", "port": port, "security": security, "ca_file": str(cert[0]), "from": "auditor@so.gov.vn",
        "to": ["attt@dienbien.gov.vn", "it@dienbien.gov.vn"], "send": "always", "retries": 0}]})
    assert _audit(config, tmp_path, "--areas", "management,snmp") == 1
    assert len(box.messages) == 1 and box.logins
    mail_from, rcpt, raw = box.messages[0]
    assert mail_from == "auditor@so.gov.vn" and rcpt == ["attt@dienbien.gov.vn", "it@dienbien.gov.vn"]
    msg = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    assert msg["Subject"].startswith("[auditor] ad-hoc audit") and "2 critical failing" in msg["Subject"]
    content = msg.get_content()
    assert "Theme: areas=management,snmp" in content
    assert f"[critical] {HOST}  MGMT-01" in content
    assert str((tmp_path / "out" / "report.html").resolve()) in content
    assert "Compared with run: (none" in content
    # never a secret or a config line
    assert SMTP_PASSWORD not in content and HOOK_SECRET not in content
    cfg = (SNAPSHOTS / f"{HOST}.cfg").read_text()
    assert not [ln for ln in cfg.splitlines() if len(ln.strip()) > 12 and ln.strip() in content]
    log = (tmp_path / "audit.log").read_text()
    assert "event=notify" in log and "outcome=sent" in log and "token=abc" not in log


def test_webhook_signature_and_send_rules(webhook: tuple[Hooks, str], cert: tuple[Path, Path], tmp_path: Path) -> None:
    hooks, url = webhook
    rules = ["always", "on-new-failures", "on-critical", "on-errors"]
    config, _ = _files(tmp_path, {"webhook": [{"url": url, "ca_file": str(cert[0]), "send": rule, "retries": 0}
                                              for rule in rules]})
    assert _audit(config, tmp_path) == 1
    # first run of this scope: everything failing is new; critical failures; no host unreachable
    assert len(hooks.received) == 3
    for headers, body in hooks.received:
        expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Auditor-Signature"] == expected
        assert headers["Content-Type"].startswith("application/json")
    data = json.loads(hooks.received[0][1])
    assert data["compared_with"] is None and data["unreachable"] == []
    assert {"host": HOST, "control": "MGMT-01", "severity": "critical"}.items() <= data["new_failures"][0].items()
    assert all(f["severity"] in ("critical", "high") for f in data["new_failures"])
    assert data["summary"]["hosts"] == 1 and data["report"].endswith("report.html")
    first_run = data["run"]

    hooks.received.clear()
    assert _audit(config, tmp_path) == 1  # same scope, same failures: nothing new
    sent = [json.loads(b) for _h, b in hooks.received]
    assert len(sent) == 2 and all(d["new_failures"] == [] and d["compared_with"] == first_run for d in sent)

    hooks.received.clear()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _audit(config, tmp_path, snapshots=empty) == 3  # host not audited: on-errors fires
    sent = [json.loads(b) for _h, b in hooks.received]
    assert len(sent) == 2 and sent[0]["unreachable"][0]["host"] == HOST


def test_undeliverable_notifications_never_lose_the_audit(tmp_path: Path, webhook: tuple[Hooks, str]) -> None:
    hooks, url = webhook
    closed = _free_port()
    config, _ = _files(tmp_path, {
        "email": [{"host": "127.0.0.1", "port": closed, "from": "a@b.vn", "to": ["c@d.vn"], "send": "always",
                   "retries": 2, "backoff": 0}],
        # no ca_file: the test certificate is not trusted, the webhook is refused by verification
        "webhook": [{"url": url, "send": "always", "retries": 1, "backoff": 0}]})
    assert _audit(config, tmp_path) == 1
    assert hooks.received == []
    assert (tmp_path / "out" / "report.json").exists()
    with Store(str(tmp_path / "h.db")) as store:
        runs = store.runs()
    assert len(runs) == 1 and runs[0][0].completed and runs[0][0].exit_code == 1
    log = (tmp_path / "audit.log").read_text().splitlines()
    failed = [ln for ln in log if "event=notify" in ln and "outcome=failed" in ln]
    retrying = [ln for ln in log if "outcome=retrying" in ln]
    assert len(failed) == 2 and len(retrying) == 3  # email 3 attempts, webhook 2
    assert any("CERTIFICATE_VERIFY_FAILED" in ln for ln in failed)
    assert [ln for ln in log if "event=run" in ln]
