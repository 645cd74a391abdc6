"""The history store: every audit run, its per-host results, verdicts, findings and configs.

SQLAlchemy Core over SQLite (default: one file, WAL, busy timeout) or PostgreSQL
(`postgresql://...`). A run row is written first as incomplete; each host lands in its own
transaction as soon as it finishes; the run is marked complete at the end. A run killed half-way
therefore stays `completed = false` and every earlier run is untouched.

Config snapshots (already redacted) are stored once per distinct content: key sha256, zlib body.

Schema versioning: the `schema_version` table holds the version; MIGRATIONS lists, in order, the
function that brings a database from version N-1 to N. Each one runs in its own transaction
(transactional DDL on both SQLite and PostgreSQL) under a lock (SQLite `BEGIN IMMEDIATE`,
PostgreSQL advisory lock) so that two auditors opening a new database at once cannot race. This
is Alembic's model without its machinery (scripts directory, env.py, alembic.ini), which a tool
installed as one package and run from cron does not need; a migration is a plain function here.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from .errors import AuditorError
from .models import AuditRun, ControlVerdict, Evidence, Finding, FleetResult, HostInfo, HostResult, RunInfo, Severity, Status

ENV_DB = "AUDITOR_DB"
SCHEMA_VERSION = 1


def default_db_path() -> Path:
    """`$XDG_DATA_HOME/auditor/history.db`, i.e. `~/.local/share/auditor/history.db` by default."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    return Path(base) / "auditor" / "history.db"


def resolve_db(value: str | None) -> str:
    """The database: `--db` value, else $AUDITOR_DB, else the default file. A path or a URL."""
    return value or os.environ.get(ENV_DB) or str(default_db_path())


metadata = sa.MetaData()

schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))

runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("started", sa.String(40), nullable=False),
    sa.Column("finished", sa.String(40)),
    sa.Column("scope", sa.Text, nullable=False),  # canonical JSON of the filters
    sa.Column("policy_version", sa.String(80), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("host_key_verification", sa.String(40)),
    sa.Column("user", sa.String(200), nullable=False),
    sa.Column("exit_code", sa.Integer),
    sa.Column("completed", sa.Boolean, nullable=False, default=False),
    sa.Column("status", sa.String(20), nullable=False, default="running"),  # running | completed | interrupted
    sa.Column("hosts", sa.Integer),
    sa.Column("score", sa.Float),
    sa.Column("summary", sa.Text),  # JSON: summary figures, fleet verdicts, waivers
    sa.Column("pruned", sa.Boolean, nullable=False, default=False),
)
sa.Index("ix_runs_started", runs.c.started)

configs = sa.Table(
    "configs", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),  # zlib of the redacted UTF-8 text
)

host_results = sa.Table(
    "host_results", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("host", sa.String(200), nullable=False),
    sa.Column("platform", sa.String(40), nullable=False),
    sa.Column("site", sa.String(200)),
    sa.Column("agency", sa.String(400)),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("score", sa.Float),
    sa.Column("pass_weight", sa.Integer, nullable=False, default=0),
    sa.Column("total_weight", sa.Integer, nullable=False, default=0),
    sa.Column("lines", sa.Integer, nullable=False, default=0),
    sa.Column("seconds", sa.Float, nullable=False, default=0.0),
    sa.Column("data", sa.Text, nullable=False),  # JSON of the inventory data
    sa.Column("config_sha256", sa.String(64), sa.ForeignKey("configs.sha256")),
    sa.UniqueConstraint("run_id", "host", name="uq_host_results_run_host"),
)
sa.Index("ix_host_results_site", host_results.c.site)
sa.Index("ix_host_results_agency", host_results.c.agency)

