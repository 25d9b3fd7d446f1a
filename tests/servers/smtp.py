"""An SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class ReceivedMail:
    """One message as the server received it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def part(self, subtype: str) -> str:
        """The decoded text of the first ``text/<subtype>`` part ('' when absent)."""
        for p in self.message.walk():
            if p.get_content_type() == f"text/{subtype}":
                return str(p.get_content())
        return ""

    @property
    def text(self) -> str:
        return "\n".join(
            str(p.get_content()) for p in self.message.walk() if p.get_content_maintype() == "text"
        )


@dataclass
class _Handler:
    messages: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse: bool = False

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode()
        msg = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append(ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), msg))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """``with SmtpServer() as smtp:`` -> a plain-SMTP server at ``smtp.port``; ``smtp.messages``."""

    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = _free_port()
        self.controller: Any = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.handler.lock:
            return list(self.handler.messages)

    def set_refusing(self, refuse: bool) -> None:
        """While refusing, every recipient gets a temporary 451 failure."""
        self.handler.refuse = refuse

    def apprise_url(self, to: str = "desk@example.org", sender: str = "storywatch@example.org") -> str:
        """The Apprise URL that delivers to this server over plain SMTP (no TLS, no login)."""
        return f"mailto://127.0.0.1:{self.port}?smtp=127.0.0.1&from={sender}&to={to}&mode=insecure"

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
