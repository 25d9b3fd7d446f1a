"""The flows against a real Prefect API (prefect_test_harness on 127.0.0.1) and a real newsroom.

Few tests on purpose: each flow run costs about 1.3 s of orchestration.
"""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from tests.prefect.newsroom import AS_OF, PUBLISHED, STORIES, Newsroom, stored_urls, write_config

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]


def ingest(**params: Any) -> Any:
    """Run the ingest flow in this process and return its final state."""
    from flows.ingest import ingest as ingest_flow

    return ingest_flow(**params)


def _api(path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """POST a filter to the harness API (plain REST: the 3.8.8 client sends nulls this server rejects)."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    resp = httpx.post(f"{PREFECT_API_URL.value()}{path}", json=body, timeout=30)
    resp.raise_for_status()
    return list(resp.json())


def _task_runs(flow_run_id: UUID) -> list[dict[str, Any]]:
    return _api("/task_runs/filter", {"flow_runs": {"id": {"any_": [str(flow_run_id)]}},
                                      "sort": "EXPECTED_START_TIME_ASC", "limit": 100})


def _artifacts(flow_run_id: UUID) -> list[dict[str, Any]]:
    return _api("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}},
                                      "sort": "KEY_ASC", "limit": 100})


def test_fetch_task_retries_until_the_feed_answers(tmp_path: Path) -> None:
    with Newsroom(PUBLISHED) as room:
        room.fail_next("/feed.xml", 2)  # two 503s: attempts 1 and 2 fail, attempt 3 succeeds
        config = write_config(tmp_path, room)
        state = ingest(config=str(config), as_of=AS_OF, return_state=True)
        assert state.is_completed(), state.message
        assert room.hits["/feed.xml"] == 3
    result = state.result()
    assert len(result.stored) == len(STORIES) and not result.failed_sources
    fetch = [t for t in _task_runs(state.state_details.flow_run_id) if t["name"].startswith("fetch-feeds")]
    assert len(fetch) == 1 and fetch[0]["run_count"] == 3 and fetch[0]["state"]["type"] == "COMPLETED"
    assert sorted(stored_urls(f"sqlite:///{tmp_path / 'storywatch.db'}")) == sorted(
        f"{room.base_url}/news/{slug}" for slug, _t, _b in STORIES)


def test_a_feed_that_cannot_succeed_is_not_retried(tmp_path: Path) -> None:
    with Newsroom(PUBLISHED) as room:
        config = write_config(tmp_path, room, sources=[{"name": "gone", "url": f"{room.base_url}/missing.xml"}])
        state = ingest(config=str(config), as_of=AS_OF, return_state=True)
        assert state.is_completed(), state.message  # a failing source is recorded, not fatal
        assert room.hits["/missing.xml"] == 1  # 404: no retry
    result = state.result()
    assert [s.name for s in result.failed_sources] == ["gone"] and "404" in (result.failed_sources[0].error or "")


def test_two_runs_for_one_watch_one_proceeds_one_is_cancelled_and_artifacts(tmp_path: Path) -> None:
    with Newsroom(PUBLISHED) as room:
        config = write_config(tmp_path, room)
        room.hold("/feed.xml")
        states: dict[str, Any] = {}
        first = threading.Thread(target=lambda: states.update(
            first=ingest(config=str(config), as_of=AS_OF, return_state=True)))
        first.start()
        deadline = time.monotonic() + 60
        while room.hits.get("/feed.xml", 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)  # the first run holds the lease once it is fetching
        second = ingest(config=str(config), as_of=AS_OF, return_state=True)
        room.release()
        first.join(120)
        assert room.hits["/feed.xml"] == 1  # the second run fetched nothing
    assert second.is_cancelled() and "another ingest run" in (second.message or "")
    assert states["first"].is_completed(), states["first"].message
    urls = stored_urls(f"sqlite:///{tmp_path / 'storywatch.db'}")
    assert len(urls) == len(set(urls)) == len(STORIES)

    # the run that proceeded left a summary, a table of its articles and a link to the report
    arts = {a["key"]: a for a in _artifacts(states["first"].state_details.flow_run_id)}
    assert set(arts) == {"ingest-summary", "ingest-new-articles", "ingest-timeline-report"}
    assert arts["ingest-summary"]["type"] == "markdown" and arts["ingest-new-articles"]["type"] == "table"
    summary = arts["ingest-summary"]["data"]
    assert "3** articles stored" in summary and "## New developments" in summary and "## Sources" in summary
    table = arts["ingest-new-articles"]["data"]
    rows = table if isinstance(table, list) else json.loads(table)
    assert sorted(r["title"] for r in rows) == sorted(t for _s, t, _b in STORIES)
    link = arts["ingest-timeline-report"]["data"]
    target = link.split("](", 1)[1].rstrip(")")  # stored as [text](url)
    assert target.startswith("file://") and target.endswith("story.html") and Path(target[7:]).is_file()
    assert not _artifacts(second.state_details.flow_run_id)


def test_storywatch_run_with_a_prefect_api_records_the_flow_and_prints_the_summary(
        tmp_path: Path, prefect_api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from storywatch.cli import CliContext, build_parser

    with Newsroom(PUBLISHED) as room:
        config = write_config(tmp_path, room)
        monkeypatch.setenv("PREFECT_API_URL", prefect_api)
        args = build_parser().parse_args(["--config", str(config), "run", "--as-of", AS_OF.isoformat()])
        out, err = io.StringIO(), io.StringIO()
        code = args.handler(args, CliContext(config_path=config, out=out, err=err))
    assert code == 0
    text = out.getvalue()
    assert text.startswith("run 1 as of 2026-11-20T12:00:00Z: 3 articles stored")
    assert "velmora-post" in text and "report: " in text


def test_replay_flow_runs_each_day_and_leaves_a_table_of_days(tmp_path: Path) -> None:
    from datetime import date

    from flows.replay import replay
    from tests.test_flows_units import replay_config

    state: Any = replay(start=date(2026, 11, 19), end=date(2026, 11, 20), config=str(replay_config(tmp_path)),
                        return_state=True)
    assert state.is_completed(), state.message
    rows = state.result()
    assert [r["day"] for r in rows] == ["2026-11-19", "2026-11-20"] and rows[0]["stored"] > 0
    arts = {a["key"]: a for a in _artifacts(state.state_details.flow_run_id)}
    assert {"replay-days", "replay-summary", "replay-new-articles"} <= set(arts)
