"""The report web server: fresh HTML at / and the JSON API, on an ephemeral 127.0.0.1 port."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reporting.data import alerts_json, articles_json, developments_json
from reporting.web import ReportServer, start_in_thread
from storage.models import Development
from tests.test_report_data import NOW, WATCH, Story, build_story


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Story, ReportServer, str]]:
    story = build_story(tmp_path)
    server, url = start_in_thread(story.factory, WATCH, clock=lambda: NOW)
    try:
        yield story, server, url
    finally:
        server.shutdown()
        server.server_close()


def test_binds_loopback_ephemeral_port(served: tuple[Story, ReportServer, str]) -> None:
    _, server, url = served
    assert url.startswith("http://127.0.0.1:") and server.server_address[1] != 0


def test_root_serves_the_report_with_csp(served: tuple[Story, ReportServer, str]) -> None:
    _, _, url = served
    status, headers, body = get(url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    html = body.decode()
    nonce = html.split('<script nonce="', 1)[1].split('"', 1)[0]
    assert f"'nonce-{nonce}'" in headers["Content-Security-Policy"]
    assert "Seoul offers to relay messages" in html


def test_report_is_rendered_fresh_per_request(served: tuple[Story, ReportServer, str]) -> None:
    story, _, url = served
    assert "Tokyo names envoy" not in get(url)[2].decode()
    t = datetime(2025, 11, 11, 9, tzinfo=UTC)
    with story.factory() as s, s.begin():
        s.add(Development(watch=WATCH, kind="summit_request", title="Tokyo names envoy for contacts", first_seen=t,
                          first_published=t, last_updated=t))
    assert "Tokyo names envoy" in get(url)[2].decode()


@pytest.mark.parametrize(("path", "query"), [
    ("api/developments", developments_json),
    ("api/articles", articles_json),
    ("api/alerts", alerts_json),
])
def test_json_api_matches_library(served: tuple[Story, ReportServer, str], path: str, query: Any) -> None:
    story, _, url = served
    status, headers, body = get(url + path)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    with story.factory() as s:
        assert json.loads(body) == query(s, WATCH)


def test_unknown_path_is_json_404(served: tuple[Story, ReportServer, str]) -> None:
    _, _, url = served
    status, _, body = get(url + "nope")
    assert status == 404 and json.loads(body)["error"] == "not found"
