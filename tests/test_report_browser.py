"""The served report in headless Chromium: timeline order, kind filter, chart marks, escaping."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reporting.web import start_in_thread
from tests.test_report_data import NOW, WATCH, build_story

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("STORYWATCH_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium "
                       "(apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def open_page(browser: Any, url: str, **context: Any) -> tuple[Any, list[str]]:
    """A page on ``url`` that records every request leaving 127.0.0.1 and every page error."""
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    problems: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(url) else problems.append(f"request {r.url}"))
    page.on("pageerror", lambda e: problems.append(f"error {e}"))

    def on_dialog(dialog: Any) -> None:
        problems.append(f"dialog {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="load")
    return page, problems


def test_served_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    story = build_story(tmp_path)
    server, url = start_in_thread(story.factory, WATCH, clock=lambda: NOW)
    try:
        page, problems = open_page(browser, url, viewport={"width": 1100, "height": 900})
        headings = page.locator("#timeline > li.dev h3").all_inner_texts()
        assert headings == [
            "North Korea calls the abduction question settled, rebuffing Tokyo",
            "Seoul offers to relay messages between Tokyo and Pyongyang",
            "Abductees' relatives back summit push but want every victim home",
            "Takaichi says Tokyo has asked Pyongyang for a leaders' meeting",
        ]
        # The chart: one mark group per day with coverage, alerts marked on their days.
        days = page.locator("svg.chart g.day").evaluate_all("els => els.map(e => e.dataset.day)")
        assert days == ["2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06", "2025-11-07", "2025-11-10"]
        assert page.locator("svg.chart g.day.has-alert").count() == 2
        assert page.locator("svg.chart g.day").first.bounding_box()["height"] > 10

        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)

        # Kind filter: only the Seoul mediation development stays visible.
        page.get_by_label("Kind", exact=True).select_option("seoul_mediation")
        visible = page.locator("#timeline > li.dev:visible h3").all_inner_texts()
        assert visible == ["Seoul offers to relay messages between Tokyo and Pyongyang"]
        assert "1 of 4" in page.locator("#filter-status").inner_text()
        # Outlet filter combined with "all kinds": developments carried by yonhap.
        page.get_by_label("Kind", exact=True).select_option("")
        page.get_by_label("Outlet", exact=True).select_option("yonhap")
        assert page.locator("#timeline > li.dev:visible").count() == 2
        page.get_by_role("button", name="Show all").click()
        # the reset handler re-applies the filters on the next tick: wait for it, don't race it
        pytest.importorskip("playwright.sync_api").expect(page.locator("#timeline > li.dev:visible")).to_have_count(4)

        # Expandable list of outlets.
        first = page.locator("#timeline > li.dev").last
        assert not first.locator(".coverage").is_visible()
        first.locator("summary").click()
        assert first.locator(".coverage li").count() == 5
        assert problems == []

        # On a phone.
        phone, problems = open_page(browser, url, viewport={"width": 390, "height": 844}, device_scale_factor=2)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "no horizontal scrolling on a phone"
        phone.screenshot(path=str(ARTIFACTS / "report-phone.png"), full_page=False)
        assert problems == []
    finally:
        server.shutdown()
        server.server_close()


def test_without_javascript_everything_shows(browser: Any, tmp_path: Path) -> None:
    story = build_story(tmp_path)
    server, url = start_in_thread(story.factory, WATCH, clock=lambda: NOW)
    try:
        page, problems = open_page(browser, url, java_script_enabled=False)
        assert page.locator("#timeline > li.dev:visible").count() == 4
        assert not page.locator("#filters").is_visible()
        assert problems == []
    finally:
        server.shutdown()
        server.server_close()


def test_markup_in_titles_does_not_execute(browser: Any, tmp_path: Path) -> None:
    story = build_story(tmp_path, evil=True)
    server, url = start_in_thread(story.factory, WATCH, clock=lambda: NOW)
    try:
        page, problems = open_page(browser, url)
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.locator("img").count() == 0
        assert "<script>window.pwned=1</script>" in page.locator("#timeline").inner_text()
        assert problems == []
        # The same from the written file, opened offline.
        from reporting.data import load_report_data
        from reporting.render import write_report

        with story.factory() as s:
            path = write_report(load_report_data(s, WATCH, now=NOW), tmp_path / "story.html")
        file_page = browser.new_page()
        file_page.goto(path.as_uri())
        assert file_page.evaluate("typeof window.pwned") == "undefined"
        assert file_page.locator("#timeline > li.dev").count() == 4
        assert file_page.locator("#filters").is_visible()  # our own script runs under the CSP nonce
    finally:
        server.shutdown()
        server.server_close()
