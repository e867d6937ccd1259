"""The HTML report in headless Chromium: highlights exist, scripts behave, nothing logs an error.

Skipped when Chromium is not installed (``apt-get install chromium``). Chromium runs with DNS
mapped to nowhere, so the page could not fetch anything even if it tried.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from diplosum._records import OutputRecord
from diplosum.report import render_report
from tests.test_report import (
    SCRIPT,
    TALKS,
    failure,
    script_record,
    talks_record,
    write_article,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)

FIELD_CLASSES = {"mediators", "parties", "venue", "date", "positions"}


def chromium(profile: Path, url: str, *args: str) -> tuple[str, str]:
    """Run headless Chromium on ``url``; return (stdout, stderr). The whole group is killed."""
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
        url,
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return out, err


def console_messages(stderr: str) -> list[str]:
    """Messages the page logged (console calls and uncaught errors), from Chromium's log."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


class Dom(HTMLParser):
    """The elements of a dumped DOM that the tests check."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.body: dict[str, str] = {}
        self.marks: list[dict[str, str]] = []
        self.items: list[dict[str, str]] = []
        self.scripts = 0
        self.title = ""
        self._in: str | None = None
        self.texts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "body":
            self.body = a
        elif tag == "mark":
            self.marks.append(a)
        elif tag == "li" and "item" in classes:
            self.items.append(a)
        elif tag == "script":
            self.scripts += 1
        if tag == "title":
            self._in = tag
        elif tag == "div" and "text" in classes:
            self._in = tag
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "div":
            self.texts[-1] += data


@pytest.fixture
def report(tmp_path: Path) -> Path:
    """A report of three records: overlapping quotes, an article holding <script>, a failure."""
    talks = write_article(tmp_path, "talks.txt", TALKS)
    script = write_article(tmp_path, "script.txt", SCRIPT)
    records = [
        talks_record(talks),
        script_record(script),
        failure("broken.txt", str(tmp_path / "broken.txt")),
    ]
    page = render_report([OutputRecord.model_validate(r) for r in records], title="review")
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_highlights_exist_and_the_page_logs_nothing(report: Path, tmp_path: Path) -> None:
    """The rendered DOM has marks in every field colour, the script ran, no console message."""
    out, err = chromium(tmp_path / "profile", report.as_uri(), "--dump-dom")
    dom = Dom(out)
    assert dom.marks and dom.body.get("data-ready") == str(len(dom.marks))
    colours = {c[2:] for m in dom.marks for c in m["class"].split() if c[:2] in ("f-", "u-")}
    assert colours == FIELD_CLASSES
    assert console_messages(err) == []


def test_article_script_is_text_in_the_browser(report: Path, tmp_path: Path) -> None:
    """The <script> inside an article is shown as text and never runs."""
    out, err = chromium(tmp_path / "profile", report.as_uri(), "--dump-dom")
    dom = Dom(out)
    assert dom.title == "review" and dom.scripts == 1
    assert any('<script>document.title = "pwned"' in text for text in dom.texts)
    assert console_messages(err) == []


def test_clicking_a_field_flashes_its_quote_and_back(report: Path, tmp_path: Path) -> None:
    """A click on a field flashes its marks; a click on a mark flashes its fields; hover marks."""
    probe = """<script>
    (function () {
      var item = document.querySelector(".item.f-date[data-ev]");
      item.click();
      var flashed = Array.prototype.map.call(document.querySelectorAll("mark.flash"),
        function (m) { return m.getAttribute("data-ev"); });
      document.body.setAttribute("data-date-marks", flashed.join("|"));
      var mark = document.querySelector("mark.f-positions");
      mark.click();
      document.body.setAttribute("data-mark-items",
        String(document.querySelectorAll(".item.f-positions.flash").length));
      item.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
      document.body.setAttribute("data-hot", String(document.querySelectorAll("mark.hot").length));
    })();
    </script></body>"""
    page = tmp_path / "probe.html"
    page.write_text(report.read_text(encoding="utf-8").replace("</body>", probe), encoding="utf-8")
    out, err = chromium(tmp_path / "profile", page.as_uri(), "--dump-dom")
    dom = Dom(out)
    date_ids = next(i for i in dom.items if "f-date" in i["class"])["data-ev"].split()
    flashed = dom.body["data-date-marks"].split("|")
    assert flashed and all(set(date_ids) & set(ids.split()) for ids in flashed)
    assert dom.body["data-mark-items"] == "1"
    assert dom.body["data-hot"] == str(len(flashed))
    assert console_messages(err) == []


def test_screenshot_is_saved(report: Path, tmp_path: Path) -> None:
    """A full-page screenshot is written to the test's folder without console errors."""
    shot = tmp_path / "report.png"
    _, err = chromium(
        tmp_path / "profile",
        report.as_uri(),
        f"--screenshot={shot}",
        "--window-size=1280,1400",
        "--hide-scrollbars",
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    assert console_messages(err) == []


def test_console_errors_would_be_caught(tmp_path: Path) -> None:
    """The console check is not vacuous: a page that throws is reported."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>throw new Error('boom');</script>")
    _, err = chromium(tmp_path / "profile", page.as_uri(), "--dump-dom")
    assert any("Uncaught Error: boom" in line for line in console_messages(err))
