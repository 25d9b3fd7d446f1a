"""The alert commands: alerts [--json] [--status], alerts retry/show, mute/unmute, notify test, digest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerting import outbox
from alerting.policy import AlertPolicy
from storage import alerts as q
from storage.db import transaction
from storywatch.cli import main
from tests.alert_world import open_db, record_and_enqueue
from tests.servers.webhook import WebhookServer


@pytest.fixture
def hook():
    with WebhookServer() as server:
        yield server


def write_config(tmp_path: Path, hook_url: str | None, extra: str = "") -> tuple[Path, str]:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    channels = "channels:\n  hook:\n    url: \"${HOOK_URL}\"\n" if hook_url else ""
    cfg = tmp_path / "storywatch.yaml"
    cfg.write_text(f"database: {db}\nwatch:\n  use: default\n{channels}{extra}")
    return cfg, db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_alerts_json_contract_and_status_filter(tmp_path, capsys, monkeypatch, hook):
    monkeypatch.setenv("HOOK_URL", hook.url("/secret-path-token-1234567890"))
    cfg, db = write_config(tmp_path, hook.url())
    factory = open_db(db)
    now = datetime.now(UTC)
    [aid] = record_and_enqueue(factory, AlertPolicy(), ["hook"], now=now, title="KCNA <reply> & more")
    code, out, _ = run(capsys, "--config", str(cfg), "alerts", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert {"id", "development_id", "kind", "title", "created_at", "status", "article_urls"} <= set(row)
    assert row["id"] == aid and row["status"] == "pending" and row["title"] == "KCNA <reply> & more"
    assert row["created_at"].endswith("Z") and len(row["article_urls"]) == 3
    assert json.loads(run(capsys, "--config", str(cfg), "alerts", "--json", "--status", "sent")[1]) == []
    code, out, _ = run(capsys, "--config", str(cfg), "alerts")
    assert code == 0 and "pending" in out and str(aid) in out


def test_retry_resets_failed_alerts_and_errors_are_redacted(tmp_path, capsys, monkeypatch):
    with WebhookServer() as dead:
        secret_url = dead.url("/tok-ABCDEFGHIJKLMNOPQRSTUV")
    monkeypatch.setenv("HOOK_URL", secret_url)
    cfg, db = write_config(tmp_path, secret_url, "alert_policy:\n  max_attempts: 1\n")
    factory = open_db(db)
    now = datetime.now(UTC)
    [aid] = record_and_enqueue(factory, AlertPolicy(), ["hook"], now=now)
    from alerting.policy import ChannelSpec, resolve_channels

    channels = resolve_channels({"hook": ChannelSpec(url=secret_url)}, env={})
    outbox.deliver_pending(factory, AlertPolicy(max_attempts=1), channels, now=now)
    code, out, _ = run(capsys, "--config", str(cfg), "alerts", "--json", "--status", "failed")
    [row] = json.loads(out)
    assert row["id"] == aid and row["last_error"] and "ABCDEFGHIJKLMNOPQRSTUV" not in out
    code, out, err = run(capsys, "--config", str(cfg), "alerts", "show", str(aid))
    assert code == 0 and "FAILED" in out and "ABCDEFGHIJKLMNOPQRSTUV" not in out + err
    code, out, _ = run(capsys, "--config", str(cfg), "alerts", "retry", "--json")
    assert code == 0 and json.loads(out)["reset"] == [aid]
    with factory() as s:
        alert = q.get_alert(s, aid)
    assert alert is not None and alert.status == "pending" and alert.attempts == 0


def test_mute_and_unmute(tmp_path, capsys):
    cfg, db = write_config(tmp_path, None)
    code, out, _ = run(capsys, "--config", str(cfg), "mute", "families_position", "--until", "2h", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "families_position" and data["watch"] == "*"
    factory = open_db(db)
    now = datetime.now(UTC)
    with factory() as s:
        assert q.is_muted(s, "anything", "families_position", now)
        assert not q.is_muted(s, "anything", "families_position", now + timedelta(hours=3))
    assert run(capsys, "--config", str(cfg), "mute", "--all", "--until", "2030-01-01T00:00:00Z")[0] == 0
    code, _, err = run(capsys, "--config", str(cfg), "mute", "no_such_kind", "--until", "1h")
    assert code == 2 and "unknown kind" in err
    code, _, err = run(capsys, "--config", str(cfg), "mute", "--all", "--until", "soon")
    assert code == 2 and "--until" in err
    code, out, _ = run(capsys, "--config", str(cfg), "unmute", "--all")
    assert code == 0 and "removed 2 mutes" in out
    with factory() as s:
        assert q.list_mutes(s) == []


def test_notify_test_reports_each_channel_and_fails_when_one_fails(tmp_path, capsys, monkeypatch, hook):
    with WebhookServer() as dead:
        dead_url = dead.url("/down")
    monkeypatch.setenv("HOOK_URL", hook.url("/ok"))
    monkeypatch.setenv("DEAD_URL", dead_url)
    cfg, _ = write_config(tmp_path, hook.url(), "")
    code, out, _ = run(capsys, "--config", str(cfg), "notify", "test", "--json")
    assert code == 0
    assert json.loads(out) == [{"channel": "hook", "url": "json://***", "ok": True, "error": None}]
    assert hook.received()[0].json()["title"].startswith("[storywatch] Test")
    cfg.write_text(cfg.read_text() + "  dead:\n    url: env:DEAD_URL\n")
    code, out, _ = run(capsys, "--config", str(cfg), "notify", "test")
    assert code == 1
    assert "ok      hook  json://***" in out and "FAILED  dead  json://***" in out
    assert "127.0.0.1" not in out or "/down" not in out


def test_missing_channel_secret_is_a_config_error_naming_the_key(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("HOOK_URL", raising=False)
    cfg, _ = write_config(tmp_path, "x")
    code, _, err = run(capsys, "--config", str(cfg), "notify", "test")
    assert code == 2 and "channels.hook.url: ${HOOK_URL} is not set" in err


def test_digest_command_sends_now_and_nothing_when_empty(tmp_path, capsys, monkeypatch, hook):
    monkeypatch.setenv("HOOK_URL", hook.url())
    cfg, db = write_config(tmp_path, hook.url(), "alert_policy:\n  digest_kinds: [families_position]\n")
    code, out, _ = run(capsys, "--config", str(cfg), "digest")
    assert code == 0 and "nothing for the digest" in out
    factory = open_db(db)
    now = datetime.now(UTC) - timedelta(minutes=1)
    policy = AlertPolicy(digest_kinds=["families_position"])
    for i in range(3):
        with transaction(factory) as s:
            from tests.alert_world import FakeDecision, add_development

            dev = add_development(s, kind="families_position", title=f"Families statement {i}", when=now)
            outbox.enqueue(s, watch_name="takaichi-kim", policy=policy, channels=["hook"], development=dev,
                           decision=FakeDecision(dev.id, dev.kind), now=now)
    code, out, _ = run(capsys, "--config", str(cfg), "digest", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["sent"] == 1 and data["digests"][0]["entries"] == 3
    assert len(hook.received()) == 1
