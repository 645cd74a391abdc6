"""The HTML report of the sample network in headless Chromium: visible ranking and findings, no network
request, a working filter and sortable tables; the screenshot is written under the test's tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from auditor.cli import main
from bench.cdp import Chromium, find_chromium

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="chromium not installed (.ci/run installs it)")

VISIBLE = "(el => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')"
HOST = "dbn-xa-nahy-rtr01"


def test_html_report_in_chromium(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["audit", "--inventory", str(ROOT / "inventory"), "--policies", str(ROOT / "policies"),
                 "--from-dir", str(ROOT / "inventory" / "snapshots"), "--no-progress", "--format", "html",
                 "--output", str(out)])
    assert code == 1
    report = out / "report.html"
    with Chromium() as browser:
        browser.load(report)
        browser.screenshot(tmp_path / "report.png")
        assert (tmp_path / "report.png").stat().st_size > 10_000
        # the ranking table and a host's findings are visible
        assert browser.eval(f"{VISIBLE}(document.querySelector('#rank-agency'))")
        assert browser.eval("document.querySelectorAll('#rank-agency tbody tr').length") > 5
        assert browser.eval(f"{VISIBLE}(document.querySelector('#host-{HOST} .fc'))")
        browser.eval(f"document.getElementById('host-{HOST}').scrollIntoView()")
        browser.screenshot(tmp_path / "host.png")
        # the filter box: type a host name, only that host (and nothing of the others) stays visible
        assert browser.eval(f"{VISIBLE}(document.getElementById('filter'))")
        browser.eval("document.getElementById('filter').focus()")
        browser.send("Input.insertText", text=HOST)
        visible_hosts = browser.eval(
            f"Array.from(document.querySelectorAll('article.host')).filter({VISIBLE}).map(e => e.id)")
        assert visible_hosts == [f"host-{HOST}"]
        assert browser.eval("document.querySelectorAll('article.host').length") == 53
        # diacritics-insensitive: 'dien bien phu' finds the hosts of Điện Biên Phủ
        browser.eval("const f = document.getElementById('filter'); f.value = 'muong cha';"
                     "f.dispatchEvent(new Event('input'))")
        shown = browser.eval(f"Array.from(document.querySelectorAll('article.host')).filter({VISIBLE}).length")
        assert 0 < shown < 53
        browser.eval("const g = document.getElementById('filter'); g.value = '';"
                     "g.dispatchEvent(new Event('input'))")
        assert browser.eval(f"Array.from(document.querySelectorAll('article.host')).filter({VISIBLE}).length") == 53
        # sortable: clicking the score header twice puts the best (ascending, then descending) first
        first = "document.querySelector('#rank-agency tbody tr td:nth-child(3)').textContent"
        browser.eval("document.querySelectorAll('#rank-agency th')[2].click()")
        low = float(browser.eval(first))
        browser.eval("document.querySelectorAll('#rank-agency th')[2].click()")
        high = float(browser.eval(first))
        assert low <= high
        # no network request of any kind: the only request is the file itself
        assert browser.requests and all(u.startswith("file://") for u in browser.requests), browser.requests
        assert browser.requests == [report.resolve().as_uri()]
