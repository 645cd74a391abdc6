"""Shared fixtures: paths, the catalogue, the shipped policy, and a small inventory builder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.catalogue import Catalogue, load_catalogue
from auditor.policy import Policy, load_policy

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def policy(catalogue: Catalogue) -> Policy:
    return load_policy(ROOT / "policies", catalogue)


def write_inventory(directory: Path, hosts: dict[str, Any], groups: dict[str, Any] | None = None,
                    defaults: dict[str, Any] | None = None) -> Path:
    """Write a SimpleInventory to `directory` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "hosts.yaml").write_text(yaml.safe_dump(hosts, allow_unicode=True), encoding="utf-8")
    (directory / "groups.yaml").write_text(yaml.safe_dump(groups or {}, allow_unicode=True), encoding="utf-8")
    (directory / "defaults.yaml").write_text(
        yaml.safe_dump(defaults if defaults is not None else {"platform": "cisco_ios"}, allow_unicode=True),
        encoding="utf-8",
    )
    return directory


def host(site: str, address: str, **data: Any) -> dict[str, Any]:
    """A valid host entry; keyword arguments override its data."""
    base: dict[str, Any] = {"site": site, "agency": f"Đơn vị {site}", "tier": "commune", "role": "wan-edge",
                            "level": 3}
    base.update(data)
    return {"hostname": address, "data": base}


# --- history store: SQLite always, PostgreSQL when a server can be started -----------------------

def pytest_configure(config: pytest.Config) -> None:
    """Module- and session-scoped fixtures that audit must not touch the user's default database either."""
    import os
    import tempfile

    os.environ["AUDITOR_DB"] = str(Path(tempfile.mkdtemp(prefix="auditor-test-db-")) / "history.db")


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's audits go to its own SQLite history file, never to the user's default."""
    path = tmp_path / "history.db"
    monkeypatch.setenv("AUDITOR_DB", str(path))
    return path


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str | None]:
    """URL of a PostgreSQL server: $AUDITOR_TEST_PG_URL, else a throwaway cluster started with the
    Debian binaries (as the `postgres` user when running as root). None when none can be started,
    except under CI=true, where that is a failure."""
    import glob
    import os
    import pwd
    import shutil
    import subprocess
    import tempfile

    url = os.environ.get("AUDITOR_TEST_PG_URL")
    if url:
        yield url
        return
    initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not initdbs:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL binaries not found under /usr/lib/postgresql (.ci/run installs them)")
        yield None
        return
    bindir = Path(initdbs[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="auditor-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = "postgres"
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            user, entry = "nobody", pwd.getpwnam("nobody")
        os.chown(base, entry.pw_uid, entry.pw_gid)
        prefix = ["runuser", "-u", user, "--"]
    data, port = base / "data", _free_port()
    try:
        subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "auditor", "--auth=trust",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60",
                        "-o", f"-h 127.0.0.1 -p {port} -k {base} -F", "start"],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(base, ignore_errors=True)
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot start PostgreSQL: {exc} {detail!r}")
        yield None
        return
    try:
        yield f"postgresql://auditor@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty history database on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
        return
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("no PostgreSQL server could be started (never skipped under CI=true)")
    import secrets

    import sqlalchemy as sa

    name = "t_" + secrets.token_hex(6)
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()
