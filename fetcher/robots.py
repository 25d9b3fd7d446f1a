"""robots.txt rules per host (RFC 9309 semantics on top of urllib.robotparser)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

ROBOTS_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class RobotsRules:
    """What one host's robots.txt says; ``None`` parser means allow-all or disallow-all."""

    parser: RobotFileParser | None
    disallow_all: bool = False
    reason: str = ""

    def allowed(self, agent: str, url: str) -> bool:
        """True when ``agent`` may fetch ``url``."""
        if self.disallow_all:
            return False
        if self.parser is None:
            return True
        return self.parser.can_fetch(agent, url)

    def crawl_delay(self, agent: str) -> float | None:
        """The Crawl-delay for ``agent`` in seconds, if the file sets one."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None


def rules_from_response(status: int, body: bytes) -> RobotsRules:
    """Rules for a robots.txt answer: 2xx parsed; 4xx allow all; 5xx disallow all (RFC 9309 2.3.1)."""
    if 200 <= status < 300:
        parser = RobotFileParser()
        parser.parse(body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace").splitlines())
        return RobotsRules(parser)
    if 400 <= status < 500:
        return RobotsRules(None, reason=f"robots.txt HTTP {status}: allow all")
    return RobotsRules(None, disallow_all=True, reason=f"robots.txt HTTP {status}: unreachable, disallow all")


def unreachable_rules(reason: str) -> RobotsRules:
    """Rules when robots.txt could not be fetched at all: disallow all (RFC 9309 2.3.1.4)."""
    return RobotsRules(None, disallow_all=True, reason=f"robots.txt unreachable ({reason}): disallow all")
