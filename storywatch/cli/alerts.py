"""Alert commands: alerts (list / retry / show), mute, unmute, notify test, digest.

Only argument parsing and presentation live here; the outbox is ``alerting.outbox`` and its
SQL ``storage.alerts``. Every line printed goes through ``alerting.redact``.
"""

from __future__ import annotations

import argparse
import os
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from storywatch.cli import CliContext, iso, parse_when, table
from storywatch.errors import ConfigError

if TYPE_CHECKING:
    from alerting.policy import AlertPolicy, ResolvedChannel
    from storage.models import Alert

_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
STATUSES = ("pending", "batched", "sent", "failed", "expired", "muted", "superseded")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add alerts, mute, unmute, notify and digest."""
    p = sub.add_parser("alerts", help="list alerts and their delivery status (or retry them)",
                       description="List the alert outbox, newest first. Subcommands: retry, show.")
    p.add_argument("--json", action="store_true", help="JSON: [{id, development_id, kind, title, created_at, "
                   "status, article_urls, watch, channel, mode, severity, attempts, ...}]")
    p.add_argument("--status", choices=STATUSES, help="only alerts with this status")
    p.add_argument("--watch", metavar="NAME", help="only this watch's alerts")
    p.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    p.set_defaults(handler=cmd_alerts)
    asub = p.add_subparsers(dest="alerts_command", metavar="SUBCOMMAND")
    r = asub.add_parser("retry", help="reset failed/expired alerts to pending",
                        description="Reset failed and expired alerts (or the given ids, muted ones too) to "
                        "pending so the next run delivers them. Prints the ids reset.")
    r.add_argument("ids", nargs="*", type=int, metavar="ID")
    r.add_argument("--deliver", action="store_true", help="deliver them now instead of at the next run")
    r.add_argument("--json", action="store_true", help="JSON: {reset: [ids], delivered: n}")
    r.set_defaults(handler=cmd_alerts_retry)
    s = asub.add_parser("show", help="one alert, its message and every delivery attempt")
    s.add_argument("id", type=int, metavar="ID")
    s.add_argument("--json", action="store_true", help="JSON: the alert's fields plus attempts and payload")
    s.set_defaults(handler=cmd_alerts_show)

    p = sub.add_parser("mute", help="mute a kind (or everything) until a time",
                       description="Suppress alerts of KIND (or --all kinds) until --until. Alerts recorded "
                       "while muted are kept with status 'muted' and are not sent (see 'alerts retry ID').")
    p.add_argument("kind", nargs="?", metavar="KIND", help="the development kind to mute (e.g. background); or use --all")
    p.add_argument("--all", action="store_true", help="every kind")
    p.add_argument("--until", required=True, metavar="ISO|DURATION",
                   help="an ISO-8601 time or a duration from now such as 2h, 30m, 1d, 1d12h")
    p.add_argument("--watch", metavar="NAME", help="only this watch (default: all watches)")
    p.add_argument("--json", action="store_true", help="JSON: {watch, kind, until}")
    p.set_defaults(handler=cmd_mute)

    p = sub.add_parser("unmute", help="lift a mute", description="Remove the mute of KIND (or --all mutes).")
    p.add_argument("kind", nargs="?", metavar="KIND", help="the kind to unmute; or use --all")
    p.add_argument("--all", action="store_true", help="every mute (of --watch, if given)")
    p.add_argument("--watch", metavar="NAME", help="only this watch's mutes")
    p.set_defaults(handler=cmd_unmute)

    p = sub.add_parser("notify", help="channel checks", description="Channel checks. Subcommand: test.")
    nsub = p.add_subparsers(dest="notify_command", metavar="SUBCOMMAND")
    nsub.required = True
    t = nsub.add_parser("test", help="send a test message to every configured channel",
                        description="Send a test message to every configured channel and report each "
                        "result. Exit 1 if any channel failed.")
    t.add_argument("--channel", action="append", metavar="NAME", help="only this channel (repeatable)")
    t.add_argument("--json", action="store_true", help="JSON: [{channel, url, ok, error}]")
    t.set_defaults(handler=cmd_notify_test)

    p = sub.add_parser("digest", help="send the digest now",
                       description="Batch pending digest alerts (minor kinds, updates) recorded up to --as-of "
                       "into one message per channel and send it. Sends nothing when there is nothing.")
    p.add_argument("--as-of", type=parse_when, metavar="ISO-8601", help="include alerts recorded up to "
                   "this time (default: now)")
    p.add_argument("--json", action="store_true", help="JSON: {digests: [{watch, channel, alert_id, entries}], "
                   "sent}")
    p.set_defaults(handler=cmd_digest)


# -- helpers ------------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(UTC)


def parse_until(text: str, now: datetime) -> datetime:
    """An ISO-8601 time or a duration (``2h``, ``30m``, ``1d12h``) after ``now``."""
    m = _DURATION.match(text.strip().lower())
    if text.strip() and m and any(m.groups()):
        w, d, h, mi, s = (int(g or 0) for g in m.groups())
        return now + timedelta(weeks=w, days=d, hours=h, minutes=mi, seconds=s)
    try:
        return parse_when(text)
    except argparse.ArgumentTypeError:
        raise ConfigError(f"--until: expected an ISO-8601 time or a duration like 2h, 30m, 1d (got {text!r})") \
            from None


def _channels(ctx: CliContext) -> dict[str, ResolvedChannel]:
    from alerting.errors import ChannelConfigError
    from alerting.policy import resolve_channels

    cfg = ctx.config
    try:
        return resolve_channels(cfg.channels, dict(os.environ), cfg.secrets_file)
    except ChannelConfigError as exc:
        raise ConfigError(str(exc)) from None


def _secrets_quiet(ctx: CliContext) -> list[str]:
    from alerting.policy import all_secrets

    try:
        return all_secrets(_channels(ctx))
    except ConfigError:
        return []


def _policies(ctx: CliContext) -> dict[str, AlertPolicy]:
    return {w.name: w.policy for w in ctx.config.watches}


def _known_kinds(ctx: CliContext) -> set[str]:
    kinds = {"source_health", "digest"}
    for w in ctx.config.watches:
        kinds.update((getattr(w.spec, "kinds", None) or {}).keys())
    return kinds


def alert_json(a: Alert, secrets: list[str]) -> dict[str, Any]:
    """The stable JSON of one alert (``storywatch alerts --json``)."""
    from alerting.redact import redact

    payload = a.payload or {}
    return {
        "id": a.id,
        "development_id": a.development_id,
        "kind": a.kind,
        "title": a.title,
        "created_at": iso(a.created_at),
        "status": a.status,
        "article_urls": list(payload.get("article_urls") or [link.get("url") for link in payload.get("links", [])]),
        "watch": a.watch,
        "channel": a.channel,
        "mode": a.mode,
        "severity": a.severity,
        "revision": a.revision,
        "attempts": a.attempts,
        "next_attempt_at": iso(a.next_attempt_at),
        "delivered_at": iso(a.delivered_at),
        "expires_at": iso(a.expires_at),
        "last_error": redact(a.last_error, secrets) if a.last_error else None,
    }


# -- commands -----------------------------------------------------------------------------

def cmd_alerts(args: argparse.Namespace, ctx: CliContext) -> int:
    """List alerts."""
    from alerting.redact import redact
    from storage import alerts as q

    with ctx.session_factory()() as s:
        rows = q.list_alerts(s, status=args.status, watch=args.watch, limit=args.limit)
    secrets = _secrets_quiet(ctx)
    data = [alert_json(a, secrets) for a in rows]
    if args.json:
        ctx.print_json(data)
        return 0
    if not data:
        ctx.out.write("no alerts" + (f" with status {args.status}" if args.status else "") + "\n")
        return 0
    ctx.out.write(table([[d["id"], d["created_at"], d["status"], d["channel"], d["mode"], d["kind"],
                          d["attempts"], redact(d["title"], secrets)] for d in data],
                        ["ID", "CREATED", "STATUS", "CHANNEL", "MODE", "KIND", "TRIES", "TITLE"]) + "\n")
    failing = [d for d in data if d["last_error"] and d["status"] in ("pending", "failed", "expired")]
    for d in failing[:10]:
        ctx.out.write(f"  #{d['id']} {d['status']}: {d['last_error']}\n")
    return 0


def cmd_alerts_retry(args: argparse.Namespace, ctx: CliContext) -> int:
    """Reset failed/expired alerts to pending (optionally deliver at once)."""
    from alerting import outbox
    from storage import alerts as q
    from storage.db import transaction

    now = _now()
    hours = max(w.policy.expire_after_hours for w in ctx.config.watches)
    with transaction(ctx.session_factory()) as s:
        reset = q.retry_alerts(s, args.ids or None, now, now + timedelta(hours=hours))
    delivered = 0
    if args.deliver and reset:
        report = outbox.deliver_pending(ctx.session_factory(), _policies(ctx), _channels(ctx), now=now,
                                        console=ctx.err if args.json else ctx.out, only_ids=reset)
        delivered = report.delivered
    if args.json:
        ctx.print_json({"reset": reset, "delivered": delivered})
    elif reset:
        ctx.out.write(f"reset to pending: {', '.join(map(str, reset))}"
                      + (f"; delivered {delivered}" if args.deliver else " (delivered by the next run)") + "\n")
    else:
        ctx.out.write("nothing to retry\n")
    missing = sorted(set(args.ids or []) - set(reset))
    if missing:
        ctx.err.write(f"not reset (unknown, or already pending/sent): {', '.join(map(str, missing))}\n")
    return 0


def cmd_alerts_show(args: argparse.Namespace, ctx: CliContext) -> int:
    """One alert, its rendered message and its attempts."""
    from alerting.messages import render
    from alerting.redact import redact
    from storage import alerts as q

    with ctx.session_factory()() as s:
        alert = q.get_alert(s, args.id)
        if alert is None:
            ctx.err.write(f"storywatch: no alert with id {args.id}\n")
            return 1
        attempts = q.attempts_of(s, alert.id)
    secrets = _secrets_quiet(ctx)
    data = alert_json(alert, secrets)
    data["attempts_log"] = [{"at": iso(a.attempted_at), "ok": a.ok,
                             "error": redact(a.error, secrets) if a.error else None} for a in attempts]
    if args.json:
        data["payload"] = alert.payload
        ctx.print_json(data)
        return 0
    title, body = render(alert.payload, "text")
    ctx.out.write(f"alert {alert.id}: {data['status']} via {alert.channel} ({alert.mode}, {alert.severity})\n")
    ctx.out.write(f"{title}\n\n{body}\n")
    for a in data["attempts_log"]:
        ctx.out.write(f"  {a['at']}  {'ok' if a['ok'] else 'FAILED'}  {a['error'] or ''}\n")
    return 0


def cmd_mute(args: argparse.Namespace, ctx: CliContext) -> int:
    """Mute a kind or everything until a time."""
    from storage import alerts as q
    from storage.db import transaction

    kind = _kind_arg(args, ctx)
    watch = _watch_arg(args, ctx)
    now = _now()
    until = parse_until(args.until, now)
    if until <= now:
        raise ConfigError(f"--until: {iso(until)} is in the past")
    with transaction(ctx.session_factory()) as s:
        q.set_mute(s, watch, kind, until, now)
    if args.json:
        ctx.print_json({"watch": watch, "kind": kind, "until": iso(until)})
    else:
        what = "all kinds" if kind == "*" else kind
        where = "all watches" if watch == "*" else f"watch {watch}"
        ctx.out.write(f"muted {what} of {where} until {iso(until)}\n")
    return 0


def cmd_unmute(args: argparse.Namespace, ctx: CliContext) -> int:
    """Lift mutes."""
    from storage import alerts as q
    from storage.db import transaction

    if args.all and args.kind:
        raise ConfigError("unmute: give KIND or --all, not both")
    if not args.all and not args.kind:
        raise ConfigError("unmute: give KIND or --all")
    watch = _watch_arg(args, ctx) if args.watch else None
    with transaction(ctx.session_factory()) as s:
        n = q.remove_mutes(s, watch, None if args.all else args.kind)
    ctx.out.write(f"removed {n} mute{'s' if n != 1 else ''}\n")
    return 0


def _kind_arg(args: argparse.Namespace, ctx: CliContext) -> str:
    if args.all and args.kind:
        raise ConfigError("mute: give KIND or --all, not both")
    if args.all:
        return "*"
    if not args.kind:
        raise ConfigError("mute: give KIND or --all")
    known = _known_kinds(ctx)
    if len(known) > 2 and args.kind not in known:
        raise ConfigError(f"mute: unknown kind {args.kind!r} (known: {', '.join(sorted(known))})")
    return str(args.kind)


def _watch_arg(args: argparse.Namespace, ctx: CliContext) -> str:
    if not args.watch:
        return "*"
    if args.watch not in ctx.watch_names:
        raise ConfigError(f"--watch: {args.watch!r} is not configured (have: {', '.join(ctx.watch_names)})")
    return str(args.watch)


def cmd_notify_test(args: argparse.Namespace, ctx: CliContext) -> int:
    """Send a test message to every configured channel; exit 1 if any failed."""
    from alerting.messages import render
    from alerting.outbox import send_message
    from alerting.policy import console_channel
    from alerting.redact import redact

    channels = _channels(ctx) or {"console": console_channel()}
    if args.channel:
        unknown = sorted(set(args.channel) - set(channels))
        if unknown:
            raise ConfigError(f"--channel: not configured: {', '.join(unknown)} (have: {', '.join(channels)})")
        channels = {k: v for k, v in channels.items() if k in args.channel}
    secrets = [s for c in channels.values() for s in c.secrets]
    now = _now()
    payload = {"event": "test", "kind": "test", "kind_label": "Test",
               "headline": "storywatch can reach this channel", "when": now.isoformat(),
               "key_sentences": ["This is a test message sent by 'storywatch notify test'."], "links": []}
    results = []
    for name, channel in channels.items():
        title, body = render(payload, channel.format)
        ok, error = send_message(channel, title, body, fmt=channel.format, console=ctx.err if args.json else ctx.out)
        results.append({"channel": name, "url": channel.display, "ok": ok,
                        "error": redact(error, secrets) if error else None})
    if args.json:
        ctx.print_json(results)
    else:
        for r in results:
            ctx.out.write(f"{'ok    ' if r['ok'] else 'FAILED'}  {r['channel']}  {r['url']}"
                          + (f"  {r['error']}" if r["error"] else "") + "\n")
    return 0 if all(r["ok"] for r in results) else 1


def cmd_digest(args: argparse.Namespace, ctx: CliContext) -> int:
    """Send the digest now."""
    from alerting import outbox

    now = _now()
    until = args.as_of or now
    report = outbox.send_digest(ctx.session_factory(), _policies(ctx), _channels(ctx), now=max(now, until),
                                until=until, console=ctx.err if args.json else ctx.out)
    digests = [{"watch": w, "channel": c, "alert_id": i, "entries": n,
                "sent": i in report.delivery.sent_ids} for w, c, i, n in report.digests]
    if args.json:
        ctx.print_json({"digests": digests, "sent": report.sent, "errors": report.delivery.errors})
    elif not digests:
        ctx.out.write("nothing for the digest\n")
    else:
        for d in digests:
            ctx.out.write(f"{'sent  ' if d['sent'] else 'queued'}  {d['channel']}  {d['entries']} entries "
                          f"(alert {d['alert_id']})\n")
        for e in report.delivery.errors:
            ctx.out.write(f"  {e}\n")
    return 0 if all(d["sent"] for d in digests) else 1
