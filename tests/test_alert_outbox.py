"""The outbox delivers through real receivers on 127.0.0.1, exactly once, with retries."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from alerting import outbox
from alerting.policy import AlertPolicy, ChannelSpec, resolve_channels
from storage import alerts as q
from storage.db import transaction
from tests.alert_world import (
    EVIL_TITLE,
    T0,
    WATCH,
    FakeDecision,
    add_development,
    open_db,
    record_and_enqueue,
    statuses,
)
from tests.servers.smtp import SmtpServer
from tests.servers.webhook import WebhookServer


@pytest.fixture
def factory(db_url: str) -> sessionmaker[Session]:
    return open_db(db_url)


@pytest.fixture
def hook():
    with WebhookServer() as server:
        yield server


def test_enqueue_is_idempotent_and_payload_serves_a_reader(factory):
    policy = AlertPolicy()
    with transaction(factory) as s:
        dev = add_development(s)
        decision = FakeDecision(dev.id, dev.kind)
        first = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["a", "b"], development=dev,
                               decision=decision, now=T0)
        again = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["a", "b"], development=dev,
                               decision=decision, now=T0)
    assert len(first) == 2 and again == []
    with factory() as s:
        alert = q.get_alert(s, first[0])
        assert alert is not None
        assert alert.idempotency_key == f"{WATCH}:{dev.id}:a:1"
        p = alert.payload
    assert p["kind_label"] == "Pyongyang reply"
    assert p["headline"] == EVIL_TITLE
    assert p["first_reporter"] == "Kyodo News" and p["outlets"] == 3
    assert 2 <= len(p["key_sentences"]) <= 3
    assert len(p["links"]) == 3 and p["links"][0]["url"].startswith("https://news0.example.org/")


def test_no_channels_means_console(factory):
    ids = record_and_enqueue(factory, AlertPolicy(), [])
    out = io.StringIO()
    report = outbox.deliver_pending(factory, AlertPolicy(), {}, now=T0, console=out)
    assert report.sent_ids == tuple(ids) and len(ids) == 1
    text = out.getvalue()
    assert "[storywatch] Pyongyang reply: " in text and "First reported by: Kyodo News" in text
    assert "Carried by: 3 outlets" in text and "https://news0.example.org/" in text
    # a second pass sends nothing
    out2 = io.StringIO()
    assert outbox.deliver_pending(factory, AlertPolicy(), {}, now=T0, console=out2).delivered == 0
    assert out2.getvalue() == ""


def test_irrelevant_or_unchanged_decisions_enqueue_nothing(factory):
    policy = AlertPolicy()
    with transaction(factory) as s:
        dev = add_development(s)
        for d in (FakeDecision(dev.id, dev.kind, relevant=False),
                  FakeDecision(dev.id, dev.kind, created=False),
                  FakeDecision(dev.id, dev.kind, created=True, is_new=False)):
            assert outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["x"], development=dev,
                                  decision=d, now=T0) == []


def test_webhook_and_email_receive_escaped_messages_with_links(factory, hook):
    with SmtpServer() as smtp:
        channels = resolve_channels({
            "hook": ChannelSpec(url=hook.url("/alerts")),
            "mail": ChannelSpec(url=smtp.apprise_url()),
        }, env={})
        assert channels["mail"].format == "html"
        policy = AlertPolicy()
        ids = record_and_enqueue(factory, policy, ["hook", "mail"])
        report = outbox.deliver_pending(factory, policy, channels, now=T0)
        assert sorted(report.sent_ids) == sorted(ids) and report.failed == 0
        mails = smtp.messages
    assert len(mails) == 1
    mail = mails[0]
    assert mail.subject == f"[storywatch] Pyongyang reply: {EVIL_TITLE}"
    html = mail.part("html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Tokyo&quot;" in html
    assert "&lt;b&gt;answers&lt;/b&gt;" in html
    assert 'href="https://news0.example.org/story/' in html and "?a=1&amp;b=2" in html
    assert "Kyodo News" in html and "3 outlets" in html

    got = hook.received()
    assert len(got) == 1 and got[0].path == "/alerts"
    body = got[0].json()
    assert body["title"] == f"[storywatch] Pyongyang reply: {EVIL_TITLE}"
    assert "https://news1.example.org/story/" in body["message"]
    assert "First reported by: Kyodo News" in body["message"]


def test_receiver_down_twice_then_up_delivers_exactly_once(factory, hook):
    policy = AlertPolicy.model_validate({"retry": {"base_seconds": 60, "factor": 2}})
    channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
    [alert_id] = record_and_enqueue(factory, policy, ["hook"])
    hook.down = True
    r1 = outbox.deliver_pending(factory, policy, channels, now=T0)
    assert r1.retrying_ids == (alert_id,) and r1.failed == 1 and "503" in r1.errors[0]
    # not due yet: nothing is tried before the backoff ends
    assert outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(seconds=59)).deliveries == ()
    r2 = outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(seconds=60))
    assert r2.retrying_ids == (alert_id,)
    hook.down = False
    assert outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(seconds=179)).deliveries == ()
    r3 = outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(seconds=180))
    assert r3.sent_ids == (alert_id,)
    assert outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(days=1)).deliveries == ()
    assert len(hook.received()) == 1 and len(hook.rejected) == 2
    with factory() as s:
        attempts = q.attempts_of(s, alert_id)
        alert = q.get_alert(s, alert_id)
    assert [a.ok for a in attempts] == [False, False, True]
    assert alert is not None and alert.status == "sent" and alert.attempts == 3


def test_connection_refused_then_max_attempts_marks_failed(factory):
    policy = AlertPolicy.model_validate({"max_attempts": 2, "retry": {"base_seconds": 1}})
    with WebhookServer() as dead:
        url = dead.url()
    channels = resolve_channels({"hook": ChannelSpec(url=url)}, env={})
    [alert_id] = record_and_enqueue(factory, policy, ["hook"])
    outbox.deliver_pending(factory, policy, channels, now=T0)
    r = outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(seconds=5))
    assert r.failed_ids == (alert_id,)
    assert statuses(factory)[alert_id] == "failed"
    with factory() as s:
        assert len(q.attempts_of(s, alert_id)) == 2


def test_expiry(factory, hook):
    policy = AlertPolicy.model_validate({"expire_after_hours": 1})
    channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
    [alert_id] = record_and_enqueue(factory, policy, ["hook"])
    r = outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(hours=2))
    assert r.expired_ids == (alert_id,) and hook.received() == []
    with transaction(factory) as s:
        assert q.retry_alerts(s, [alert_id], T0 + timedelta(hours=2), T0 + timedelta(hours=3)) == [alert_id]
    assert outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(hours=2)).sent_ids == (alert_id,)


def test_quiet_hours_hold_non_urgent_and_let_critical_through(factory, hook):
    # 03:00 UTC is 12:00 in Tokyo; quiet 11:00-13:00 Tokyo.
    policy = AlertPolicy.model_validate({
        "quiet_hours": {"start": "11:00", "end": "13:00", "tz": "Asia/Tokyo", "bypass": ["critical"]},
        "severity": {"pyongyang_reply": "critical", "families_stance": "normal"},
    })
    channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
    [urgent] = record_and_enqueue(factory, policy, ["hook"], kind="pyongyang_reply")
    [calm] = record_and_enqueue(factory, policy, ["hook"], kind="families_stance", title="Families meet")
    r = outbox.deliver_pending(factory, policy, channels, now=T0)
    assert r.sent_ids == (urgent,)
    assert outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(minutes=59)).sent_ids == ()
    assert outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(hours=1)).sent_ids == (calm,)
    assert len(hook.received()) == 2


def test_mute_per_kind_until_a_time(factory, hook):
    policy = AlertPolicy()
    channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
    with transaction(factory) as s:
        q.set_mute(s, WATCH, "families_stance", T0 + timedelta(hours=1), T0)
    [muted] = record_and_enqueue(factory, policy, ["hook"], kind="families_stance", title="Families meet")
    [loud] = record_and_enqueue(factory, policy, ["hook"], kind="pyongyang_reply")
    assert outbox.deliver_pending(factory, policy, channels, now=T0).sent_ids == (loud,)
    assert statuses(factory)[muted] == "muted"
    later = T0 + timedelta(hours=2)
    [after] = record_and_enqueue(factory, policy, ["hook"], kind="families_stance", title="Families again",
                                 now=later)
    assert outbox.deliver_pending(factory, policy, channels, now=later).sent_ids == (after,)


def test_mute_added_after_enqueue_still_applies(factory, hook):
    policy = AlertPolicy()
    channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
    [alert_id] = record_and_enqueue(factory, policy, ["hook"])
    with transaction(factory) as s:
        q.set_mute(s, "*", "*", T0 + timedelta(hours=1), T0)
    r = outbox.deliver_pending(factory, policy, channels, now=T0)
    assert r.muted == 1 and r.sent_ids == () and statuses(factory)[alert_id] == "muted"


def test_routes_send_kinds_to_named_channels(factory):
    policy = AlertPolicy.model_validate({
        "routes": [{"kinds": ["pyongyang_reply"], "channels": ["desk", "pager"]},
                   {"kinds": ["*"], "channels": ["desk"]}],
        "digest_kinds": ["families_stance"],
    })
    with transaction(factory) as s:
        dev = add_development(s, kind="pyongyang_reply")
        a = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["desk", "pager", "other"],
                           development=dev, decision=FakeDecision(dev.id, dev.kind), now=T0)
        dev2 = add_development(s, kind="families_stance", title="Families")
        b = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["desk", "pager", "other"],
                           development=dev2, decision=FakeDecision(dev2.id, dev2.kind), now=T0)
        rows = {i: r for i in a + b if (r := q.get_alert(s, i)) is not None}
    assert sorted((r.channel, r.mode) for i, r in rows.items() if i in a) == [("desk", "immediate"),
                                                                              ("pager", "immediate")]
    assert [(r.channel, r.mode) for i, r in rows.items() if i in b] == [("desk", "digest")]


def test_update_goes_to_digest_and_escalation_is_immediate(factory):
    policy = AlertPolicy()
    with transaction(factory) as s:
        dev = add_development(s)
        upd = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["c"], development=dev,
                             decision=FakeDecision(dev.id, dev.kind, created=False, updated=True, revision=2),
                             now=T0)
        esc = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["c"], development=dev,
                             decision=FakeDecision(dev.id, dev.kind, created=False, escalated=True,
                                                   revision=3), now=T0)
        u, e = q.get_alert(s, upd[0]), q.get_alert(s, esc[0])
    assert u is not None and u.mode == "digest" and u.payload["event"] == "update"
    assert e is not None and e.mode == "immediate" and e.payload["event"] == "escalation"


def test_source_health_alert_once_per_outage(factory):
    class Src:
        name = "kyodo"
        last_success_at = T0 - timedelta(hours=5)
        consecutive_failures = 6
        last_error = "HTTP 503 from https://user:hunter2@feeds.example.org/rss"

    policy = AlertPolicy()
    with transaction(factory) as s:
        ids = outbox.enqueue_source_health(s, policy=policy, channels=["a"], source=Src(), now=T0)
        again = outbox.enqueue_source_health(s, policy=policy, channels=["a"], source=Src(), now=T0)
    assert len(ids) == 1 and again == []
    out = io.StringIO()
    outbox.deliver_pending(factory, policy, {}, now=T0, console=out)  # channel 'a' not configured
    with factory() as s:
        alert = q.get_alert(s, ids[0])
    assert alert is not None and "hunter2" not in str(alert.payload)
    assert alert.last_error == "channel 'a' is not configured" and alert.status == "pending"


def test_watch_spec_supplies_labels_severity_and_escalation_flags(factory):
    from detection.watch import load_default_watch

    spec = load_default_watch()
    policy = AlertPolicy()
    with transaction(factory) as s:
        dev = add_development(s, kind="pyongyang_response")
        [new] = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["c"], development=dev,
                               decision=FakeDecision(dev.id, dev.kind), now=T0, watch=spec)
        esc = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["c"], development=dev,
                             decision=FakeDecision(dev.id, dev.kind, created=False, updated=True, escalated=True,
                                                   revision=2), now=T0, watch=spec)
        minor = add_development(s, kind="background", title="Analysis piece")
        none = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["c"], development=minor,
                              decision=FakeDecision(minor.id, minor.kind), now=T0, watch=spec)
        fam = add_development(s, kind="families_position", title="Families")
        fam_esc = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["c"], development=fam,
                                 decision=FakeDecision(fam.id, fam.kind, created=False, updated=True,
                                                       escalated=True, revision=2), now=T0, watch=spec)
        a, e, f = q.get_alert(s, new), q.get_alert(s, esc[0]), q.get_alert(s, fam_esc[0])
    assert a is not None and a.severity == "critical"
    assert a.payload["kind_label"] == spec.kinds["pyongyang_response"].label
    assert e is not None and e.mode == "immediate" and e.payload["event"] == "escalation"
    assert none == []  # background is not alert-worthy
    # families_position does not alert on escalation: it is an update for the digest
    assert f is not None and f.mode == "digest" and f.payload["event"] == "update"


def test_digest_kinds_make_minor_kinds_digest_entries(factory):
    from detection.watch import load_default_watch

    spec = load_default_watch()
    policy = AlertPolicy.model_validate({"digest_kinds": ["no_change_status"]})
    with transaction(factory) as s:
        dev = add_development(s, kind="no_change_status", title="Still no word from Pyongyang")
        [aid] = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["c"], development=dev,
                               decision=FakeDecision(dev.id, dev.kind), now=T0, watch=spec)
        alert = q.get_alert(s, aid)
    assert alert is not None and alert.mode == "digest" and alert.severity == "low"


def test_updates_of_one_development_collapse_into_one_digest_entry(factory, hook):
    policy = AlertPolicy()
    channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
    with transaction(factory) as s:
        dev = add_development(s, title="Seoul relays a message")
        for rev in (2, 3, 4):
            outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["hook"], development=dev,
                           decision=FakeDecision(dev.id, dev.kind, created=False, updated=True, revision=rev),
                           now=T0)
    report = outbox.send_digest(factory, policy, channels, now=T0 + timedelta(hours=1))
    assert [n for *_, n in report.digests] == [1] and report.sent == 1
    assert hook.received()[0].json()["message"].count("Seoul relays a message") == 1
    assert set(statuses(factory).values()) == {"sent"}


def test_one_message_per_development_when_revisions_pile_up_before_delivery(factory, hook):
    policy = AlertPolicy()
    channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
    with transaction(factory) as s:
        dev = add_development(s, title="Pyongyang replies to Tokyo")
        [new] = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["hook"], development=dev,
                               decision=FakeDecision(dev.id, dev.kind), now=T0)
        [esc] = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["hook"], development=dev,
                               decision=FakeDecision(dev.id, dev.kind, created=False, updated=True,
                                                     escalated=True, revision=2), now=T0)
    r = outbox.deliver_pending(factory, policy, channels, now=T0)
    assert r.sent_ids == (esc,) and r.superseded == 1
    [msg] = hook.received()
    assert msg.json()["title"] == "[storywatch] Pyongyang reply: Pyongyang replies to Tokyo"  # shown as new
    assert statuses(factory) == {new: "superseded", esc: "sent"}
    # a later escalation of a development the reader has seen says so
    with transaction(factory) as s:
        dev2 = s.merge(dev)
        [esc3] = outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["hook"], development=dev2,
                                decision=FakeDecision(dev.id, dev.kind, created=False, updated=True,
                                                      escalated=True, revision=3), now=T0)
    assert outbox.deliver_pending(factory, policy, channels, now=T0).sent_ids == (esc3,)
    assert hook.received()[1].json()["title"].startswith("[storywatch] Escalation — Pyongyang reply: ")


def test_stale_development_changes_do_not_alert(factory):
    policy = AlertPolicy()
    with transaction(factory) as s:
        dev = add_development(s)
        dev.is_new = False
        for d in (FakeDecision(dev.id, dev.kind, created=False, updated=True, escalated=True, revision=2),
                  FakeDecision(dev.id, dev.kind, created=False, updated=True, revision=3)):
            assert outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=["x"], development=dev,
                                  decision=d, now=T0) == []