verdicts = sa.Table(
    "verdicts", metadata,
    sa.Column("host_result_id", sa.Integer, sa.ForeignKey("host_results.id", ondelete="CASCADE"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),  # position in the host's verdicts
    sa.Column("control", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
)
sa.Index("ix_verdicts_host_result", verdicts.c.host_result_id)

findings = sa.Table(
    "findings", metadata,
    sa.Column("host_result_id", sa.Integer, sa.ForeignKey("host_results.id", ondelete="CASCADE"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("control", sa.String(40), nullable=False),
    sa.Column("rule", sa.String(80), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),  # JSON [[line, text], ...]
    sa.Column("remediation", sa.Text, nullable=False),
    sa.Column("expected", sa.Text, nullable=False),
    sa.Column("actual", sa.Text, nullable=False),
)
sa.Index("ix_findings_host_result", findings.c.host_result_id)


def _migrate_1(conn: Connection) -> None:
    for table in (runs, configs, host_results, verdicts, findings):
        table.create(conn, checkfirst=True)


# version N is reached by MIGRATIONS[N - 1]
MIGRATIONS: list[Callable[[Connection], None]] = [_migrate_1]
assert len(MIGRATIONS) == SCHEMA_VERSION

# Only failures and errors are kept as findings (as in the reports); passes live in the verdicts.
STORED_FINDINGS = (Status.FAIL, Status.ERROR, Status.WAIVED)


def _url(db: str) -> str:
    if "://" in db:
        if db.startswith("postgresql://") or db.startswith("postgres://"):
            return "postgresql+psycopg://" + db.split("://", 1)[1]
        return db
    path = Path(db).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():  # configs are redacted, but the history is still the network's map: owner only
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return f"sqlite:///{path}"


def create_db_engine(db: str) -> Engine:
    url = _url(db)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event below issue BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # Take the write lock up front: a deferred transaction that reads then writes can fail
            # with SQLITE_BUSY at once instead of waiting for the other writer.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    try:
        return sa.create_engine(url, pool_pre_ping=True)
    except (ImportError, sa.exc.ArgumentError) as exc:
        raise AuditorError(f"cannot use database {db!r}: {exc}") from exc


_WEIGHT: dict[str, int] = {sev.value: sev.weight for sev in Severity}  # StrEnum members hash as their value
_PASS, _COUNTED = Status.PASS, (Status.PASS, Status.FAIL, Status.ERROR)


def _weights(controls: Iterable[ControlVerdict]) -> tuple[int, int]:
    passed = total = 0
    for v in controls:
        if v.status in _COUNTED:
            w = _WEIGHT[v.severity]
            total += w
            if v.status is _PASS or v.status == _PASS:
                passed += w
    return passed, total


def config_key(text: str) -> tuple[str, bytes]:
    raw = text.encode("utf-8")
    return hashlib.sha256(raw).hexdigest(), zlib.compress(raw, 6)


def scope_json(scope: Mapping[str, Any]) -> str:
    return json.dumps({k: sorted(v) if isinstance(v, list | tuple) else v for k, v in sorted(scope.items()) if v},
                      sort_keys=True, ensure_ascii=False)


def who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


@dataclass(frozen=True)
class RunRow:
    id: str
    started: str
    finished: str | None
    scope: dict[str, Any]
    policy_version: str
    source: str
    host_key_verification: str | None
    user: str
    exit_code: int | None
    completed: bool
    status: str
    hosts: int | None
    score: float | None
    summary: dict[str, Any]
    pruned: bool


def _run_row(row: Any) -> RunRow:
    return RunRow(row.id, row.started, row.finished, json.loads(row.scope), row.policy_version, row.source,
                  row.host_key_verification, row.user, row.exit_code, bool(row.completed), row.status, row.hosts,
                  row.score, json.loads(row.summary) if row.summary else {}, bool(row.pruned))


class Store:
    """A history database. Thread-safe for writers: each write is one transaction under a lock."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.engine = create_db_engine(db)
        self.dialect = self.engine.dialect.name
        self._lock = threading.Lock()
        try:
            self.migrate()
        except sa.exc.OperationalError as exc:
            raise AuditorError(f"cannot open history database {db}: {exc.orig}") from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- schema ---------------------------------------------------------------------------------
    def version(self) -> int:
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                return 0
            return int(conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0)

    def migrate(self) -> None:
        if self.version() == SCHEMA_VERSION:
            return
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(725416)"))
            schema_version.create(conn, checkfirst=True)
            current = int(conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0)
            if current > SCHEMA_VERSION:
                raise AuditorError(f"{self.db}: schema version {current} is newer than this auditor ({SCHEMA_VERSION})")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[version - 1](conn)
                conn.execute(schema_version.delete())
                conn.execute(schema_version.insert().values(version=version))

    # --- writing --------------------------------------------------------------------------------
    def _insert_ignore(self, table: sa.Table) -> Any:
        ins = postgresql.insert(table) if self.dialect == "postgresql" else sqlite.insert(table)
        return ins.on_conflict_do_nothing()

    def begin_run(self, info: RunInfo, scope: Mapping[str, Any], user: str | None = None) -> RunRecorder:
        with self._lock, self.engine.begin() as conn:
            conn.execute(runs.insert().values(
                id=info.id, started=info.started, finished=None, scope=scope_json(scope),
                policy_version=info.policy_version, source=info.source,
                host_key_verification=info.host_key_verification, user=user or who(), exit_code=None,
                completed=False, status="running", pruned=False))
        return RunRecorder(self, info.id)

    def _statements(self) -> dict[str, Any]:
        """Statements built once: the per-host write is the hot path of a 10,000-host run."""
        if not hasattr(self, "_stmts"):
            mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"

            def raw(table: sa.Table) -> str:
                cols = [c.name for c in table.columns]
                # names from our own Table objects, values bound: no injection possible
                return f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"  # noqa: S608

            self._stmts = {
                "config": self._insert_ignore(configs),
                "host": host_results.insert().returning(host_results.c.id),
                "verdicts": raw(verdicts),
                "findings": raw(findings),
            }
        return self._stmts

    def _write_host(self, conn: Connection, run_id: str, r: HostResult, config_text: str | None) -> None:
        st = self._statements()
        sha = None
        if config_text is not None:
            sha, body = config_key(config_text)
            conn.execute(st["config"], {"sha256": sha, "size": len(config_text), "body": body})
        passed, total = _weights(r.controls)
        score = round(100.0 * passed / total, 1) if total and r.ok else None
        h = r.host
        hid = conn.execute(st["host"], {
            "run_id": run_id, "host": h.name, "platform": h.platform, "site": h.get("site"),
            "agency": h.get("agency"), "status": r.status, "error": r.error, "score": score,
            "pass_weight": passed if r.ok else 0, "total_weight": total if r.ok else 0, "lines": r.lines,
            "seconds": r.seconds, "data": json.dumps(dict(h.data), ensure_ascii=False, default=str),
            "config_sha256": sha,
        }).scalar_one()
        # verdicts and findings: plain DB-API executemany (column order of the tables)
        if r.controls:
            conn.exec_driver_sql(st["verdicts"], [(hid, i, v.control, v.status.value, v.severity.value, v.reason)
                                                  for i, v in enumerate(r.controls)])
        rows = [(hid, i, f.control, f.rule, f.status.value, f.severity.value, f.message,
                 json.dumps([[e.line, e.text] for e in f.evidence], ensure_ascii=False),
                 f.remediation, f.expected, f.actual)
                for i, f in enumerate(r.findings) if f.status in STORED_FINDINGS]
        if rows:
            conn.exec_driver_sql(st["findings"], rows)

    # --- reading --------------------------------------------------------------------------------
    def runs(self, *, site: Iterable[str] = (), agency: Iterable[str] = (), limit: int | None = None,
             completed_only: bool = False) -> list[tuple[RunRow, float | None, int]]:
        """Runs newest first, each with its score and host count (over the site/agency subset if given)."""
        sites, agencies = list(site), list(agency)
        with self.engine.connect() as conn:
            q = sa.select(runs).order_by(runs.c.started.desc(), runs.c.id.desc())
            if completed_only:
                q = q.where(runs.c.completed.is_(True))
            if sites or agencies:
                cond = []
                if sites:
                    cond.append(host_results.c.site.in_(sites))
                if agencies:
                    cond.append(host_results.c.agency.in_(agencies))
                sub = (sa.select(host_results.c.run_id,
                                 sa.func.sum(host_results.c.pass_weight).label("pw"),
                                 sa.func.sum(host_results.c.total_weight).label("tw"),
                                 sa.func.count().label("nh"))
                       .where(*cond).group_by(host_results.c.run_id).subquery())
                q = sa.select(runs, sub.c.pw, sub.c.tw, sub.c.nh).join(sub, sub.c.run_id == runs.c.id) \
                    .order_by(runs.c.started.desc(), runs.c.id.desc())
                if completed_only:
                    q = q.where(runs.c.completed.is_(True))
            if limit:
                q = q.limit(limit)
            out = []
            for row in conn.execute(q):
                rr = _run_row(row)
                if sites or agencies:
                    score = round(100.0 * row.pw / row.tw, 1) if row.tw else None
                    out.append((rr, score, int(row.nh)))
                else:
                    out.append((rr, rr.score, rr.hosts if rr.hosts is not None else self._count_hosts(conn, rr.id)))
            return out

    def unit_trends(self, last: int = 8) -> dict[str, dict[str, tuple[tuple[str, float], ...]]]:
        """Each agency's and area's (`district`) weighted score over the last `last` complete runs, oldest first."""
        with self.engine.connect() as conn:
            recent = list(conn.execute(
                sa.select(runs.c.id, runs.c.started).where(runs.c.completed.is_(True))
                .order_by(runs.c.started.desc(), runs.c.id.desc()).limit(last)))
            started = {row.id: row.started for row in recent}
            sums: dict[str, dict[str, dict[str, list[int]]]] = {"agency": {}, "district": {}}
            q = sa.select(host_results.c.run_id, host_results.c.agency, host_results.c.data,
                          host_results.c.pass_weight, host_results.c.total_weight) \
                .where(host_results.c.run_id.in_(list(started)), host_results.c.status == "ok")
            for row in conn.execute(q):
                district = json.loads(row.data).get("district")
                for key, unit in (("agency", row.agency), ("district", district)):
                    if unit:
                        pw_tw = sums[key].setdefault(str(unit), {}).setdefault(row.run_id, [0, 0])
                        pw_tw[0] += row.pass_weight
                        pw_tw[1] += row.total_weight
        order = sorted(started, key=lambda rid: (started[rid], rid))
        return {
            key: {unit: tuple((started[rid], round(100.0 * by_run[rid][0] / by_run[rid][1], 1))
                              for rid in order if rid in by_run and by_run[rid][1])
                  for unit, by_run in units.items()}
            for key, units in sums.items()
        }

    def _count_hosts(self, conn: Connection, run_id: str) -> int:
        return int(conn.execute(sa.select(sa.func.count()).select_from(host_results)
                                .where(host_results.c.run_id == run_id)).scalar_one())

    def get_run(self, ref: str) -> RunRow:
        """A run by id or unique id prefix."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(runs).where(runs.c.id == ref)).first()
            if row is None:
                found = conn.execute(sa.select(runs).where(runs.c.id.startswith(ref, autoescape=True)).limit(2)).all()
                if len(found) != 1:
                    raise AuditorError(f"run {ref!r}: {'ambiguous' if found else 'not found'} in {self.db}")
                row = found[0]
            return _run_row(row)

    def host_rows(self, run_id: str) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(host_results).where(host_results.c.run_id == run_id)
                                     .order_by(host_results.c.id)))

    def failing(self, run_id: str) -> dict[tuple[str, str], str]:
        """(host, control) -> status for every control verdict of the run."""
        with self.engine.connect() as conn:
            q = (sa.select(host_results.c.host, verdicts.c.control, verdicts.c.status)
                 .join(verdicts, verdicts.c.host_result_id == host_results.c.id)
                 .where(host_results.c.run_id == run_id))
            return {(r.host, r.control): r.status for r in conn.execute(q)}

    def config_text(self, sha: str | None) -> str | None:
        if sha is None:
            return None
        with self.engine.connect() as conn:
            body = conn.execute(sa.select(configs.c.body).where(configs.c.sha256 == sha)).scalar()
        return zlib.decompress(body).decode("utf-8") if body is not None else None

    def load_run(self, ref: str) -> tuple[RunRow, AuditRun]:
        """Rebuild the AuditRun of a stored run, to render any report format again."""
        rr = self.get_run(ref)
        if rr.pruned:
            raise AuditorError(f"run {rr.id}: details pruned, only its summary is kept (see `auditor history`)")
        hosts: list[HostResult] = []
        with self.engine.connect() as conn:
            hrows = list(conn.execute(sa.select(host_results).where(host_results.c.run_id == rr.id)
                                      .order_by(host_results.c.id)))
            vmap: dict[int, list[ControlVerdict]] = {}
            fmap: dict[int, list[Finding]] = {}
            ids = [h.id for h in hrows]
            for chunk in _chunks(ids, 500):
                for v in conn.execute(sa.select(verdicts).where(verdicts.c.host_result_id.in_(chunk))
                                      .order_by(verdicts.c.host_result_id, verdicts.c.seq)):
                    vmap.setdefault(v.host_result_id, []).append(
                        ControlVerdict(v.control, Status(v.status), Severity(v.severity), v.reason))
                for f in conn.execute(sa.select(findings).where(findings.c.host_result_id.in_(chunk))
                                      .order_by(findings.c.host_result_id, findings.c.seq)):
                    fmap.setdefault(f.host_result_id, []).append(Finding(
                        f.control, f.rule, Status(f.status), Severity(f.severity), f.message,
                        tuple(Evidence(int(a), str(b)) for a, b in json.loads(f.evidence)),
                        f.remediation, f.expected, f.actual))
        order = {name: i for i, name in enumerate(rr.summary.get("order", []))}
        hrows.sort(key=lambda h: (order.get(h.host, len(order)), h.id))
        for h in hrows:
            info = HostInfo(h.host, h.platform, json.loads(h.data))
            hosts.append(HostResult(info, h.status, h.error, tuple(vmap.get(h.id, ())), tuple(fmap.get(h.id, ())),
                                    h.lines, h.seconds))
        fleet = tuple(FleetResult(f["control"], Status(f["status"]), Severity(f["severity"]), tuple(f["hosts"]),
                                  f["message"]) for f in rr.summary.get("fleet", []))
        run_info = RunInfo(rr.id, rr.started, rr.finished or "(incomplete)", rr.policy_version, rr.source,
                           rr.host_key_verification)
        return rr, AuditRun(run_info, tuple(hosts), fleet, rr.summary.get("waivers"))

    # --- pruning --------------------------------------------------------------------------------
    def prune(self, keep_days: int, now: datetime | None = None) -> tuple[int, int]:
        """Drop verdicts, findings and config links of runs older than `keep_days`; keep every run's
        summary and per-host scores. Returns (runs pruned, configs deleted)."""
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=keep_days)).isoformat(timespec="seconds")
        with self._lock, self.engine.begin() as conn:
            old = [r.id for r in conn.execute(sa.select(runs.c.id).where(runs.c.started <= cutoff,
                                                                          runs.c.pruned.is_(False)))]
            for chunk in _chunks(old, 500):
                hid = sa.select(host_results.c.id).where(host_results.c.run_id.in_(chunk))
                conn.execute(verdicts.delete().where(verdicts.c.host_result_id.in_(hid)))
                conn.execute(findings.delete().where(findings.c.host_result_id.in_(hid)))
                conn.execute(host_results.update().where(host_results.c.run_id.in_(chunk)).values(config_sha256=None))
                conn.execute(runs.update().where(runs.c.id.in_(chunk)).values(pruned=True))
            used = sa.select(host_results.c.config_sha256).where(host_results.c.config_sha256.is_not(None))
            deleted = conn.execute(configs.delete().where(configs.c.sha256.not_in(used))).rowcount
        return len(old), int(deleted or 0)


