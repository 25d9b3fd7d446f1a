"""Rendering, escaping, redaction and channel resolution (pure functions, literals only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from alerting.errors import ChannelConfigError
from alerting.messages import md_escape, render
from alerting.policy import AlertPolicy, ChannelSpec, resolve_channels
from alerting.redact import redact, url_secrets

PAYLOAD: dict[str, Any] = {
    "event": "new", "kind": "pyongyang_response", "kind_label": "Pyongyang responds", "severity": "critical",
    "headline": 'KCNA <script>alert(1)</script> & "rebuff" [link](javascript:x)',
    "when": "2026-11-20T09:30:00+00:00", "first_reporter": "Wire & Co", "outlets": 4,
    "key_sentences": ["State media called the proposal *empty* & <b>insincere</b>.",
                      "Tokyo said it would keep every channel open."],
    "links": [{"url": "https://wire.example.org/a?x=1&y=2", "source": "Wire & Co", "title": "t"},
              {"url": "javascript:alert(1)", "source": "evil"}],
}


def test_subject_names_the_kind_in_words():
    title, _ = render(PAYLOAD, "text")
    assert title == '[storywatch] Pyongyang responds: KCNA <script>alert(1)</script> & "rebuff" [link](javascript:x)'
    assert "\n" not in title


def test_text_body_has_what_a_busy_reader_needs():
    _, body = render(PAYLOAD, "text")
    assert "When: 2026-11-20 09:30 UTC" in body
    assert "First reported by: Wire & Co" in body and "Carried by: 4 outlets" in body
    assert "- State media called the proposal" in body and "- Tokyo said" in body
    assert "https://wire.example.org/a?x=1&y=2" in body
    assert "javascript:" not in body.split("\n", 1)[1].replace(PAYLOAD["headline"], "")


def test_html_escapes_all_article_text_and_drops_unsafe_links():
    _, body = render(PAYLOAD, "html")
    assert "<script>" not in body and "<b>insincere</b>" not in body
    assert "KCNA &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;rebuff&quot;" in body
    assert "&lt;b&gt;insincere&lt;/b&gt;" in body and "Wire &amp; Co" in body
    assert 'href="https://wire.example.org/a?x=1&amp;y=2"' in body
    assert "href=\"javascript" not in body


def test_markdown_escapes_article_text():
    _, body = render(PAYLOAD, "markdown")
    assert r"\<script\>alert\(1\)\</script\> \& \"rebuff\"" not in body  # quotes are not special
    assert r"KCNA \<script\>alert\(1\)\</script\> \& " in body
    assert r"\[link\]\(javascript:x\)" in body
    assert r"\*empty\*" in body
    assert "(<https://wire.example.org/a?x=1&y=2>)" in body
    assert md_escape("a_b*c") == r"a\_b\*c"


def test_digest_lists_every_entry():
    payload = {"event": "digest", "watch": "w", "watch_title": "Story", "period_end": "2026-11-21T23:00:00+00:00",
               "entries": [dict(PAYLOAD, headline=f"Item {i} <x>") for i in range(3)]}
    for fmt in ("text", "markdown", "html"):
        title, body = render(payload, fmt)
        assert title == "[storywatch] Digest: 3 developments — Story"
        assert body.count("Item ") == 3
    assert "Item 0 &lt;x&gt;" in render(payload, "html")[1]


def test_redact_hides_credentials_and_service_urls():
    url = "mailto://alice:s3cr3t-pass@smtp.example.org:2525?from=a@example.org&to=b@example.org"
    slack = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
    msg = f"failed {url} and {slack} with token TIiajkdnlazkcOXrIdevi7FQ; see https://news.example.org/x"
    out = redact(msg, url_secrets(url) + url_secrets(slack))
    assert "s3cr3t" not in out and "TIiajkdnlazkcOXrIdevi7FQ" not in out and "alice" not in out
    assert "https://news.example.org/x" in out
    assert "***" in out
    assert redact("json://user:pw@127.0.0.1:80/x") == "json://***"
    assert redact("https://user:pw@host/x") == "https://***@host/x"


def test_resolve_channels_from_env_file_and_secrets_file(tmp_path: Path):
    (tmp_path / "url").write_text("json://127.0.0.1:9/from-file\n")
    (tmp_path / "secrets.env").write_text("# comment\nexport HOOK_PASS='pa55word'\n")
    channels = resolve_channels({
        "a": ChannelSpec(url="${HOOK}"),
        "b": ChannelSpec(url="env:HOOK"),
        "c": ChannelSpec(url=f"file:{tmp_path / 'url'}"),
        "d": ChannelSpec(url="json://user:${HOOK_PASS}@127.0.0.1:9/x", format="markdown"),
        "off": ChannelSpec(url="${NOT_SET}", enabled=False),
    }, env={"HOOK": "json://127.0.0.1:9/from-env"}, secrets_file=tmp_path / "secrets.env")
    assert sorted(channels) == ["a", "b", "c", "d"]
    assert channels["a"].url == channels["b"].url == "json://127.0.0.1:9/from-env"
    assert channels["c"].url == "json://127.0.0.1:9/from-file"
    assert channels["d"].url == "json://user:pa55word@127.0.0.1:9/x" and channels["d"].format == "markdown"
    assert "pa55word" in channels["d"].secrets
    assert "pa55word" not in repr(channels["d"]) and channels["d"].display == "json://***"


def test_resolve_errors_name_the_key_never_the_secret():
    with pytest.raises(ChannelConfigError, match=r"channels\.slack\.url: \$\{SLACK_URL\} is not set"):
        resolve_channels({"slack": ChannelSpec(url="${SLACK_URL}")}, env={})
    with pytest.raises(ChannelConfigError) as info:
        resolve_channels({"bad": ChannelSpec(url="nosuchservice://topsecret-token@x")}, env={})
    assert "channels.bad.url" in str(info.value) and "topsecret" not in str(info.value)


def test_policy_rejects_typos_and_bad_time_zones():
    with pytest.raises(ValueError, match="extra"):
        AlertPolicy.model_validate({"rootes": []})
    with pytest.raises(ValueError, match="unknown time zone"):
        AlertPolicy.model_validate({"quiet_hours": {"start": "22:00", "end": "07:00", "tz": "Mars/Olympus"}})


def test_nothing_secret_reaches_the_logs(caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    with pytest.raises(ChannelConfigError):
        resolve_channels({"m": ChannelSpec(url="mailto://bob:hunter2hunter@127.0.0.1:1?from=bad&to=worse")}, env={})
    from alerting.outbox import send_message

    [ch] = resolve_channels({"x": ChannelSpec(url="json://bob:hunter2hunter@127.0.0.1:1/x")}, env={}).values()
    ok, err = send_message(ch, "t", "b", fmt="text")
    assert not ok and err and "hunter2" not in err
    assert "hunter2" not in caplog.text and "h...r" not in caplog.text
