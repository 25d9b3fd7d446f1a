"""Minor developments and updates are batched into a scheduled digest, sent only when non-empty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerting import outbox
from alerting.policy import AlertPolicy, ChannelSpec, resolve_channels
from tests.alert_world import T0, open_db, record_and_enqueue, statuses
from tests.servers.smtp import SmtpServer
from tests.servers.webhook import WebhookServer

POLICY = AlertPolicy.model_validate({
    "digest_kinds": ["families_stance", "seoul_mediation"],
    "digest": {"at": "08:00", "tz": "Asia/Tokyo"},  # 23:00 UTC the day before
})


def test_three_minor_developments_make_one_digest_and_an_empty_day_sends_nothing(sqlite_url):
    factory = open_db(sqlite_url)
    with WebhookServer() as hook, SmtpServer() as smtp:
        channels = resolve_channels({"hook": ChannelSpec(url=hook.url()),
                                     "mail": ChannelSpec(url=smtp.apprise_url())}, env={})
        titles = ["Families ask for a meeting & answers", "Seoul offers to pass a message <quietly>",
                  "Families' association issues new statement"]
        kinds = ["families_stance", "seoul_mediation", "families_stance"]
        for hours, (title, kind) in zip((1, 5, 10), zip(titles, kinds, strict=True), strict=True):
            now = T0 + timedelta(hours=hours)
            record_and_enqueue(factory, POLICY, ["hook", "mail"], now=now, kind=kind, title=title)
            # immediate delivery passes never send digest-mode alerts
            assert outbox.deliver_pending(factory, POLICY, channels, now=now).deliveries == ()
            # the previous slot (08:00 JST today) came before these alerts: nothing due yet
            assert outbox.send_scheduled_digests(factory, POLICY, channels, now=now).digests == ()
        assert hook.received() == [] and smtp.messages == []

        slot = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
        report = outbox.send_scheduled_digests(factory, POLICY, channels, now=slot + timedelta(minutes=5))
        assert sorted((w, c, n) for w, c, _, n in report.digests) == [("takaichi-kim", "hook", 3),
                                                                      ("takaichi-kim", "mail", 3)]
        assert report.sent == 2
        # later cycles the same day and the whole next (empty) day send nothing
        for later in (slot + timedelta(minutes=30), slot + timedelta(hours=12), slot + timedelta(days=1, minutes=5)):
            assert outbox.send_scheduled_digests(factory, POLICY, channels, now=later).digests == ()
            assert outbox.deliver_pending(factory, POLICY, channels, now=later).deliveries == ()
        got = hook.received()
        mails = smtp.messages
    assert len(got) == 1
    body = got[0].json()
    assert body["title"].startswith("[storywatch] Digest: 3 developments")
    for t in titles:
        assert t in body["message"]
    assert body["message"].count("https://news0.example.org/") == 3
    assert len(mails) == 1
    html = mails[0].part("html")
    assert "Seoul offers to pass a message &lt;quietly&gt;" in html
    assert "Families ask for a meeting &amp; answers" in html
    assert set(statuses(factory).values()) == {"sent"}


def test_manual_digest_sends_now_and_nothing_when_empty(sqlite_url):
    factory = open_db(sqlite_url)
    with WebhookServer() as hook:
        channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
        assert outbox.send_digest(factory, POLICY, channels, now=T0).digests == ()
        record_and_enqueue(factory, POLICY, ["hook"], now=T0, kind="families_stance", title="One item")
        report = outbox.send_digest(factory, POLICY, channels, now=T0 + timedelta(minutes=1))
        assert report.sent == 1
        assert outbox.send_digest(factory, POLICY, channels, now=T0 + timedelta(minutes=2)).digests == ()
        assert len(hook.received()) == 1
        assert hook.received()[0].json()["title"].startswith("[storywatch] Digest: 1 development ")


def test_digest_retried_when_channel_down(sqlite_url):
    factory = open_db(sqlite_url)
    with WebhookServer() as hook:
        channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
        ids = record_and_enqueue(factory, POLICY, ["hook"], now=T0, kind="families_stance", title="Item")
        hook.down = True
        report = outbox.send_digest(factory, POLICY, channels, now=T0)
        assert report.sent == 0 and len(report.digests) == 1
        assert statuses(factory)[ids[0]] == "batched"
        hook.down = False
        later = T0 + timedelta(hours=1)
        assert outbox.send_digest(factory, POLICY, channels, now=later).digests == ()  # nothing new to batch
        retry = outbox.deliver_pending(factory, POLICY, channels, now=later)  # the digest row is retried
        assert retry.sent_ids == (report.digests[0][2],)
        assert statuses(factory)[ids[0]] == "sent"
        assert len(hook.received()) == 1
