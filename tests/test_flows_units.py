"""The flows' own logic without a Prefect server: retry decisions, batching, leases, artifacts, hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from storywatch.pipeline import CycleResult, DevelopmentChange, SourceOutcome, StoredArticle

ROOT = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


# ----------------------------------------------------------------------------- retry decisions


@pytest.mark.parametrize(("error", "transient"), [
    ("HTTP 503 Service Unavailable", True),
    ("HTTP 429 Too Many Requests", True),
    ("connect timeout after 5.0 s", True),
    ("connection refused by 127.0.0.1:9", True),
    ("HTTP 404 Not Found", False),
    ("HTTP 410 Gone", False),
    ("ParseError: not a feed: no entries", False),
    ("robots.txt disallows this URL (RobotsDisallowed)", False),
    (None, False),
])
def test_which_source_failures_are_worth_a_retry(error: str | None, transient: bool) -> None:
    from flows.tasks import failure_is_transient

    assert failure_is_transient(error) is transient


def test_the_retry_condition_retries_only_what_may_succeed() -> None:
    from flows.tasks import SourcesUnavailable, retry_if_transient
    from storage.errors import StorageError

    def state_raising(exc: BaseException) -> Any:
        def result() -> None:
            raise exc
        return SimpleNamespace(result=result)

    down = [SourceOutcome("a", "http://a", "failed", "HTTP 503 Service Unavailable")]
    gone = [SourceOutcome("a", "http://a", "failed", "HTTP 404 Not Found")]
    assert retry_if_transient(None, None, state_raising(SourcesUnavailable(down, True)))
    assert not retry_if_transient(None, None, state_raising(SourcesUnavailable(gone, False)))
    assert retry_if_transient(None, None, state_raising(StorageError("database is locked")))
    assert not retry_if_transient(None, None, state_raising(ValueError("a bug")))
    from storywatch.errors import ConfigError

    assert not retry_if_transient(None, None, state_raising(ConfigError("bad key")))


def test_batches_split_evenly_and_never_empty() -> None:
    from flows.cycle import batches

    items: list[Any] = list(range(10))
    assert [len(b) for b in batches(items, 3)] == [4, 3, 3]
    assert batches(items, 1) == [items]
    assert [len(b) for b in batches(items[:2], 8)] == [1, 1]
    assert [x for b in batches(items, 4) for x in b] == items


def test_flow_settings_are_validated_with_the_key_named() -> None:
    from flows.settings import flow_settings
    from storywatch.config import parse_config
    from storywatch.errors import ConfigError

    cfg = parse_config({"prefect": {"fetch_retries": 1, "fetch_retry_delays": [1, 5]}})
    assert flow_settings(cfg).fetch_retries == 1
    with pytest.raises(ConfigError, match=r"prefect\.fetch_retrys: unknown key"):
        flow_settings(parse_config({"prefect": {"fetch_retrys": 1}}))


# ----------------------------------------------------------------------------- the lease


def test_sqlite_lease_excludes_a_second_run_of_the_same_watch_only(tmp_path: Path) -> None:
    from flows.lease import watch_lease

    url = f"sqlite:///{tmp_path / 'sw.db'}"
    with watch_lease(url, ["a", "b"]) as first:
        assert first.acquired
        with watch_lease(url, ["b", "c"]) as second:
            assert not second.acquired and second.busy == "b"
        with watch_lease(url, ["c"]) as other:
            assert other.acquired  # a different watch proceeds
        with watch_lease(url, ["c"]) as again:
            assert again.acquired  # "all or none": the failed attempt did not keep c
    with watch_lease(url, ["b"]) as later:
        assert later.acquired


def test_a_crashed_holder_never_leaves_the_lease_stuck(tmp_path: Path) -> None:
    from flows.lease import watch_lease

    url = f"sqlite:///{tmp_path / 'sw.db'}"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from flows.lease import watch_lease
        with watch_lease({url!r}, ["w"]) as lease:
            print(lease.acquired, flush=True)
            time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        with watch_lease(url, ["w"]) as busy:
            assert not busy.acquired
    finally:
        holder.kill()
        holder.wait()
    with watch_lease(url, ["w"]) as free:
        assert free.acquired


def test_waiting_for_the_lease_gets_it_once_released(tmp_path: Path) -> None:
    import threading

    from flows.lease import watch_lease

    url = f"sqlite:///{tmp_path / 'sw.db'}"
    released = threading.Event()

    def hold() -> None:
        with watch_lease(url, ["w"]):
            released.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    time.sleep(0.2)
    threading.Timer(0.3, released.set).start()
    with watch_lease(url, ["w"], wait_seconds=10) as lease:
        assert lease.acquired
    t.join()


@pytest.mark.postgres
def test_postgres_lease_is_an_advisory_lock_scoped_to_the_schema(pg_url: str) -> None:
    from flows.lease import watch_lease
    from tests.conftest import PG_URL

    with watch_lease(pg_url, ["w"]) as first:
        assert first.acquired
        with watch_lease(pg_url, ["w"]) as second:
            assert not second.acquired
        with watch_lease(PG_URL, ["w"]) as elsewhere:
            assert elsewhere.acquired  # another schema/instance is not blocked
    with watch_lease(pg_url, ["w"]) as third:
        assert third.acquired


# ----------------------------------------------------------------------------- artifacts


def _result() -> CycleResult:
    r = CycleResult(run_id=7, as_of=AS_OF, started_at=AS_OF)
    r.sources = [SourceOutcome("wire", "http://w", "ok", entries=2, new_articles=2),
                 SourceOutcome("paper", "http://p", "failed", "HTTP 503 Service Unavailable | retry")]
    r.stored = [StoredArticle(1, "wire", "http://w/1", "Talks | resume", AS_OF, None, True, 3, "talks"),
                StoredArticle(2, "wire", "http://w/2", "Reprint", None, 1, False, None, None)]
    r.developments = [DevelopmentChange(3, "nk", "talks", "Talks resume", True, False, 1)]
    r.alerts_enqueued = r.alerts_delivered = 1
    return r


def test_the_summary_names_developments_alerts_failing_sources_and_counts() -> None:
    from flows.artifacts import summary_markdown

    md = summary_markdown(_result())
    assert "**2** articles stored" in md and "**1** new developments" in md
    assert "- **talks** (nk): Talks resume (alerts: 1)" in md
    assert "| paper | HTTP 503 Service Unavailable \\| retry |" in md  # pipes escaped in tables
    assert "| duplicates | 1 |" in md
    assert not any(line.startswith("    ") for line in md.splitlines())  # no indented Markdown


def test_article_rows_and_keys() -> None:
    from flows.artifacts import article_rows, artifact_key

    rows = article_rows(_result())
    assert [r["id"] for r in rows] == [1, 2] and rows[1]["duplicate_of"] == 1 and rows[0]["published"].endswith("Z")
    assert artifact_key("ingest", "Japan NK_abductions", "summary") == "ingest-japan-nk-abductions-summary"
    assert artifact_key("ingest", None, "new-articles") == "ingest-new-articles"


def test_day_ranges() -> None:
    from storywatch.cli.prefect import day_range, end_of_day
    from storywatch.errors import ConfigError

    assert list(day_range(date(2026, 11, 18), date(2026, 11, 20))) == [date(2026, 11, 18), date(2026, 11, 19),
                                                                          date(2026, 11, 20)]
    assert end_of_day(date(2026, 11, 20)) == datetime(2026, 11, 21, tzinfo=UTC)
    with pytest.raises(ConfigError):
        list(day_range(date(2026, 11, 20), date(2026, 11, 18)))


# ----------------------------------------------------------------------------- failure hook


def test_a_failed_flow_is_announced_on_the_configured_channel_with_secrets_redacted(tmp_path: Path,
                                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.notify import notify_failure
    from tests.servers.webhook import WebhookServer

    with WebhookServer() as hook:
        secret_url = hook.url("/hooks/s3cr3t-token-abcdef123456")
        monkeypatch.setenv("SW_HOOK", secret_url)
        cfg = tmp_path / "c.yaml"
        cfg.write_text(f"database: sqlite:///{tmp_path / 'x.db'}\nchannels:\n  ops:\n    url: env:SW_HOOK\n")
        state = SimpleNamespace(type=SimpleNamespace(value="FAILED"),
                                message=f"Flow run encountered an exception: could not post to {secret_url}")
        run = SimpleNamespace(name="brave-otter", parameters={"config": str(cfg), "watch": "nk"})
        notify_failure(SimpleNamespace(name="ingest"), run, state)
        got = hook.received()
    assert len(got) == 1
    body = json.dumps(got[0].json())
    assert "ingest" in body and "brave-otter" in body and "failed" in body
    assert "s3cr3t-token-abcdef123456" not in body


def test_the_failure_hook_never_raises_without_a_config(capsys: pytest.CaptureFixture[str]) -> None:
    from flows.notify import notify_failure

    run = SimpleNamespace(name="r", parameters={"config": "/nonexistent/config.yaml"})
    notify_failure(SimpleNamespace(name="ingest"), run, SimpleNamespace(type=None, message="boom"))
    assert "storywatch: flow ingest" in capsys.readouterr().err  # the console gets it


# ----------------------------------------------------------------------------- no Prefect on quick paths


def test_storywatch_run_without_a_server_never_imports_prefect(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"database: sqlite:///{tmp_path / 'x.db'}\nreport: {{path: null}}\n")
    code = textwrap.dedent(f"""
        import os, sys
        os.environ.pop("PREFECT_API_URL", None)
        from storywatch.cli import main
        rc = main(["--config", {str(cfg)!r}, "run"])
        print("RC", rc, "PREFECT", "prefect" in sys.modules)
    """)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120)
    assert "RC 0 PREFECT False" in out.stdout, out.stderr[-2000:]


def test_the_prefect_commands_are_registered_without_importing_prefect() -> None:
    code = ("import sys; from storywatch.cli import build_parser; p = build_parser(); "
            "a = p.parse_args(['serve', '--ingest-cron', '*/5 * * * *']); "
            "b = p.parse_args(['replay', '--from', '2026-11-18']); "
            "print(a.ingest_cron, b.start, 'prefect' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.split() == ["*/5", "*", "*", "*", "*", "2026-11-18", "False"], out.stderr[-2000:]


def replay_config(tmp_path: Path) -> Path:
    """The bundled replay with its own database (two outlets keep it quick)."""
    cfg = tmp_path / "replay.yaml"
    cfg.write_text(textwrap.dedent(f"""
        database: sqlite:///{tmp_path / 'replay.db'}
        replay: {{enabled: true, clock: "2026-11-21T00:00:00Z"}}
        fetch: {{allow_private_addresses: true, retries: 0}}
        sources:
          - {{name: apn, url: "{{replay}}/feeds/apn.xml"}}
          - {{name: ledger, url: "{{replay}}/feeds/ledger.xml"}}
        report: {{path: null}}
    """))
    return cfg


def test_replay_without_prefect_runs_one_cycle_per_day_at_each_days_end(tmp_path: Path) -> None:
    import io

    from storywatch.cli import CliContext, build_parser
    from storywatch.cli.prefect import story_days
    from storywatch.replay.story import load_story

    first, last = story_days(load_story())
    assert last == date(2026, 11, 20) and (last - first).days == 6
    cfg = replay_config(tmp_path)
    args = build_parser().parse_args(["replay", "--from", "2026-11-19", "--json", "--local"])
    out = io.StringIO()
    assert args.handler(args, CliContext(config_path=cfg, out=out, err=io.StringIO())) == 0
    rows = json.loads(out.getvalue())
    assert [r["day"] for r in rows] == ["2026-11-19", "2026-11-20"] and [r["run"] for r in rows] == [1, 2]
    assert rows[0]["stored"] > 0 and all(set(r) >= {"relevant", "new_developments", "alerts", "kinds"} for r in rows)
