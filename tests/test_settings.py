"""auditor.yaml: search order, cerberus validation, and flags winning over the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from auditor.cli import build_parser, main
from auditor.errors import ValidationError
from auditor.settings import apply_defaults, load_settings, merge_lists, search_path


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_search_order(tmp_path: Path) -> None:
    cwd, xdg = tmp_path / "cwd", tmp_path / "xdg"
    cwd.mkdir()
    assert search_path(None, {}, cwd) == (None, False)
    home = _write(xdg / "auditor" / "auditor.yaml", {})
    assert search_path(None, {"XDG_CONFIG_HOME": str(xdg)}, cwd) == (home, False)
    local = _write(cwd / "auditor.yaml", {})
    assert search_path(None, {"XDG_CONFIG_HOME": str(xdg)}, cwd) == (local, False)
    assert search_path(None, {"AUDITOR_CONFIG": "/x/env.yaml"}, cwd) == (Path("/x/env.yaml"), True)
    assert search_path("/x/flag.yaml", {"AUDITOR_CONFIG": "/x/env.yaml"}, cwd) == (Path("/x/flag.yaml"), True)


def test_validation_reports_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(tmp_path / "a.yaml", {"workers": 0, "lang": "fr", "colour": "blue", "notifications": {
        "email": [{"host": "smtp", "from": "not-an-address", "to": [], "send": "sometimes"}],
        "webhook": [{"url": "http://plain.example/hook"}]}})
    with pytest.raises(ValidationError) as exc:
        load_settings(bad)
    text = "\n".join(exc.value.problems)
    for key in ("workers", "lang", "colour", "from", "to", "send", "url"):
        assert key in text, key
    assert main(["audit", "--config", str(bad)]) == 2
    assert "problem(s) found" in capsys.readouterr().err
    assert main(["audit", "--config", str(tmp_path / "missing.yaml")]) == 2


def test_file_values_are_defaults_and_flags_win(tmp_path: Path) -> None:
    config = _write(tmp_path / "conf" / "auditor.yaml", {
        "inventory": "inv", "policies": str(ROOT / "policies"), "workers": 3, "formats": "json,html", "lang": "en",
        "site": ["SO-TC"], "areas": ["management"], "timeout": 5, "trust-on-first-use": True, "database": "x.db"})
    parser = build_parser()
    argv = ["audit", "--config", str(config)]
    s = apply_defaults(parser, argv)
    args = parser.parse_args(argv)
    merge_lists(args, s)
    assert args.inventory == tmp_path / "conf" / "inv"  # relative to the config file
    assert (args.workers, args.format, args.lang, args.site, args.areas) == (3, ["json", "html"], "en", ["SO-TC"],
                                                                             ["management"])
    assert args.timeout == 5 and args.trust_on_first_use is True and args.db == "x.db"
    parser = build_parser()
    argv = ["audit", "--config", str(config), "--workers", "7", "--format", "text", "--site", "SO-NV", "--lang", "vi"]
    s = apply_defaults(parser, argv)
    args = parser.parse_args(argv)
    merge_lists(args, s)
    assert (args.workers, args.format, args.site, args.lang) == (7, ["text"], ["SO-NV"], "vi")


def test_env_config_drives_an_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    config = _write(tmp_path / "auditor.yaml", {
        "inventory": str(ROOT / "inventory"), "policies": str(ROOT / "policies"), "no_store": True,
        "from_dir": str(ROOT / "inventory" / "snapshots"), "host": ["dbn-so-xd-rtr01"], "controls": "mgmt-01",
        "no_progress": True, "output": "out", "formats": ["json"]})
    monkeypatch.setenv("AUDITOR_CONFIG", str(config))
    assert main(["audit"]) == 1
    import json
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["run"]["theme"] == {"controls": ["MGMT-01"]}
    assert [c["control"] for c in report["hosts"][0]["controls"]] == ["MGMT-01"]
    assert main(["audit", "--controls", "NOPE-9"]) == 2
    assert "unknown or fleet-wide control" in capsys.readouterr().err


def test_example_config_is_valid() -> None:
    s = load_settings(ROOT / "auditor.example.yaml")
    assert s.notifications["email"][0]["send"] in ("always", "on-new-failures", "on-critical", "on-errors")