def _chunks(items: list[Any], n: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


class RunRecorder:
    """Streams one run into the store: `add_host` per finished host, then `finish` (or `abort`)."""

    def __init__(self, store: Store, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self.stored: set[str] = set()
        self.closed = False
        self._conn: Connection | None = None  # one connection for the whole run: no pool round trip per host

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self.store.engine.connect()
        return self._conn

    def _close(self) -> None:
        self.closed = True
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def add_host(self, result: HostResult, config_text: str | None = None) -> None:
        with self.store._lock:
            if self.closed or result.host.name in self.stored:
                return
            conn = self._connection()
            with conn.begin():
                self.store._write_host(conn, self.run_id, result, config_text)
            self.stored.add(result.host.name)

    def finish(self, run: AuditRun, exit_code: int, extra: Mapping[str, Any] | None = None,
               configs_by_host: Mapping[str, str] | None = None) -> None:
        """Store the hosts not streamed yet (and the final version of every host), mark the run complete."""
        from .reports.summary import summarize  # late: reports import models only, but keep store light

        s = summarize(run)
        passed = total = 0
        for r in run.hosts:
            if r.ok:
                p, t = _weights(r.controls)
                passed, total = passed + p, total + t
        summary: dict[str, Any] = {
            "hosts": s.hosts, "compliant_hosts": s.compliant_hosts, "errors": s.errors,
            "by_severity": s.by_severity, "score": s.score,
            "fleet": [{"control": f.control, "status": f.status.value, "severity": f.severity.value,
                       "hosts": list(f.hosts), "message": f.message} for f in run.fleet],
        }
        summary["order"] = [r.host.name for r in run.hosts]  # the report's host order
        summary.update(extra or {})
        with self.store._lock:
            if self.closed:
                return
            conn = self._connection()
            with conn.begin():
                for r in run.hosts:
                    if r.host.name not in self.stored:
                        self.store._write_host(conn, self.run_id, r, (configs_by_host or {}).get(r.host.name))
                conn.execute(runs.update().where(runs.c.id == self.run_id).values(
                    started=run.run.started, finished=run.run.finished, exit_code=exit_code, completed=True, status="completed",
                    hosts=len(run.hosts), score=round(100.0 * passed / total, 1) if total else None,
                    summary=json.dumps(summary, ensure_ascii=False)))
            self.stored.update(r.host.name for r in run.hosts)
            self._close()

    def abort(self, reason: str = "interrupted") -> None:
        """Stop recording: the run stays incomplete, marked `interrupted` with the time."""
        if not self.store._lock.acquire(timeout=10):  # a signal arrived while this thread held it
            return
        try:
            if self.closed:
                return
            self._close()
            with self.store.engine.begin() as conn:
                conn.execute(runs.update().where(runs.c.id == self.run_id).values(
                    status="interrupted", finished=datetime.now(UTC).isoformat(timespec="seconds"),
                    summary=json.dumps({"reason": reason})))
        finally:
            self.store._lock.release()
