"""`storywatch sources`: every configured source's health as a table or JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fetcher import errors as E
from storage import sources as store
from storage.db import make_engine, session_factory, transaction, upgrade
from storywatch.cli import main

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    db = f"sqlite:///{tmp_path / 'sw.db'}"
    path = tmp_path / "config.yaml"
    path.write_text(
        f"database: {db}\n"
        "report: {path: null, write_after_run: false}\n"
        "sources:\n"
        "  - {name: good, url: 'https://good.example/feed.xml'}\n"
        "  - {name: broken, url: 'https://broken.example/feed.xml'}\n"
        "  - {name: fresh, url: 'https://fresh.example/', kind: page}\n",
        encoding="utf-8",
    )
    upgrade(db)
    sessions = session_factory(make_engine(db))
    with transaction(sessions) as s:
        store.sync_sources(s, [("good", "https://good.example/feed.xml", "feed"),
                               ("broken", "https://broken.example/feed.xml", "feed"),
                               ("gone", "https://gone.example/feed.xml", "feed")])
        store.record_success(s, "good", T0, 304, 0)
        for _ in range(3):
            store.record_failure(s, "broken", T0, E.HTTPStatusError("https://broken.example/feed.xml", 502))
    return path


def test_sources_json(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "sources", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"good", "broken", "fresh"}  # "gone" is no longer configured
    assert rows["good"]["state"] == "ok" and rows["good"]["last_success_at"] == "2026-11-21T08:00:00Z"
    assert rows["broken"]["state"] == "failing" and rows["broken"]["consecutive_failures"] == 3
    assert rows["broken"]["last_error"] == "HTTP 502 Bad Gateway"
    assert rows["broken"]["next_due_at"].endswith("Z")
    assert rows["fresh"]["state"] == "never"


def test_sources_table_and_filters(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "sources"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["SOURCE", "STATE", "FAILS"]
    assert "HTTP 502 Bad Gateway" in out and "3 sources, 1 failing" in out
    assert main(["--config", str(config), "sources", "--failing", "--json"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["broken"]
    assert main(["--config", str(config), "sources", "--all", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["gone"]["configured"] is False
