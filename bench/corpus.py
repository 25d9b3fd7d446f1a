"""A synthetic, deterministic news corpus about one developing story, and a 127.0.0.1 server for it.

The story: Japan's Prime Minister Takaichi seeks a summit with Kim Jong Un over the abductions
of Japanese citizens; families campaign, Seoul offers mediation, KCNA answers. Every text here
is generated from this module's own sentence templates.

* :class:`Corpus` -- ``n`` articles spread over ``sites`` outlets and ``feeds`` RSS feeds
  (50-100 items each). Articles are originals, wire copies (exact or lightly edited),
  rewrites of the same event, and off-topic pieces. Pages weigh 30-150 KB with site
  chrome (nav, inline CSS, scripts, JSON-LD, related lists, footers). Same seed, same bytes.
* :func:`serve` -- one stdlib ``ThreadingHTTPServer`` per outlet (each on its own port of
  127.0.0.1, so per-host politeness limits behave as with real sites), answering
  ``If-None-Match``/``If-Modified-Since`` with 304. Pages come from memory (``preload``),
  from a directory written by ``write``, or are generated on request.

Command line (one JSON line on stdout)::

    python -m bench.corpus stats --n 1000            # sizes, kinds, feeds
    python -m bench.corpus write DIR --n 1000        # pages + feeds as files (+ manifest.json)
    python -m bench.corpus serve --n 1000 [--dir DIR] [--preload]   # prints ports and feed URLs
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

STORY_START = datetime(2026, 9, 1, 0, 0, tzinfo=UTC)
STORY_END = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
FEED_MIN, FEED_MAX = 50, 100
HOST = "127.0.0.1"

# --------------------------------------------------------------------------- vocabulary

SITE_NAMES = (
    "The Harbour Ledger", "Eastern Wire Daily", "Kanto Evening Post", "Pacific Rim Courier",
    "Han River Times", "Morning Meridian", "North Asia Monitor", "Capital Dispatch",
    "Strait Gazette", "The Daily Compass", "Tidewater Herald", "Summit Observer",
    "Lantern Street Journal", "Riverside Chronicle", "Northern Star Report", "Bayside Bulletin",
)
SECTIONS = ("world", "asia", "politics", "japan", "korea", "diplomacy", "national", "news")
OFF_SECTIONS = ("business", "sport", "weather", "technology", "culture")
REPORTERS = (
    "Aiko Nakamura", "Daniel Hoffmann", "Min-ji Park", "Hiroshi Tanabe", "Claire Dubois",
    "Jae-won Seo", "Yuki Ishida", "Oliver Grant", "Sora Kimura", "Hye-jin Cho", "Mark Ellison",
    "Rina Hayakawa", "Tomasz Nowak", "Eun-ha Lim", "Kenta Oshiro", "Laura Bianchi",
)
PM = ("Prime Minister Sanae Takaichi", "Takaichi", "Japan's prime minister", "the prime minister")
LEADER = ("Kim Jong Un", "the North Korean leader", "Kim", "North Korea's leader")
KCNA = ("the Korean Central News Agency", "KCNA", "state media in Pyongyang", "the official KCNA news agency")
FAMILIES = ("families of the abductees", "the association of abductees' families",
            "relatives of Japanese citizens taken to the North", "the families' association")
SEOUL = ("the presidential office in Seoul", "South Korea's unification ministry",
         "a senior South Korean diplomat", "officials in Seoul")
OFFICIALS = ("Chief Cabinet Secretary Ryota Hamasaki", "Foreign Minister Keiko Aramaki",
             "Deputy Foreign Minister Shun Okabe", "abduction affairs minister Takeshi Imanishi")
NK_OFFICIALS = ("Vice Foreign Minister Ri Chol Ho", "senior official Kim Yong Sun",
                "a foreign ministry spokesperson in Pyongyang", "party secretary Pak Song Il")
CITIES = ("Ulaanbaatar", "Beijing", "Hanoi", "Singapore", "Stockholm", "Geneva")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TONES = ("firm", "measured", "unusually conciliatory", "sharp", "guarded", "cautious")

KINDS = ("summit_proposal", "kcna_statement", "families_appeal", "seoul_mediation", "secret_contact",
         "abductee_list", "missile_launch", "diet_debate", "sanctions", "un_debate")

# Each event kind: headline templates, lead sentences, detail sentences, quotes.
# Slots: {pm} {leader} {kcna} {families} {seoul} {official} {nk} {city} {day} {num} {tone} {month}
KIND_TEXT: dict[str, dict[str, tuple[str, ...]]] = {
    "summit_proposal": {
        "title": ("Takaichi says she is ready to meet Kim Jong Un 'without preconditions'",
                  "Japan's leader renews offer of summit with North Korea over abductions",
                  "Takaichi pushes for face-to-face talks with Kim on abduction issue",
                  "Tokyo floats summit with Pyongyang as abduction families wait"),
        "lead": ("{pm} said on {day} that she was prepared to meet {leader} at any time to settle the abduction issue.",
                 "{pm} renewed her offer of a summit with {leader}, telling reporters in Tokyo that time was running out for the families.",
                 "Japan is ready to hold top-level talks with North Korea, {pm} said on {day}, in her clearest signal yet of a push for a summit."),
        "detail": ("She told a parliamentary committee that a meeting should produce a concrete timetable for the return of all victims.",
                   "Officials said the offer had been conveyed through diplomatic channels in {city} earlier in the month.",
                   "The prime minister said a summit would aim to resolve the abductions, the nuclear programme and missile development together.",
                   "Aides described the message as {tone}, stressing that Japan would not accept a partial settlement.",
                   "Government sources said preparations included a possible visit by a working-level delegation within {num} weeks.",
                   "She repeated that normalising relations was possible only if every abductee came home."),
        "quote": ("\"I am determined to meet Chairman Kim directly and open a new era,\" {pm} said.",
                  "\"We cannot let another year pass without progress,\" {official} told reporters.",
                  "\"The door is open, but the families' wishes come first,\" a senior government official said."),
    },
    "kcna_statement": {
        "title": ("KCNA dismisses Tokyo's summit overture as 'empty talk'",
                  "North Korea says abduction issue 'already resolved' in KCNA commentary",
                  "Pyongyang responds to Takaichi in rare statement carried by KCNA",
                  "State media in North Korea signals conditions for talks with Japan"),
        "lead": ("{kcna} carried a statement on {day} attributed to {nk} that called Japan's overture insincere.",
                 "North Korea answered Tokyo's summit offer through {kcna}, saying dialogue was possible only if Japan dropped its demands on the abductions.",
                 "{nk} said in a statement published by {kcna} that the abduction issue had been settled long ago."),
        "detail": ("The statement accused Japan of using the abductions to stir hostility toward the North.",
                   "It did not rule out contact entirely, saying Pyongyang would watch whether Tokyo's words matched its actions.",
                   "Analysts in Seoul noted that the {tone} tone differed from commentaries earlier in the year.",
                   "The agency repeated the North's position that eight of the abductees had died and four had never entered the country.",
                   "Japanese officials said they were studying the statement carefully and would not respond point by point.",
                   "The commentary ran to about {num} hundred words and was also read out on state television."),
        "quote": ("\"Japan must first discard its anachronistic hostile policy,\" the statement said, according to {kcna}.",
                  "\"Empty words will not open any door,\" the commentary said.",
                  "\"We will judge Tokyo by what it does, not what it says,\" {nk} was quoted as saying."),
    },
    "families_appeal": {
        "title": ("Abductees' families urge Takaichi to bring victims home 'while parents are alive'",
                  "Families of those abducted by North Korea hold rally in Tokyo",
                  "Ageing relatives of abductees make fresh appeal to Kim Jong Un",
                  "Abduction families adopt new campaign policy ahead of possible summit"),
        "lead": ("{families} gathered in Tokyo on {day} to urge the government to secure the return of every victim without delay.",
                 "The {families} issued a new appeal on {day}, saying only one parent of the abductees is still alive.",
                 "Hundreds of people joined {families} at a rally in central Tokyo, calling on {leader} to make a decision."),
        "detail": ("Speakers said they would not object to Japan lifting its own sanctions if all victims were returned at once.",
                   "The group presented a petition with about {num} thousand signatures to the prime minister's office.",
                   "Many in the hall held photographs of relatives who disappeared from coastal towns in the late 1970s.",
                   "The association said it had written directly to {leader} through intermediaries in {city}.",
                   "Relatives said they welcomed the prime minister's summit offer but wanted a deadline.",
                   "Japan officially lists 17 citizens as abducted by the North; five returned in 2002."),
        "quote": ("\"Our time is running out. Please let us embrace them again,\" one sister of an abductee said.",
                  "\"We ask Chairman Kim for a bold decision,\" the group's leader told the crowd.",
                  "\"Every year we are told to wait a little longer,\" a relative said, her voice breaking."),
    },
    "seoul_mediation": {
        "title": ("Seoul offers to help broker Japan-North Korea talks",
                  "South Korea signals willingness to mediate between Tokyo and Pyongyang",
                  "Seoul says it will pass messages between Japan and the North on abductions",
                  "South Korean envoy proposes trilateral channel on abductee issue"),
        "lead": ("{seoul} said on {day} that South Korea was willing to act as a go-between for Tokyo and Pyongyang.",
                 "South Korea offered to mediate in the dispute over the abductions, {seoul} told reporters after talks with Japanese counterparts.",
                 "Seoul will support Japan's effort to resolve the abduction issue, {seoul} said, raising the prospect of a new channel to the North."),
        "detail": ("The offer followed a meeting between the two countries' foreign ministers in {city}.",
                   "South Korean officials said they had raised the abductions during a recent exchange with the North.",
                   "Officials in Tokyo said they appreciated the offer but would keep direct contacts as the main track.",
                   "Seoul has its own list of citizens held in the North, and families there have asked to be included in any talks.",
                   "Diplomats described the discussions as {tone} and said a follow-up meeting was planned within {num} weeks.",
                   "The move comes as Seoul seeks to revive inter-Korean dialogue that has been frozen for years."),
        "quote": ("\"We are ready to play any role that helps,\" {seoul} said.",
                  "\"This is a humanitarian issue for all of us,\" a South Korean official said.",
                  "\"We welcome Seoul's support,\" {official} said in Tokyo."),
    },
    "secret_contact": {
        "title": ("Japanese and North Korean officials held secret talks in {city}, sources say",
                  "Report: Tokyo and Pyongyang officials met quietly in {city}",
                  "Japan confirms contacts with North Korea but gives no details",
                  "Back-channel talks between Japan and North Korea resume in {city}"),
        "lead": ("Officials from Japan and North Korea met secretly in {city} earlier this month, people familiar with the matter said on {day}.",
                 "Japanese and North Korean diplomats held unpublicised talks in {city}, according to government sources, the first such contact in months.",
                 "{official} declined on {day} to confirm reports of a meeting with North Korean officials in {city}."),
        "detail": ("The talks reportedly covered the abductions and the possibility of a summit.",
                   "Sources said the North Korean side was led by an official close to the foreign ministry.",
                   "The government said it would not comment on diplomatic exchanges, in keeping with past practice.",
                   "Previous rounds in {city} collapsed over disagreements about the fate of the victims.",
                   "A second meeting could take place within {num} weeks if both sides agree, one source said.",
                   "Opposition lawmakers demanded that the government brief the Diet on any contacts."),
        "quote": ("\"We are using every channel available,\" {official} said without elaborating.",
                  "\"I cannot discuss the details of our diplomacy,\" {pm} said.",
                  "\"Both sides listened more than they spoke,\" a person briefed on the talks said."),
    },
    "abductee_list": {
        "title": ("North Korea hands over new information on abductees, Tokyo says",
                  "Japan studies North Korean document on missing citizens",
                  "Pyongyang's new abductee report falls short, families say",
                  "Japan rejects North Korean findings on abducted citizens"),
        "lead": ("Japan has received a document from North Korea about the fate of abducted citizens, {official} said on {day}.",
                 "North Korea passed new information on several abductees to Japan, the government said, prompting cautious reactions from families.",
                 "Tokyo said on {day} that a North Korean report on the abductions contained nothing new."),
        "detail": ("Officials said the document named {num} people and would be checked against Japan's own records.",
                   "The families' association said any report without proof of life would be unacceptable.",
                   "Previous remains sent by the North in 2004 were found by Japanese tests to belong to other people.",
                   "Government experts were expected to take several weeks to assess the material.",
                   "Officials described the North's approach as {tone} compared with past exchanges.",
                   "The government said it would keep the families informed before making any public judgement."),
        "quote": ("\"We will examine it with great care,\" {official} said.",
                  "\"Paper is not people,\" one relative said.",
                  "\"We do not accept the claim that the matter is closed,\" {pm} said."),
    },
    "missile_launch": {
        "title": ("North Korea fires ballistic missile as Japan seeks talks",
                  "Japan protests North Korean missile launch through embassy in Beijing",
                  "Missile test complicates Takaichi's summit push",
                  "North Korean missile lands outside Japan's exclusive economic zone"),
        "lead": ("North Korea launched a ballistic missile toward the Sea of Japan on {day}, the defence ministry in Tokyo said.",
                 "A North Korean missile flew about {num} hundred kilometres before falling into the sea, Japanese officials said, days after Tokyo's summit offer.",
                 "Japan lodged a protest with North Korea through its embassy in Beijing after a missile launch on {day}."),
        "detail": ("No damage to ships or aircraft was reported, the coast guard said.",
                   "{pm} said the launch was unacceptable but that Japan would keep seeking dialogue on the abductions.",
                   "South Korea's military said it had tracked the missile from launch and shared data with Japan.",
                   "Analysts said the timing appeared designed to raise pressure before any negotiations.",
                   "The launch was the latest of several this year, which the UN Security Council has condemned.",
                   "Officials described Tokyo's response as {tone}, keeping the door to talks open."),
        "quote": ("\"This is a clear violation of Security Council resolutions,\" {official} said.",
                  "\"Our position on dialogue has not changed,\" {pm} said.",
                  "\"Provocations will not divide us from our allies,\" a defence ministry official said."),
    },
    "diet_debate": {
        "title": ("Takaichi questioned in Diet over progress on abductions",
                  "Opposition presses prime minister on North Korea strategy",
                  "Diet committee demands clarity on Japan-North Korea contacts",
                  "Takaichi defends abduction policy before lawmakers"),
        "lead": ("{pm} faced questions in the Diet on {day} about what her government had achieved on the abductions.",
                 "Opposition lawmakers pressed {pm} to explain how a summit with {leader} would differ from past attempts.",
                 "The prime minister told a Diet committee on {day} that she would not give up on bringing every victim home."),
        "detail": ("She declined to discuss contacts with the North, citing the need for confidentiality.",
                   "One lawmaker asked whether the government had set a deadline for results; she said it had not.",
                   "The committee also heard from {official}, who outlined the budget for abduction-related work.",
                   "Members from the ruling coalition urged the government to coordinate closely with Washington and Seoul.",
                   "The session lasted about {num} hours and was broadcast live.",
                   "Her answers were described by commentators as {tone}."),
        "quote": ("\"I will take responsibility for solving this,\" {pm} told the committee.",
                  "\"The families deserve more than repeated promises,\" an opposition member said.",
                  "\"We are working on this quietly and seriously,\" {official} said."),
    },
    "sanctions": {
        "title": ("Japan extends unilateral sanctions on North Korea",
                  "Cabinet approves two-year extension of North Korea sanctions",
                  "Tokyo keeps trade ban on Pyongyang while seeking dialogue",
                  "Japan adds entities to North Korea sanctions list"),
        "lead": ("Japan's cabinet approved on {day} a two-year extension of its own sanctions on North Korea, including a ban on all trade.",
                 "Tokyo decided to keep its unilateral sanctions on Pyongyang in place, {official} said, citing a lack of progress on the abductions.",
                 "The government added {num} entities to its sanctions list on {day} while repeating its offer of talks."),
        "detail": ("The measures ban North Korean ships from Japanese ports and prohibit most remittances.",
                   "Officials said the sanctions could be eased if the North took concrete steps on the abductions.",
                   "The families' association said it supported the extension.",
                   "The decision was coordinated with Washington and Seoul, officials said.",
                   "{kcna} has described the sanctions as proof of Japan's hostility.",
                   "Analysts called the move {tone}, balancing pressure and dialogue."),
        "quote": ("\"Pressure and dialogue go together,\" {official} said.",
                  "\"Nothing has changed that would justify lifting the measures,\" a senior official said.",
                  "\"We keep the door open while keeping the pressure on,\" {pm} said."),
    },
    "un_debate": {
        "title": ("UN committee adopts resolution on North Korean human rights and abductions",
                  "Japan raises abductions at UN as Pyongyang objects",
                  "UN General Assembly panel condemns abductions by North Korea",
                  "Abductions issue features in UN human rights debate"),
        "lead": ("A UN General Assembly committee adopted a resolution on {day} that urges North Korea to return abducted foreigners immediately.",
                 "Japan's ambassador raised the abductions at the United Nations, calling on {leader} to let the victims go home.",
                 "North Korea's envoy rejected a UN resolution on human rights, saying the abduction issue had been resolved."),
        "detail": ("The text was co-sponsored by {num} dozen countries, including Japan and South Korea.",
                   "North Korea's delegate called the resolution politically motivated.",
                   "{families} sent a representative to New York to meet diplomats before the vote.",
                   "The resolution also refers to South Korean abductees and detained prisoners of war.",
                   "Diplomats said the debate was {tone} and ended without a recorded vote.",
                   "The full General Assembly is expected to endorse the text next month."),
        "quote": ("\"The international community will not forget the victims,\" Japan's ambassador said.",
                  "\"This resolution is a product of hostile policy,\" the North Korean envoy said.",
                  "\"We thank every country that stood with the families,\" {official} said."),
    },
}

BACKGROUND = (
    "North Korea admitted in 2002 that its agents had abducted Japanese citizens in the 1970s and 1980s to train spies.",
    "Five abductees returned to Japan in 2002 after a summit between then Prime Minister Junichiro Koizumi and Kim Jong Il.",
    "Japan and North Korea have no diplomatic relations, and contacts usually take place in third countries.",
    "The abduction issue has been a top priority for successive Japanese governments.",
    "Japan also seeks a settlement of the North's nuclear and missile programmes before normalising ties.",
    "An agreement reached in Stockholm in 2014 led to a North Korean investigation that Tokyo said produced nothing.",
    "Most of the parents of the abductees have died without seeing their children again.",
    "{pm} has described the abductions as the most important issue for her government.",
    "South Korea says hundreds of its own citizens were abducted by the North after the Korean War.",
    "Experts say any deal would require Pyongyang to reverse its position that the issue is closed.",
    "The United States has said it supports Japan's efforts to resolve the abductions.",
    "{leader}'s sister has in the past issued statements on Japan, some of them hinting at openness to talks.",
)

FOLLOWUP = (
    "The development comes after {prev}.",
    "Earlier, {prev}.",
    "It follows news last week that {prev}.",
    "The move is the latest twist since {prev}.",
)
PREV_SUMMARY = {
    "summit_proposal": "the prime minister offered to meet Kim without preconditions",
    "kcna_statement": "North Korean state media dismissed Japan's overture",
    "families_appeal": "the abductees' families held a rally in Tokyo",
    "seoul_mediation": "Seoul offered to mediate between Tokyo and Pyongyang",
    "secret_contact": "reports emerged of secret talks in a third country",
    "abductee_list": "Pyongyang handed over a document on the abductees",
    "missile_launch": "North Korea fired a ballistic missile into the Sea of Japan",
    "diet_debate": "the prime minister was questioned in the Diet",
    "sanctions": "Japan extended its sanctions on the North",
    "un_debate": "a UN committee adopted a resolution on the abductions",
}

OFF_TOPIC: dict[str, dict[str, tuple[str, ...]]] = {
    "business": {
        "title": ("Yen weakens as central bank holds rates", "Exporters lift profit forecasts on strong demand",
                  "Retail sales rise for third month", "Chipmaker plans new plant in Kyushu"),
        "body": ("The currency slipped against the dollar in afternoon trading as investors digested the decision.",
                 "Economists had expected the bank to wait until wage data for the spring became clearer.",
                 "Shares of carmakers rose while banks fell, leaving the main index little changed.",
                 "The company said it would invest about {num} hundred billion yen over five years.",
                 "Consumer spending has been supported by higher winter bonuses, analysts said.",
                 "Bond yields edged up after the announcement, with the ten-year yield near a decade high.",
                 "Officials said they were watching currency moves with a sense of urgency.",
                 "The survey showed sentiment among large manufacturers improving for the {num}th straight quarter."),
    },
    "sport": {
        "title": ("Baseball star signs record contract", "National team names squad for Asian qualifiers",
                  "Marathon favourite withdraws with injury", "Sumo champion clinches autumn tournament"),
        "body": ("The club said the deal ran for {num} seasons and included an opt-out clause.",
                 "Fans queued outside the stadium for hours before the gates opened.",
                 "The coach said the squad mixed experienced players with newcomers from the domestic league.",
                 "He finished the tournament with twelve wins and three losses.",
                 "The injury was described as a minor strain, but doctors advised rest.",
                 "Tickets for the final sold out within minutes of going on sale.",
                 "Commentators praised the young forward's movement off the ball.",
                 "The team will play two friendlies before the qualifiers begin."),
    },
    "weather": {
        "title": ("Typhoon expected to brush southern islands", "Heavy snow warning issued for Hokkaido",
                  "Record warm November day recorded in Tokyo", "Rail services suspended as storm approaches"),
        "body": ("The meteorological agency urged residents to stay away from the coast.",
                 "Winds of up to {num} metres per second were forecast for Thursday evening.",
                 "Several flights were cancelled and ferries stayed in port.",
                 "Temperatures were about five degrees above the seasonal average.",
                 "Local authorities opened evacuation centres as a precaution.",
                 "Forecasters said the system would weaken as it moved over cooler waters.",
                 "Farmers were advised to protect greenhouses and late crops.",
                 "Commuters faced delays on several lines during the morning rush."),
    },
    "technology": {
        "title": ("Electronics maker unveils folding laptop", "Government outlines plan for AI safety institute",
                  "Telecom operators cut prices for data plans", "Start-up raises funds for battery research"),
        "body": ("The device will go on sale next spring at a price yet to be announced.",
                 "The plan includes funding for {num} research teams at national universities.",
                 "Analysts said competition among operators had intensified after new entrants.",
                 "The company's founder said the technology could halve charging times.",
                 "Regulators said they would publish draft guidelines for consultation.",
                 "Industry groups welcomed the move but asked for clearer rules on data use.",
                 "The firm employs about {num} hundred engineers across three countries.",
                 "Early reviews praised the screen but criticised the battery life."),
    },
    "culture": {
        "title": ("Film festival opens with animated feature", "Museum returns ancient scrolls to temple",
                  "Novelist wins major literary prize", "Autumn leaves draw crowds to Kyoto temples"),
        "body": ("The festival runs for ten days and features {num} films from around the world.",
                 "Curators said the scrolls had been restored over several years.",
                 "The judges praised the novel's portrait of a fishing town in decline.",
                 "Visitors were asked to book time slots to avoid crowding.",
                 "The director thanked the voice cast and the animation studio's staff.",
                 "Tourism officials expect record visitor numbers this season.",
                 "The prize comes with a cash award and a commemorative watch.",
                 "Local shops extended their opening hours to cope with demand."),
    },
}


# --------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Event:
    """One development of the story: a kind, a time, and its facts."""

    index: int
    kind: str
    at: datetime
    slots: dict[str, str]


@dataclass(frozen=True)
class ArticleSpec:
    """Where an article lives and what it is (its page is generated from this)."""

    index: int
    site: int
    section: str
    path: str
    published: datetime
    role: str  # original | wire | wire_edit | rewrite | offtopic
    event: int | None
    title: str


@dataclass(frozen=True)
class FeedSpec:
    """One RSS feed: its site, path and the articles it lists (newest first)."""

    index: int
    site: int
    path: str
    items: tuple[int, ...]


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in parts))


_TYPOGRAPHY = str.maketrans({"'": "\u2019"})


def _fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots)


def _typeset(text: str) -> str:
    """Newsroom typography: curly quotes and apostrophes, as real pages have."""
    out, opening = [], True
    for ch in text.translate(_TYPOGRAPHY):
        if ch == '"':
            out.append("\u201c" if opening else "\u201d")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def _slug(title: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in title)
    return "-".join(p for p in out.split("-") if p)[:70]


class Corpus:
    """``n`` deterministic articles of the story over ``sites`` outlets and ``feeds`` RSS feeds."""

    def __init__(self, n: int, *, seed: int = 1, sites: int = 10, feeds: int | None = None,
                 offtopic: float = 0.3) -> None:
        if n < 1:
            raise ValueError("n must be >= 1")
        self.n = n
        self.seed = seed
        self.sites = max(1, min(sites, len(SITE_NAMES)))
        self.offtopic = offtopic
        span = (STORY_END - STORY_START).total_seconds()
        n_events = max(3, n // 25)
        self.events: list[Event] = []
        for e in range(n_events):
            r = _rng(seed, "event", e)
            at = STORY_START + timedelta(seconds=span * (e + r.random() * 0.8) / n_events)
            kind = KINDS[0] if e == 0 else r.choice(KINDS)
            self.events.append(Event(e, kind, at, self._slots(r, at)))
        self.articles = [self._article(i) for i in range(n)]
        self._by_path = {(a.site, a.path): a.index for a in self.articles}
        n_feeds = feeds if feeds is not None else max(1, math.ceil(n / ((FEED_MIN + FEED_MAX) / 2)))
        self.feeds = [self._feed(j, n_feeds) for j in range(n_feeds)]
        self._feed_by_path = {(f.site, f.path): f.index for f in self.feeds}
        self._chrome: dict[int, dict[str, str]] = {}
        self._lock = threading.Lock()

    # ----------------------------------------------------------------- plan

    @staticmethod
    def _slots(r: random.Random, at: datetime) -> dict[str, str]:
        return {
            "pm": r.choice(PM), "leader": r.choice(LEADER), "kcna": r.choice(KCNA),
            "families": r.choice(FAMILIES), "seoul": r.choice(SEOUL), "official": r.choice(OFFICIALS),
            "nk": r.choice(NK_OFFICIALS), "city": r.choice(CITIES), "day": DAYS[at.weekday()],
            "num": str(r.randint(2, 40)), "tone": r.choice(TONES), "month": at.strftime("%B"),
        }

    def _article(self, i: int) -> ArticleSpec:
        r = _rng(self.seed, "article", i)
        site = (i // 7) % self.sites if self.sites > 1 else 0
        span = (STORY_END - STORY_START).total_seconds()
        published = STORY_START + timedelta(seconds=span * (i + r.random()) / self.n)
        published = published.replace(microsecond=0)
        if r.random() < self.offtopic:
            section = r.choice(OFF_SECTIONS)
            title = r.choice(OFF_TOPIC[section]["title"])
            role, event = "offtopic", None
            title = f"{title} ({published:%b} {published.day})"
        else:
            # the latest event before publication, sometimes an earlier one (follow-ups)
            ev = max(0, min(len(self.events) - 1, int(len(self.events) * (i + 0.5) / self.n)))
            while ev > 0 and self.events[ev].at > published:
                ev -= 1
            if r.random() < 0.2:
                ev = max(0, ev - r.randint(1, 3))
            event = ev
            x = r.random()
            role = "wire" if x < 0.25 else "wire_edit" if x < 0.4 else "rewrite" if x < 0.7 else "original"
            section = r.choice(SECTIONS)
            e = self.events[ev]
            if role in ("wire", "wire_edit"):
                title = _fill(_rng(self.seed, "wire", ev).choice(KIND_TEXT[e.kind]["title"]), e.slots)
                if role == "wire_edit" and r.random() < 0.5:
                    title = "UPDATE: " + title
            else:
                title = _fill(r.choice(KIND_TEXT[e.kind]["title"]), e.slots)
        path = f"/{section}/{published:%Y/%m/%d}/{_slug(title)}-{i}.html"
        return ArticleSpec(i, site, section, path, published, role, event, _typeset(title))

    def _feed(self, j: int, n_feeds: int) -> FeedSpec:
        r = _rng(self.seed, "feed", j)
        start = (j * self.n) // n_feeds
        gap = ((j + 1) * self.n) // n_feeds - start  # up to the next feed's start: every article is in a feed
        length = min(self.n, max(gap, r.randint(FEED_MIN, FEED_MAX)))
        items = tuple(sorted(((start + k) % self.n for k in range(length)), reverse=True))
        site = self.articles[start].site
        return FeedSpec(j, site, f"/feeds/{j}.rss", items)

    # ----------------------------------------------------------------- text

    def body(self, i: int) -> list[str]:
        """The paragraphs of article ``i``."""
        a = self.articles[i]
        r = _rng(self.seed, "body", i)
        if a.role == "offtopic":
            sents = OFF_TOPIC[a.section]["body"]
            slots = {"num": str(r.randint(2, 40))}
            return [" ".join(_fill(s, slots) for s in r.sample(sents, r.randint(2, 3)))
                    for _ in range(r.randint(4, 9))]
        assert a.event is not None
        if a.role in ("wire", "wire_edit"):
            paras = self._story(a.event, _rng(self.seed, "wire", a.event), long=True)
            if a.role == "wire_edit":
                paras = paras[: max(3, len(paras) - r.randint(0, 2))]
                paras.append(self._paragraph(a.event, r, "detail", 2))
            return paras
        return self._story(a.event, r, long=a.role == "original")

    def _story(self, ev: int, r: random.Random, *, long: bool) -> list[str]:
        e = self.events[ev]
        t = KIND_TEXT[e.kind]
        paras = [_fill(r.choice(t["lead"]), e.slots)]
        n_para = r.randint(7, 14) if long else r.randint(5, 10)
        for k in range(n_para):
            x = r.random()
            if k == 1 and ev > 0:
                prev = self.events[max(0, ev - r.randint(1, 3))]
                paras.append(_fill(r.choice(FOLLOWUP), {"prev": PREV_SUMMARY[prev.kind]}) + " "
                             + _fill(r.choice(t["detail"]), e.slots))
            elif x < 0.25:
                paras.append(_fill(r.choice(t["quote"]), e.slots))
            elif x < 0.45:
                paras.append(" ".join(_fill(s, e.slots) for s in r.sample(BACKGROUND, 2)))
            else:
                paras.append(self._paragraph(ev, r, "detail", r.randint(2, 3)))
        return paras

    def _paragraph(self, ev: int, r: random.Random, part: str, k: int) -> str:
        e = self.events[ev]
        return " ".join(_fill(s, e.slots) for s in r.sample(KIND_TEXT[e.kind][part], k))

    def byline(self, i: int) -> str:
        """The reporter (or agency) credited for article ``i``."""
        a = self.articles[i]
        if a.role in ("wire", "wire_edit"):
            return "Eastern Wire Service"
        return _rng(self.seed, "byline", i).choice(REPORTERS)

    # ----------------------------------------------------------------- pages

    def site_name(self, site: int) -> str:
        """The outlet's name."""
        return SITE_NAMES[site]

    def chrome(self, site: int) -> dict[str, str]:
        """The site-wide furniture (CSS, scripts, nav, footer) of outlet ``site``; cached."""
        with self._lock:
            cached = self._chrome.get(site)
        if cached is not None:
            return cached
        r = _rng(self.seed, "chrome", site)
        # outlets differ a lot in weight: 22-132 KB of furniture before any text
        weight = 22_000 + int(110_000 * ((site * 7919) % 97) / 96)
        css = _css(r, int(weight * 0.35))
        js = _js(r, int(weight * 0.45))
        nav = _nav(r, SITE_NAMES[site], int(weight * 0.12))
        footer = _footer(r, SITE_NAMES[site], int(weight * 0.08))
        chrome = {"css": css, "js": js, "nav": nav, "footer": footer, "style": str(site % 4)}
        with self._lock:
            self._chrome[site] = chrome
        return chrome

    def url(self, i: int, bases: Sequence[str]) -> str:
        """Absolute URL of article ``i`` given each site's base URL."""
        a = self.articles[i]
        return bases[a.site].rstrip("/") + a.path

    def page(self, i: int, bases: Sequence[str]) -> bytes:
        """The HTML page of article ``i`` (UTF-8 bytes)."""
        a = self.articles[i]
        c = self.chrome(a.site)
        r = _rng(self.seed, "page", i)
        url = self.url(i, bases)
        site = SITE_NAMES[a.site]
        paras = self.body(i)
        byline = self.byline(i)
        desc = paras[0][:200]
        related = [j for j in (r.randrange(self.n) for _ in range(r.randint(6, 14))) if j != i]
        related_html = "".join(
            f'<li class="rel-item"><a href="{escape(self.url(j, bases))}">{escape(self.articles[j].title)}</a>'
            f'<span class="rel-time">{self.articles[j].published:%d %b %Y}</span></li>' for j in related)
        popular = "".join(f'<li><a href="{escape(self.url(j, bases))}">{escape(self.articles[j].title)}</a></li>'
                          for j in (r.randrange(self.n) for _ in range(10)))
        iso = a.published.isoformat().replace("+00:00", "Z")
        ld = json.dumps({
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
            "datePublished": iso, "dateModified": iso, "author": {"@type": "Person", "name": byline},
            "publisher": {"@type": "Organization", "name": site}, "mainEntityOfPage": url,
            "isAccessibleForFree": True, "articleSection": a.section,
        })
        state = json.dumps({"page": {"id": i, "section": a.section, "tags": [a.section, "asia"],
                                     "related": related, "ads": {"slots": r.randint(3, 9)}},
                            "user": {"loggedIn": False}, "experiments": [r.randrange(10**6) for _ in range(40)]})
        body_html = _body_html(c["style"], paras, r)
        head = (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(a.title)} | {escape(site)}</title>"
            f'<link rel="canonical" href="{escape(url)}">'
            f'<meta name="description" content="{escape(desc, {chr(34): "&quot;"})}">'
            f'<meta property="og:title" content="{escape(a.title, {chr(34): "&quot;"})}">'
            f'<meta property="og:site_name" content="{escape(site)}">'
            f'<meta property="og:url" content="{escape(url)}">'
            f'<meta property="article:published_time" content="{iso}">'
            f'<meta property="article:section" content="{a.section}">'
            f'<script type="application/ld+json">{ld}</script>'
            f"<style>{c['css']}</style>"
            f"<script>{c['js']}</script>"
            f"</head>"
        )
        article_html = (
            f'<main id="main" class="layout-{c["style"]}"><div class="breadcrumbs"><a href="/">Home</a> &rsaquo; '
            f'<a href="/{a.section}/">{a.section.title()}</a></div>'
            f'<article class="story"><header class="story-head"><h1 class="headline">{escape(a.title)}</h1>'
            f'<div class="byline">By <span class="author">{escape(byline)}</span></div>'
            f'<time class="published" datetime="{iso}">{a.published:%B} {a.published.day}, {a.published:%Y %H:%M} UTC</time>'
            f'<div class="share-bar"><a href="#" class="share-x">Share</a><a href="#" class="share-mail">Email</a></div>'
            f"</header>{body_html}"
            f'<div class="tags">Tags: <a href="/tag/{a.section}">{a.section}</a> <a href="/tag/asia">asia</a></div>'
            f"</article>"
            f'<aside class="related"><h2>Related coverage</h2><ul>{related_html}</ul></aside>'
            f'<section class="most-read"><h2>Most read</h2><ol>{popular}</ol></section>'
            f'<div class="newsletter-box">Sign up for our morning briefing. <form><input type="email"></form></div>'
            f"</main>"
        )
        tail = f'<script>window.__STATE__={state};</script></body></html>\n'
        return (head + "<body>" + c["nav"] + article_html + c["footer"] + tail).encode("utf-8")

    def feed(self, j: int, bases: Sequence[str]) -> bytes:
        """The RSS 2.0 document of feed ``j`` (items newest first)."""
        f = self.feeds[j]
        site = SITE_NAMES[f.site]
        items = []
        for i in f.items:
            a = self.articles[i]
            url = self.url(i, bases)
            summary = self.body(i)[0][:300]
            items.append(
                f"<item><title>{escape(a.title)}</title><link>{escape(url)}</link>"
                f'<guid isPermaLink="true">{escape(url)}</guid>'
                f"<pubDate>{format_datetime(a.published, usegmt=True)}</pubDate>"
                f"<dc:creator>{escape(self.byline(i))}</dc:creator>"
                f"<category>{a.section}</category>"
                f"<description>{escape(summary)}</description></item>"
            )
        newest = max((self.articles[i].published for i in f.items), default=STORY_START)
        doc = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{escape(site)} - feed {j}</title><link>{escape(bases[f.site])}/</link>"
            f"<description>Latest stories from {escape(site)}</description><language>en</language>"
            f"<lastBuildDate>{format_datetime(newest, usegmt=True)}</lastBuildDate>"
            + "".join(items) + "</channel></rss>\n"
        )
        return doc.encode("utf-8")

    def feed_modified(self, j: int) -> datetime:
        """Last-Modified of feed ``j``: its newest item."""
        return max(self.articles[i].published for i in self.feeds[j].items)

    def lookup(self, site: int, path: str) -> tuple[str, int] | None:
        """``("page", i)`` or ``("feed", j)`` for a site-relative path, or None."""
        if path in ("/robots.txt",):
            return ("robots", 0)
        i = self._by_path.get((site, path))
        if i is not None:
            return ("page", i)
        j = self._feed_by_path.get((site, path))
        if j is not None:
            return ("feed", j)
        return None

    def stats(self, sample: int = 200) -> dict[str, Any]:
        """Counts by role and page sizes over a sample."""
        bases = [f"http://{HOST}:{8000 + s}" for s in range(self.sites)]
        roles: dict[str, int] = {}
        for a in self.articles:
            roles[a.role] = roles.get(a.role, 0) + 1
        step = max(1, self.n // sample)
        sizes = sorted(len(self.page(i, bases)) for i in range(0, self.n, step))
        feed_items = [len(f.items) for f in self.feeds]
        return {"n": self.n, "seed": self.seed, "sites": self.sites, "events": len(self.events),
                "roles": roles, "feeds": len(self.feeds),
                "feed_items_min": min(feed_items), "feed_items_max": max(feed_items),
                "page_kb_min": round(sizes[0] / 1024, 1), "page_kb_median": round(sizes[len(sizes) // 2] / 1024, 1),
                "page_kb_max": round(sizes[-1] / 1024, 1)}


# --------------------------------------------------------------------------- furniture


_WORDS = ("grid", "card", "nav", "promo", "teaser", "hero", "rail", "slot", "meta", "kicker", "badge", "panel",
          "drawer", "toggle", "menu", "tile", "media", "caption", "footer", "header", "ticker", "alert")


def _css(r: random.Random, size: int) -> str:
    out: list[str] = []
    total = 0
    while total < size:
        sel = f".{r.choice(_WORDS)}-{r.choice(_WORDS)}{r.randint(1, 99)}"
        if r.random() < 0.3:
            sel += f" > .{r.choice(_WORDS)}"
        rule = (f"{sel}{{margin:{r.randint(0, 32)}px {r.randint(0, 32)}px;padding:{r.randint(0, 24)}px;"
                f"color:#{r.randrange(16**6):06x};font-size:{r.randint(11, 28)}px;"
                f"display:{r.choice(('flex', 'block', 'grid', 'none'))}}}")
        if r.random() < 0.1:
            rule = f"@media (max-width:{r.choice((480, 768, 1024))}px){{{rule}}}"
        out.append(rule)
        total += len(rule)
    return "".join(out)


def _js(r: random.Random, size: int) -> str:
    out = ["(function(w,d){'use strict';"]
    total = 0
    while total < size:
        a, b = f"_{r.randrange(36**3):x}", f"_{r.randrange(36**3):x}"
        fn = (f"var {a}=function(e,t){{if(!e)return t;var n=e.{r.choice(_WORDS)}||{r.randint(0, 999)};"
              f"for(var i=0;i<n;i++){{t=(t*{r.randint(3, 97)}+i)%{r.randint(1000, 9999)}}}return {b}(t,e)}};"
              f"w['{r.choice(_WORDS)}{r.randint(0, 99)}']={a};")
        out.append(fn)
        total += len(fn)
    out.append("})(window,document);")
    return "".join(out)


def _nav(r: random.Random, site: str, size: int) -> str:
    links: list[str] = []
    total = 0
    while total < size:
        sec = r.choice(SECTIONS + OFF_SECTIONS)
        label = f"{sec.title()} {r.choice(_WORDS)}"
        link = f'<li class="nav-item"><a href="/{sec}/{r.choice(_WORDS)}-{r.randint(1, 500)}/">{label}</a></li>'
        links.append(link)
        total += len(link)
    return (f'<header class="site-header"><a class="logo" href="/">{escape(site)}</a>'
            f'<nav class="main-nav" role="navigation"><ul>{"".join(links)}</ul></nav>'
            f'<div class="editions"><a href="/ja/">日本語</a> | <a href="/ko/">한국어</a> | <a href="/">English</a></div>'
            f'<div class="cookie-banner">We use cookies to improve your experience. <button>Accept</button></div>'
            f"</header>")


def _footer(r: random.Random, site: str, size: int) -> str:
    cols: list[str] = []
    total = 0
    while total < size:
        col = "".join(f'<li><a href="/about/{r.choice(_WORDS)}-{k}">{r.choice(_WORDS).title()} {k}</a></li>'
                      for k in range(r.randint(5, 12)))
        cols.append(f'<div class="footer-col"><ul>{col}</ul></div>')
        total += len(cols[-1])
    return (f'<footer class="site-footer">{"".join(cols)}<p class="copyright">&copy; 2026 {escape(site)}. '
            f"All rights reserved. Terms of use | Privacy policy | Contact us</p></footer>")


def _body_html(style: str, paras: list[str], r: random.Random) -> str:
    ps = [f"<p>{escape(_typeset(p))}</p>" for p in paras]
    if style == "0":
        return f'<div class="article-body">{"".join(ps)}</div>'
    if style == "1":
        inner = []
        for k, p in enumerate(ps):
            inner.append(p)
            if k in (2, 6):
                inner.append(f'<div class="ad-slot" id="ad-{k}" data-size="300x250"></div>')
        return f'<div id="content"><div class="story-text">{"".join(inner)}</div></div>'
    if style == "2":
        inner = []
        for k, p in enumerate(ps):
            inner.append(p)
            if k == 3:
                inner.append('<figure class="story-image"><img src="/img/photo.jpg" alt="">'
                             "<figcaption>File photo. (Agency)</figcaption></figure>")
            if k == 5:
                inner.append('<p class="read-more"><strong>Read more:</strong> <a href="/asia/">Asia news</a></p>')
        return f'<section itemprop="articleBody" class="body-copy">{"".join(inner)}</section>'
    return f'<div class="entry-content"><div class="text-block">{"".join(ps)}</div></div>'


# --------------------------------------------------------------------------- serving


def _etag(kind: str, key: int, seed: int, n: int) -> str:
    return '"' + hashlib.sha1(f"{kind}:{key}:{seed}:{n}".encode()).hexdigest()[:20] + '"'


class Store:
    """What the server answers with: pages and feeds from memory, a directory, or the generator."""

    def __init__(self, corpus: Corpus, bases: list[str], *, preload: bool = False,
                 directory: Path | None = None) -> None:
        self.corpus = corpus
        self.bases = bases
        self.directory = directory
        self.pages: dict[int, bytes] = {}
        self.feeds: dict[int, bytes] = {}
        self.requests = 0
        self.not_modified = 0
        if preload:
            for i in range(corpus.n):
                self.pages[i] = corpus.page(i, bases)
        for j in range(len(corpus.feeds)):
            self.feeds[j] = corpus.feed(j, bases)

    def get(self, kind: str, key: int) -> bytes:
        """The body of a page or feed."""
        if kind == "feed":
            return self.feeds[key]
        cached = self.pages.get(key)
        if cached is not None:
            return cached
        if self.directory is not None:
            a = self.corpus.articles[key]
            return (self.directory / f"site{a.site}" / a.path.lstrip("/")).read_bytes()
        return self.corpus.page(key, self.bases)


def _handler(store: Store, site: int) -> type[BaseHTTPRequestHandler]:
    corpus = store.corpus

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        #: headers and body go out as two writes: with Nagle on, a kept-alive connection can
        #: stall on the client's delayed ACK (a real server sends one segment train)
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            store.requests += 1
            path = self.path.split("?", 1)[0]
            found = corpus.lookup(site, path)
            if found is None:
                self._send(404, b"not found", "text/plain")
                return
            kind, key = found
            if kind == "robots":
                self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
                return
            etag = _etag(kind, key, corpus.seed, corpus.n)
            modified = corpus.feed_modified(key) if kind == "feed" else corpus.articles[key].published
            last_modified = format_datetime(modified, usegmt=True)
            if self.headers.get("If-None-Match") == etag or (
                    "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == last_modified):
                store.not_modified += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = store.get(kind, key)
            ctype = "application/rss+xml; charset=utf-8" if kind == "feed" else "text/html; charset=utf-8"
            self._send(200, body, ctype, etag=etag, last_modified=last_modified)

        def _send(self, status: int, body: bytes, ctype: str, etag: str | None = None,
                  last_modified: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            if last_modified:
                self.send_header("Last-Modified", last_modified)
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


@dataclass
class Served:
    """Running servers (one per site) and their base URLs; ``close()`` stops them."""

    servers: Sequence[ThreadingHTTPServer]
    bases: list[str]
    store: Store

    def feed_urls(self) -> list[str]:
        """Absolute URL of every feed."""
        c = self.store.corpus
        return [self.bases[f.site] + f.path for f in c.feeds]

    def close(self) -> None:
        """Stop serving and release the ports."""
        for s in self.servers:
            s.shutdown()
            s.server_close()


def serve(corpus: Corpus, *, preload: bool = False, directory: Path | None = None) -> Served:
    """Start one server per site on 127.0.0.1 (ephemeral ports) in background threads."""
    servers = [_Server((HOST, 0), BaseHTTPRequestHandler) for _ in range(corpus.sites)]
    bases = [f"http://{HOST}:{s.server_address[1]}" for s in servers]
    store = Store(corpus, bases, preload=preload, directory=directory)
    for site, s in enumerate(servers):
        s.RequestHandlerClass = _handler(store, site)
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    return Served(servers, bases, store)


def write(corpus: Corpus, directory: Path, base: str = f"http://{HOST}:8000") -> dict[str, Any]:
    """Write every page and feed under ``directory/site<k>/`` (site k at ``base`` port + k)."""
    scheme_host, _, port = base.rpartition(":")
    bases = [f"{scheme_host}:{int(port) + s}" for s in range(corpus.sites)]
    for i, a in enumerate(corpus.articles):
        target = directory / f"site{a.site}" / a.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(corpus.page(i, bases))
    for j, f in enumerate(corpus.feeds):
        target = directory / f"site{f.site}" / f.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(corpus.feed(j, bases))
    manifest = {"n": corpus.n, "seed": corpus.seed, "sites": corpus.sites, "bases": bases,
                "feeds": [bases[f.site] + f.path for f in corpus.feeds]}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def iter_pages(corpus: Corpus, bases: Sequence[str] | None = None) -> Iterator[tuple[str, bytes]]:
    """(url, page bytes) of every article, in index order (for in-process references)."""
    bases = bases or [f"http://{HOST}:{8000 + s}" for s in range(corpus.sites)]
    for i in range(corpus.n):
        yield corpus.url(i, bases), corpus.page(i, bases)


# --------------------------------------------------------------------------- CLI


def _args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--n", type=int, default=1000, help="number of articles")
        sp.add_argument("--seed", type=int, default=1)
        sp.add_argument("--sites", type=int, default=10, help="outlets (one port each)")
        sp.add_argument("--feeds", type=int, default=None, help="feeds (default n/75)")
        sp.add_argument("--offtopic", type=float, default=0.3, help="share of off-topic articles")

    common(sub.add_parser("stats", help="print corpus figures"))
    w = sub.add_parser("write", help="write pages and feeds to a directory")
    common(w)
    w.add_argument("directory", type=Path)
    w.add_argument("--base", default=f"http://{HOST}:8000", help="base URL of site 0 (site k: port + k)")
    s = sub.add_parser("serve", help="serve on 127.0.0.1 until stdin closes or Ctrl-C")
    common(s)
    s.add_argument("--preload", action="store_true", help="render every page into memory first")
    s.add_argument("--dir", type=Path, default=None, help="serve pages written by 'write' from here")
    s.add_argument("--feeds-out", type=Path, default=None, help="also write the feed URLs here, one a line")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, wait: Callable[[], None] | None = None) -> int:
    """Command-line entry point; prints one JSON line."""
    args = _args(argv)
    corpus = Corpus(args.n, seed=args.seed, sites=args.sites, feeds=args.feeds, offtopic=args.offtopic)
    if args.cmd == "stats":
        print(json.dumps(corpus.stats()))
        return 0
    if args.cmd == "write":
        manifest = write(corpus, args.directory, args.base)
        print(json.dumps({k: v for k, v in manifest.items() if k != "feeds"} | {"feeds": len(manifest["feeds"])}))
        return 0
    served = serve(corpus, preload=args.preload, directory=args.dir)
    if args.feeds_out:
        args.feeds_out.write_text("\n".join(served.feed_urls()) + "\n")
    print(json.dumps({"ready": True, "bases": served.bases, "feeds": len(corpus.feeds), "n": corpus.n}), flush=True)
    try:
        (wait or (lambda: sys.stdin.read()))()  # runs until the parent closes our stdin
    except KeyboardInterrupt:
        pass
    finally:
        served.close()
    print(json.dumps({"requests": served.store.requests, "not_modified": served.store.not_modified}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
