"""Article HTML -> ``Article``: the extraction cascade, stage by stage.

1. **Guard and decode.** Input is capped at ``MAX_INPUT_BYTES``. Bytes are decoded
   with the caller's ``encoding`` if it decodes cleanly (a single-byte charset
   loses to valid multi-byte UTF-8, the classic wrong-header case), else the
   ``<meta charset>``, else UTF-8, else charset-normalizer's best guess. Input
   without any HTML tag raises ``ArticleParseError``.
2. **DOM.** lxml parses the text (comments and processing instructions dropped).
3. **Metadata** is read from the intact DOM, strongest source first: JSON-LD
   (``NewsArticle``/``Article``/... including ``@graph`` and lists), OpenGraph and
   ``<meta name=...>`` (article:published_time, pubdate, dc.date, parsely-pub-date,
   sailthru.date, ...), ``<time datetime>``/``itemprop``, short visible date and
   byline lines near the top, and finally the URL path (``/2026/02/16/``). Each
   date keeps its provenance; published and updated stay apart; implausible
   dates (pre-1990 or after ``fetched_at`` + 1 day) are skipped for the next
   candidate. The title loses site-name suffixes/prefixes.
4. **Pruning.** A copy of the DOM loses scripts, styles, forms, nav/footer/aside,
   figure captions and elements whose class/id/role name page furniture (share
   bars, related lists, comments, cookie/newsletter boxes, breadcrumbs, tags).
   An element holding most of the page's paragraph text is never pruned.
5. **Core extraction.** trafilatura (balanced mode, no comments, XML output so
   paragraph boundaries survive) extracts the main text in its fast mode (no
   readability/justext comparisons). When that result looks doubtful -- fewer
   than 3 paragraphs, under 500 characters, or well short of the density
   fallback's text -- the full cascade runs instead, and if that returns
   nothing, it is retried with ``favor_recall``.
6. **Fallback.** A paragraph-density extractor (readability-style scoring of
   ``<p>`` parents) runs too; it replaces trafilatura's output when trafilatura
   found nothing, or when it found clearly less of the same container's text.
7. **Cleaning.** Paragraph-level filters drop furniture lines (``Leave a Reply``,
   ``Related topics``, ``Bu haberi paylaşın``, ``Tagged:``, breadcrumbs, agency
   disclaimers, cookie/newsletter prompts), headline repeats, leading
   date/byline/dateline lines, trailing furniture blocks (a "Related"/"Tags"
   marker and the short lines after it), and consecutive duplicates.
8. **Judgement.** Language comes from the text, with markup (``<html lang>``,
   ``og:locale``, ``content-language``) as hint; ``paywalled`` from JSON-LD
   ``isAccessibleForFree`` or subscribe prompts with a truncated body; canonical
   URL from ``rel=canonical``/``og:url`` when on the same site. No body text ->
   ``ArticleParseError``.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from parsers.boilerplate import FURNITURE_TAGS, is_boilerplate_line, is_boilerplate_node, paywall_marker
from parsers.dates import newsroom_zone, parse_date
from parsers.errors import ArticleParseError
from parsers.lang import detect_language, normalize_lang
from parsers.models import Article, DateValue
from parsers.urls import canonicalize_url, registrable_domain, same_site

MAX_INPUT_BYTES = 5 * 1024 * 1024
#: Characters of body text given to language identification (its cost grows with the sample; on
#: the golden, devset and bench texts, with or without a wrong markup hint, 1000 decide exactly
#: as the former 5000 did).
LANG_SAMPLE = 1000
_SINGLE_BYTE = {"latin-1", "latin1", "iso-8859-1", "iso8859-1", "windows-1252", "cp1252", "ascii", "us-ascii",
                "iso-8859-15", "windows-1251", "cp1251", "koi8-r", "iso-8859-9", "windows-1254"}
_ARTICLE_TYPES = {"newsarticle", "reportagenewsarticle", "article", "blogposting", "analysisnewsarticle",
                  "opinionnewsarticle", "backgroundnewsarticle", "livebl ogposting".replace(" ", ""),
                  "reviewnewsarticle", "report", "socialmediaposting", "askpublicnewsarticle", "posting"}
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished",
    "article.published", "published_time", "pubdate", "publishdate", "publish-date", "publish_date",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
    "dcterms.created", "dc.date.created", "date", "citation_publication_date", "article_date_original",
    "original-publish-date", "cxenseparse:recs:publishtime", "displaydate", "release_date", "og:pubdate",
)
_UPDATED_META = (
    "article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified",
    "dcterms.modified", "dc.date.modified", "last-modified", "lastmod", "article.updated", "modified_time",
)
_BLOCK_TAGS = ("p", "h2", "h3", "h4", "h5", "li", "blockquote", "pre", "dd")
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|«|/|:)\s+")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|$|[-_])")
_URL_DATE_COMPACT = re.compile(r"/((?:19|20)\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])(?:/|[-_]|\d{2,6}(?:/|\.|$))")
_DATE_HINT_TOKEN = re.compile(r"date|time|publish|posted|byline|dateline|meta|stamp|updated|info|author", re.I)
_BY_PREFIX = re.compile(r"^(?:by|von|por|par|di|door|автор|yazan|يكتبها|بقلم|記者|글)\s*[:：]?\s+", re.I)


# ---------------------------------------------------------------- decoding


def _strict(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except (LookupError, UnicodeDecodeError, ValueError):
        return None


def _decode(data: bytes, encoding: str | None) -> str:
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            text = _strict(data[len(bom):], enc)
            if text is not None:
                return text
    candidates: list[str] = []
    if encoding:
        candidates.append(encoding.strip().strip("\"'").lower())
    meta = re.search(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", data[:16384], re.I)
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore").lower())
    # valid UTF-8 with multi-byte sequences (in the first 200 kB); decoded once, kept for reuse
    head_ascii = (data if len(data) <= 200000 else data[:200000]).isascii()
    utf8 = None if head_ascii else _strict(data, "utf-8")
    for enc in candidates:
        if enc in _SINGLE_BYTE and utf8 is not None:
            continue  # a wrong single-byte label on a UTF-8 page: trust the bytes
        text = utf8 if utf8 is not None and enc in ("utf-8", "utf8") else _strict(data, enc)
        if text is not None:
            return text
    text = utf8 if utf8 is not None else _strict(data, "utf-8")
    if text is not None:
        return text
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:500000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace")
    except Exception:  # charset-normalizer is best effort
        pass
    return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------- small text helpers


_SPACE_RUN = re.compile(r"[^\S\u3000]+")
_IDEOGRAPHIC_SPACE = re.compile(r"\u3000{2,}|\u3000(?= )|(?<= )\u3000")
_NON_WORD = re.compile(r"[\W_]+")
# ASCII characters that ``[\W_]`` matches (everything but letters and digits), for str.translate
_ASCII_NON_WORD = dict.fromkeys(c for c in range(128) if not chr(c).isalnum())


def _norm_space(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).replace("\u00ad", "").replace("\u200b", "")
        if "\u3000" in text:
            # collapse whitespace runs but keep a lone ideographic space (a separator in CJK headlines)
            return _IDEOGRAPHIC_SPACE.sub(" ", _SPACE_RUN.sub(" ", text)).strip()
    # without U+3000, collapsing runs of ``\s`` and stripping is exactly split + join
    return " ".join(text.split())


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower().translate(_ASCII_NON_WORD)
    return _NON_WORD.sub("", text.casefold())


def _text_of(el: Any) -> str:
    try:
        return _norm_space(el.text_content())
    except (ValueError, AttributeError):
        return ""


def _stripped(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _attr(el: Any, name: str) -> str:
    return _stripped(el.get(name))


# ---------------------------------------------------------------- JSON-LD


def _walk_jsonld(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "hasPart"):
            if key in node and isinstance(node[key], list | dict):
                yield from _walk_jsonld(node[key], depth + 1)


def _jsonld_types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type", "")
    types = t if isinstance(t, list) else [t]
    return {str(x).lower().rsplit("/", 1)[-1] for x in types}


def _load_jsonld(raw: str) -> Any:
    raw = raw.strip()
    raw = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", raw)
    raw = re.sub(r"^\s*<!--|-->\s*$", "", raw)
    try:
        return json.loads(raw, strict=False)
    except (ValueError, RecursionError):
        try:
            return json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
        except (ValueError, RecursionError):
            return None


def _jsonld_article(tree: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the best article-like JSON-LD object and all objects seen."""
    objects: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if "ld+json" not in _attr(script, "type").lower():
            continue
        data = _load_jsonld(script.text or "")
        if data is not None:
            objects.extend(_walk_jsonld(data))
    best: dict[str, Any] = {}
    for obj in objects:
        types = _jsonld_types(obj)
        if types & _ARTICLE_TYPES or any(t.endswith("newsarticle") for t in types):
            return obj, objects
        if not best and "webpage" in types and obj.get("datePublished"):
            best = obj
    return best, objects


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [str(name)] if isinstance(name, str) else []
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(_names(v))
        return out
    return []


# ---------------------------------------------------------------- meta tags


def _meta_map(tree: Any) -> dict[str, list[str]]:
    metas: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        content = _attr(el, "content")
        if not content:
            continue
        for key in ("property", "name", "itemprop", "http-equiv"):
            k = _attr(el, key).lower()
            if k:
                metas.setdefault(k, []).append(content)
    return metas


def _first_meta(metas: dict[str, list[str]], *keys: str) -> str:
    for k in keys:
        for v in metas.get(k, []):
            if v.strip():
                return _norm_space(v)
    return ""


# ---------------------------------------------------------------- title


def _site_names(metas: dict[str, list[str]], ld: dict[str, Any], url: str) -> list[str]:
    names = [_first_meta(metas, "og:site_name"), _first_meta(metas, "application-name"),
             _first_meta(metas, "twitter:site").lstrip("@")]
    names += _names(ld.get("publisher"))
    domain = registrable_domain(url)
    if domain:
        names.append(domain)
        names.append(domain.split(".")[0])
    return [n for n in names if n]


def _is_site_segment(segment: str, site_names: list[str]) -> bool:
    f = _fold(segment)
    if not f:
        return True
    for name in site_names:
        n = _fold(name)
        if n and (f == n or (len(n) >= 3 and (n in f or f in n) and len(f) <= len(n) + 12)):
            return True
    return False


def _chrome_segment(segment: str, rest: str, page_text: str | Callable[[], str]) -> bool:
    """An unknown short title segment that the page also prints elsewhere (logo, footer) is the site name."""
    seg = _norm_space(segment)
    if not (1 < len(seg) <= 30 and len(rest) > len(seg)):
        return False
    text = page_text() if callable(page_text) else page_text  # the page's text is costly: only when needed
    return bool(text) and seg in text


def clean_title(raw: str, site_names: list[str], page_text: str | Callable[[], str] = "") -> str:
    """Strip site-name prefixes/suffixes (``Headline | Site``, ``Site - Headline``) from a page title.

    ``page_text`` is the page's visible text, or a function returning it (called at most when needed).
    """
    title = _norm_space(raw)
    for _ in range(3):
        parts = _TITLE_SEPARATORS.split(title)
        if len(parts) < 2:
            break
        seps = _TITLE_SEPARATORS.findall(title)
        head = title[: title.rfind(seps[-1])]
        tail = title[title.find(seps[0]) + len(seps[0]):]
        if _is_site_segment(parts[-1], site_names) or _chrome_segment(parts[-1], head, page_text):
            title = title[: title.rfind(seps[-1])].strip()
        elif _is_site_segment(parts[0], site_names) or _chrome_segment(parts[0], tail, page_text):
            title = tail.strip()
        else:
            break
    return title


class _LazyText:
    """The normalised text of a tree's ``<body>``, computed on first call and kept."""

    def __init__(self, tree: Any) -> None:
        self._tree = tree
        self._text: str | None = None

    def __call__(self) -> str:
        if self._text is None:
            body = self._tree.find(".//body")
            self._text = _text_of(body) if body is not None else ""
        return self._text


def _pick_title(tree: Any, metas: dict[str, list[str]], ld: dict[str, Any], url: str) -> str:
    site_names = _site_names(metas, ld, url)
    h1s = [_text_of(h) for h in tree.iter("h1")]
    h1s = [h for h in h1s if 3 <= len(h) <= 400]
    title_tag = next((_text_of(t) for t in tree.iter("title")), "")
    candidates = [
        str(ld.get("headline") or "") if isinstance(ld.get("headline"), str) else "",
        _first_meta(metas, "og:title"),
        _first_meta(metas, "twitter:title"),
        title_tag,
    ]
    page_text = _LazyText(tree)
    cleaned = [clean_title(c, site_names, page_text) for c in candidates if c and c.strip()]
    # an <h1> that agrees with a metadata title is the most faithful spelling
    for h in h1s:
        fh = _fold(h)
        if any(fh and (_fold(c) == fh or (len(fh) > 15 and fh in _fold(c))) for c in candidates if c):
            return h
    if cleaned:
        return cleaned[0]
    return h1s[0] if h1s else ""


# ---------------------------------------------------------------- dates


def _url_date(url: str) -> str | None:
    path = urlsplit(url).path
    m = _URL_DATE.search(path) or _URL_DATE_COMPACT.search(path)
    if not m:
        return None
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def _short_lines(tree: Any, limit: int = 400) -> list[tuple[str, str]]:
    """Short visible text lines in document order with a hint of their container's class."""
    out: list[tuple[str, str]] = []
    body = tree.find(".//body")
    if body is None:
        return out
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript", "template"):
            continue
        pieces = [el.text or ""] + [c.tail or "" for c in el]
        own = _norm_space(" ".join(pieces))
        if not own:
            continue
        cls = " ".join(_attr(a, "class") + " " + _attr(a, "id") for a in [el, *list(el.iterancestors())][:3])
        out.append((own, cls))
        if len(out) >= limit:
            break
    return out


def _date_candidates(
    tree: Any, metas: dict[str, list[str]], ld: dict[str, Any], url: str, now: datetime, langs: list[str],
    body_first: list[str],
) -> tuple[DateValue | None, DateValue | None]:
    zone = newsroom_zone(langs[0] if langs else None)

    def first(cands: Iterable[tuple[str, str]]) -> DateValue | None:
        for source, raw in cands:
            if not raw or len(raw) > 300:
                continue
            dt = parse_date(raw, now=now, languages=langs, assume_tz=zone)
            if dt is not None:
                return DateValue(dt, source)
        return None

    def published() -> Iterator[tuple[str, str]]:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            v = ld.get(key)
            if isinstance(v, str):
                yield f"jsonld:{key}", v
        for key in _PUBLISHED_META:
            for v in metas.get(key, []):
                yield f"meta:{key}", v
        for el in tree.xpath('//*[@itemprop="datePublished"] | //time[@pubdate]'):
            yield "itemprop:datePublished", _attr(el, "datetime") or _attr(el, "content") or _text_of(el)
        for el in tree.iter("time"):
            if "modif" in (_attr(el, "class") + _attr(el, "itemprop")).lower() or "updat" in _attr(el, "class"):
                continue
            if _attr(el, "datetime"):
                yield "time:datetime", _attr(el, "datetime")
            yield "time:text", _text_of(el)
        lines = _short_lines(tree)
        for text, cls in lines:
            if len(text) <= 160 and _DATE_HINT_TOKEN.search(cls) and not re.match(r"(?i)^\s*(?:updated?|modified|aktualisiert|actualizado|mis à jour|güncelleme|обновлено)", text):
                yield "text:dateline", text
        for text in body_first:
            if len(text) <= 160:
                yield "text:body", text
        for text, _cls in lines[:80]:
            if len(text) <= 120:
                yield "text:page", text
        ud = _url_date(url)
        if ud:
            yield "url:path", ud

    def updated() -> Iterator[tuple[str, str]]:
        v = ld.get("dateModified")
        if isinstance(v, str):
            yield "jsonld:dateModified", v
        for key in _UPDATED_META:
            for val in metas.get(key, []):
                yield f"meta:{key}", val
        for el in tree.xpath('//*[@itemprop="dateModified"]'):
            yield "itemprop:dateModified", _attr(el, "datetime") or _attr(el, "content") or _text_of(el)
        for text, _cls in _short_lines(tree, 200):
            m = re.search(r"(?i)(?:updated?|modified|aktualisiert|actualizado|mis à jour|güncelleme|обновлено)\s*:?\s*(.{6,60})", text)
            if m and len(text) <= 160:
                yield "text:updated", m.group(1)

    return first(published()), first(updated())


# ---------------------------------------------------------------- byline


def clean_byline(raw: str, site_names: Iterable[str] = ()) -> str | None:
    """Normalise a byline: drop ``By``, outlet suffixes and roles; join names with ``, ``."""
    text = _norm_space(raw)
    text = re.sub(r"\s*[|•·]\s*.*$", "", text)  # "Name | date"
    text = _BY_PREFIX.sub("", text)
    text = re.sub(r"^(?:written|reported|posted|published)\s+by\s+", "", text, flags=re.I)
    text = re.sub(r"\b(?:(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}|date)\b.*$", "", text, flags=re.I).strip(" ,;-")
    if not text:
        return None
    parts = [p.strip() for p in re.split(r"\s*(?:,|;|\band\b|\bund\b|\by\b|\bet\b|\bve\b|\bи\b|&|、|・)\s*", text) if p.strip()]
    folded_sites = {_fold(s) for s in site_names if s}
    names = []
    for p in parts:
        if _fold(p) in folded_sites or (p.isupper() and len(p) <= 8) or re.search(r"(?i)\b(?:staff|correspondent|reporter|editor|agency|news|press|wire)\b$", p):
            continue
        if len(p) > 60 or re.search(r"\d{3,}|@|https?:", p):
            continue
        names.append(p)
    return ", ".join(dict.fromkeys(names)) or None


def _byline_candidates(tree: Any, metas: dict[str, list[str]], ld: dict[str, Any]) -> Iterator[str]:
    """Byline candidates, strongest first; lazily, so the DOM is searched only when metadata has none."""
    ld_names = _names(ld.get("author"))
    if ld_names:
        yield ", ".join(ld_names)
    for key in ("author", "article:author", "byl", "sailthru.author", "parsely-author", "dc.creator"):
        v = _first_meta(metas, key)
        if v and not v.startswith("http"):
            yield v
    for el in tree.xpath('//*[@rel="author"] | //*[@itemprop="author"]'):
        inner = el.xpath('.//*[@itemprop="name"]')
        yield _text_of(inner[0]) if inner else _text_of(el)
    for el in tree.xpath('//*[contains(@class,"byline") or contains(@class,"author")]'):
        t = _text_of(el)
        if 3 <= len(t) <= 120:
            yield t


def _pick_byline(tree: Any, metas: dict[str, list[str]], ld: dict[str, Any], site_names: list[str]) -> str | None:
    for c in _byline_candidates(tree, metas, ld):
        cleaned = clean_byline(c, site_names)
        if cleaned:
            return cleaned
    return None


# ---------------------------------------------------------------- pruning and extraction


@functools.lru_cache(maxsize=32768)
def _furniture(tag: str, classes: str, ident: str, role: str) -> bool:
    """``is_boilerplate_node``, memoised: pages repeat the same few class/id/role combinations."""
    return is_boilerplate_node(tag, classes, ident, role)


def _p_text_length(el: Any) -> int:
    return sum(len(_text_of(p)) for p in el.iter("p"))


def _prune(tree: Any) -> Any:
    """Return a copy of the tree without furniture (see module docstring, stage 4)."""
    pruned = copy.deepcopy(tree)
    for bad in _PRUNE_FIRST(pruned):
        _drop(bad)
    total = 0  # paragraph text of the whole page, computed when first needed
    elements = list(pruned.iter())
    i, count = 0, len(elements)
    while i < count:
        el = elements[i]
        i += 1
        tag = el.tag
        if not isinstance(tag, str):
            continue
        get = el.get
        classes, ident, role = get("class"), get("id"), get("role")
        if classes is None and ident is None and role is None and tag not in FURNITURE_TAGS:
            continue  # is_boilerplate_node looks at nothing else: not furniture
        if el.getparent() is None:
            continue
        classes = _stripped(classes)
        if tag in ("html", "body", "article", "main") and not classes:
            continue
        if _stripped(get("itemprop")) == "articleBody":
            continue
        if _furniture(tag, classes, _stripped(ident), _stripped(role)):
            if tag not in ("nav", "form", "footer"):
                total = total or (_p_text_length(pruned) or 1)
                if _p_text_length(el) > 0.5 * total:
                    continue
            # the element's descendants follow it in ``elements``: once it is gone they cannot matter
            i += sum(1 for _ in el.iter()) - 1
            _drop(el)
    return pruned


_PRUNE_FIRST = etree.XPath("//script | //style | //link | //meta | //noscript | //template | //svg")


def _drop(el: Any) -> None:
    """Remove an element but keep its tail text (which belongs to the parent)."""
    if el.getparent() is None:
        return
    try:
        el.drop_tree()
    except (AttributeError, ValueError):
        el.getparent().remove(el)


def _split_lb(el: Any) -> list[str]:
    """Text of an element, split at <lb/> (``<br>``) line breaks."""
    chunks: list[str] = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            chunks.append("\n")
        else:
            chunks.append("".join(child.itertext()))
        chunks.append(child.tail or "")
    return [x for x in map(_norm_space, "".join(chunks).split("\n")) if x]


@functools.lru_cache(maxsize=1)
def _trafilatura_steps() -> tuple[Any, Any, Any] | None:
    """trafilatura's ``bare_extraction``, ``determine_returnstring`` and ``Extractor`` (2.x), or None."""
    import inspect

    try:
        from trafilatura.core import bare_extraction, determine_returnstring
        from trafilatura.settings import Extractor
    except ImportError:
        return None
    if "options" not in inspect.signature(bare_extraction).parameters or \
            len(inspect.signature(determine_returnstring).parameters) != 2:
        return None
    return bare_extraction, determine_returnstring, Extractor


@functools.lru_cache(maxsize=4)
def _extractor(fast: bool, recall: bool) -> Any:
    """trafilatura's options for our call, built once (building them parses its config each time)."""
    steps = _trafilatura_steps()
    assert steps is not None
    return steps[2](output_format="xml", fast=fast, recall=recall, comments=False, tables=False,
                    images=False, links=False, dedup=False, with_metadata=False)


def _trafilatura_xml(pruned: Any, url: str, recall: bool, fast: bool) -> str | None:
    """``trafilatura.extract(pruned, output_format="xml", ...)`` without the content hash it adds to XML output.

    ``extract`` is ``bare_extraction`` + a SimHash of the text for the ``fingerprint`` attribute
    (unused here, ~15% of the call) + ``determine_returnstring``; the same steps run here minus the hash.
    """
    steps = _trafilatura_steps()
    if steps is None:  # another trafilatura layout: the public call
        import trafilatura

        return trafilatura.extract(
            pruned, url=url, output_format="xml", include_comments=False, include_tables=False,
            include_images=False, include_links=False, deduplicate=False, favor_recall=recall,
            with_metadata=False, fast=fast,
        )
    bare_extraction, determine_returnstring, _ = steps
    options = copy.copy(_extractor(fast, recall))  # as ``Extractor(url=url, ...)`` would set them:
    options.url = url
    options.source = url.encode("utf-8", "replace").decode("utf-8") if url else None
    document = bare_extraction(pruned, options=options)  # works on its own copy: ``pruned`` stays intact
    if document is None or isinstance(document, dict):
        return None
    return str(determine_returnstring(document, options))


def _trafilatura_paragraphs(pruned: Any, url: str, recall: bool, fast: bool) -> list[str]:
    try:
        xml = _trafilatura_xml(pruned, url, recall, fast)
    except Exception:  # trafilatura must never take the stage down
        return []
    if not xml:
        return []
    try:
        root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.LxmlError:
        return []
    main = root.find("main")
    if main is None:
        return []
    out: list[str] = []
    for el in main.iter("p", "head", "item", "quote", "code", "cell"):
        if el.tag == "quote" and el.find("p") is not None:
            continue
        if el.tag == "p" and any(a.tag in ("item", "cell") for a in el.iterancestors()):
            continue
        out.extend(_split_lb(el))
    return out


def _doubtful(core: list[str], fallback: list[str]) -> bool:
    """Whether trafilatura's fast pass may have missed what its fallback comparisons would find."""
    if len(core) < 3:
        return True  # nothing, a baseline dump of the whole page, or a stub
    n_core = sum(map(len, core))
    return n_core < 500 or sum(map(len, fallback)) > 1.5 * n_core


def _core_paragraphs(pruned: Any, url: str, fallback: list[str]) -> list[str]:
    """trafilatura's paragraphs (stage 5): its fast pass, and the full cascade when that looks doubtful."""
    core = _trafilatura_paragraphs(pruned, url, recall=False, fast=True)
    if not _doubtful(core, fallback):
        return core
    core = _trafilatura_paragraphs(pruned, url, recall=False, fast=False)
    if not core:
        core = _trafilatura_paragraphs(pruned, url, recall=True, fast=False)
    return core


_INLINE_TAGS = frozenset({"a", "b", "i", "em", "strong", "font", "span", "small", "u", "sup", "sub", "abbr",
                          "cite", "q", "time", "mark", "big", "tt", "s", "ins", "del", "bdi", "bdo", "label", "nobr"})
_PARA_MARK = "\u2029"


def _inline_text(el: Any, depth: int = 0) -> str:
    """Text of ``el`` with ``<br>`` and block children turned into paragraph marks (for <br>-built pages)."""
    parts = [el.text or ""]
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            parts.append(_PARA_MARK)
        elif tag in _INLINE_TAGS and depth < 50:
            parts.append(_inline_text(child, depth + 1))
        else:
            parts.append(_PARA_MARK)
        parts.append(child.tail or "")
    return "".join(parts)


def _br_paragraphs(pruned: Any) -> list[str]:
    """For pages without <p>: the element with the most inline text, split at <br> runs."""
    best, best_len = None, 0
    for el in pruned.iter("td", "div", "font", "section", "article", "main", "center", "span", "body"):
        text = _inline_text(el)
        n = len(re.sub(r"\s+", "", text.replace(_PARA_MARK, "")))
        if n > best_len:
            best, best_len = el, n
    if best is None or best_len < 80:
        return []
    return [x for x in (_norm_space(seg) for seg in _inline_text(best).split(_PARA_MARK)) if x]


def _fallback_paragraphs(pruned: Any) -> list[str]:
    """Readability-style: the container with the densest <p> text, its blocks in order."""
    scores: dict[Any, float] = {}
    for p in pruned.iter("p"):
        n = len(_text_of(p))
        if n < 25:
            continue
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + n
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + n / 2
    if not scores:
        return _br_paragraphs(pruned)
    best = max(scores, key=lambda k: scores[k])
    out: list[str] = []
    for el in best.iter(*_BLOCK_TAGS):
        if any(a.tag in _BLOCK_TAGS for a in el.iterancestors() if a is not best and best in a.iterancestors()):
            continue
        parts: list[str] = []
        buf = [el.text or ""]
        for child in el:
            if child.tag == "br":
                parts.append("".join(buf))
                buf = []
            else:
                buf.append(child.text_content() if isinstance(child.tag, str) else "")
            buf.append(child.tail or "")
        parts.append("".join(buf))
        out.extend(x for x in (_norm_space(p) for p in parts) if x)
    if sum(map(len, out)) < 200:
        br = _br_paragraphs(pruned)
        if sum(map(len, br)) > 2 * sum(map(len, out)):
            return br
    return out


def _choose(core: list[str], fallback: list[str]) -> list[str]:
    """Pick trafilatura's paragraphs unless the density fallback is clearly better (stage 6)."""
    if not core:
        return fallback
    if not fallback:
        return core
    n_core, n_fb = sum(map(len, core)), sum(map(len, fallback))
    if n_fb > 1.3 * n_core + 200:
        return fallback  # trafilatura missed much of the article
    glued = _fold(" ".join(core))
    if len(core) * 2 <= len(fallback) and all(_fold(p) in glued for p in fallback):
        return fallback  # same text, but trafilatura glued paragraphs together
    return core


# ---------------------------------------------------------------- cleaning

_TERMINAL_MARKER = re.compile(
    r"^(?:related|read (?:more|also)|more (?:from|on|stories)|leave a (?:reply|comment)|tagged|tags|topics|"
    r"comments?|share|recommended|you may also like|all related articles|sources?|references|"
    r"ilgili|etiketler|bu haberi paylaşın|читайте также|по теме|lire aussi|mehr zum thema|lee también|"
    r"noticias relacionadas|関連|관련|相关|اقرأ أيضا|مواضيع ذات صلة)\b",
    re.I,
)
_STAFF_LINE = re.compile(
    r"^(?:by\s+)?[\w .'’-]{0,40}\b(?:staff|reporters?|correspondents?|desk|editors?|writers?|bureau)$", re.I
)


def _is_dateline_only(p: str) -> bool:
    """A lone place name in capitals (``ISTANBUL``, ``TOKYO (Reuters)``) opening the body."""
    return len(p) <= 40 and len(p.split()) <= 4 and p.isupper() and not re.search(r"\d", p)


def _clean_paragraphs(paras: list[str], titles: list[str], now: datetime, langs: list[str]) -> list[str]:
    title_keys = {_fold(t) for t in titles if t and len(_fold(t)) >= 8}
    out: list[str] = []
    for i, p in enumerate(paras):
        p = _norm_space(p)
        if not p or is_boilerplate_line(p):
            continue
        if _fold(p) in title_keys:
            continue
        if len(p) < 240 and paywall_marker(p):
            continue
        if len(out) < 3 and i < 8:
            # leading date / byline / dateline lines belong to the header, not the body
            # (the cheap tests first: parse_date is costly)
            if len(p) <= 160 and (
                len(p) <= 60 or re.search(r"(?i)\b(?:by|update|published|posted|date|von|por|par)\b|\||\s-\s", p)
            ) and parse_date(p, now=now, languages=langs) is not None:
                continue
            if _BY_PREFIX.match(p) and len(p) <= 120:
                continue
            if len(p) <= 50 and _STAFF_LINE.match(p):
                continue
            if _is_dateline_only(p):
                continue
        if out and _fold(out[-1]) == _fold(p):
            continue
        out.append(p)
    # a trailing furniture block: marker line followed only by short lines
    cut = len(out)
    for i in range(len(out) - 1, max(-1, len(out) - 15), -1):
        if _TERMINAL_MARKER.match(out[i]) and len(out[i]) < 60 and all(len(x) < 200 for x in out[i:]):
            cut = i
    return out[:cut]


# ---------------------------------------------------------------- paywall, language, canonical


def _is_false(v: Any) -> bool:
    return v is False or (isinstance(v, str) and v.strip().lower() in ("false", "no", "0"))


# words marking a paywalled element: in its class, or (the first) in its id
_PAYWALL_CLASS_WORDS = ("paywall", "subscriber-only", "premium-lock", "piano-offer")
_PAYWALL_ID_WORDS = ("paywall",)
_PAYWALL_ATTR_WORDS = tuple(dict.fromkeys((*_PAYWALL_CLASS_WORDS, *_PAYWALL_ID_WORDS)))


def _contains_any(node: str, words: tuple[str, ...]) -> str:
    return " or ".join(f'contains({node},"{w}")' for w in words)


_PAYWALL_XPATH = (f"//*[{_contains_any('@class', _PAYWALL_CLASS_WORDS)}"
                  f" or {_contains_any('@id', _PAYWALL_ID_WORDS)}]")
# the same test on the attribute nodes alone (much cheaper than on every element): any match at all?
_PAYWALL_ATTR_XPATH = etree.XPath(f"boolean(//@class[{_contains_any('.', _PAYWALL_CLASS_WORDS)}]"
                                  f" | //@id[{_contains_any('.', _PAYWALL_ID_WORDS)}])")


def _paywalled(tree: Any, ld: dict[str, Any], objects: list[dict[str, Any]], paras: list[str], markup: str) -> bool:
    if _is_false(ld.get("isAccessibleForFree")):
        return True
    for obj in objects:
        if _is_false(obj.get("isAccessibleForFree")) and (obj is ld or _jsonld_types(obj) & _ARTICLE_TYPES
                                                           or "webpagelement" in _jsonld_types(obj)):
            return True
    # the markup without any marker word cannot have a marked attribute: skip the scan of all attributes
    mentioned = any(word in markup for word in _PAYWALL_ATTR_WORDS)
    marked = tree.xpath(_PAYWALL_XPATH) if mentioned and _PAYWALL_ATTR_XPATH(tree) else []
    if any(paywall_marker(_text_of(el)) for el in marked):
        return True
    if paras and re.search(r"(?:…|\.\.\.)\s*$", paras[-1]):
        body = tree.find(".//body")
        page_text = _text_of(body) if body is not None else ""
        return paywall_marker(page_text)
    return False


def _language(tree: Any, metas: dict[str, list[str]], ld: dict[str, Any], sample: str) -> str | None:
    hints = [
        _attr(tree, "lang") or _attr(tree, "xml:lang") or _attr(tree, "{http://www.w3.org/XML/1998/namespace}lang"),
        _first_meta(metas, "og:locale"),
        _first_meta(metas, "content-language", "language", "dc.language"),
        str(ld.get("inLanguage") or "") if isinstance(ld.get("inLanguage"), str) else "",
    ]
    hint = next((normalize_lang(h) for h in hints if normalize_lang(h)), None)
    return detect_language(sample, hint)


def _canonical(tree: Any, metas: dict[str, list[str]], url: str) -> str:
    for el in tree.iter("link"):
        if "canonical" in _attr(el, "rel").lower().split() and _attr(el, "href"):
            cand = urljoin(url, _attr(el, "href"))
            if same_site(cand, url):
                return canonicalize_url(cand)
    og = _first_meta(metas, "og:url")
    if og:
        cand = urljoin(url, og)
        if same_site(cand, url):
            return canonicalize_url(cand)
    return canonicalize_url(url)


# ---------------------------------------------------------------- entry point


def _to_text(html: bytes | str, encoding: str | None) -> str:
    if isinstance(html, bytes | bytearray):
        data = bytes(html[:MAX_INPUT_BYTES])
        if not data or data.isspace():  # i.e. ``not data.strip()``, without copying the page
            raise ArticleParseError("empty document")
        text = _decode(data, encoding)
    elif isinstance(html, str):
        text = html[:MAX_INPUT_BYTES]
    else:
        raise ArticleParseError(f"expected bytes or str, got {type(html).__name__}")
    text = text.replace("\x00", "")
    # a memchr-speed scan per character: much cheaper than a regex test of each character of the page
    if any(c in text for c in _CONTROL_CHAR_LIST):
        text = _CONTROL_CHARS.sub(" ", text)
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text or text.isspace():
        raise ArticleParseError("empty document")
    if not _HTML_TAG.search(text, 0, 200000):
        raise ArticleParseError("not an HTML document")
    return text


_CONTROL_CHARS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL_CHAR_LIST = [*map(chr, range(0x01, 0x09)), "\x0b", "\x0c", *map(chr, range(0x0e, 0x20)), "\ufffe", "\uffff"]
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_TAG = re.compile(r"<\s*(?:html|head|body|p|div|article|main|section|title|meta|h1|h2|span|br|table|td)\b", re.I)


def _html_class_lookup() -> Any:
    """lxml.html's element classes (``HtmlElement``, ``FormElement`` for <form>, ...) chosen in C.

    ``lxml.html.HTMLParser`` picks them with a Python method called for every element proxy
    created, about a thousand per page here; this lookup maps the same tags to the same classes.
    """
    fallback = etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity,
    )
    lookup = etree.ElementNamespaceClassLookup(fallback)
    by_tag = lookup.get_namespace(None)
    for tag, cls in lxml_html.HtmlElementClassLookup._default_element_classes.items():
        by_tag[tag] = cls
    return lookup


_HTML_CLASS_LOOKUP = _html_class_lookup()


def _parse_dom(text: str) -> Any:
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=False,
                              recover=True)
    parser.set_element_class_lookup(_HTML_CLASS_LOOKUP)
    try:
        tree = lxml_html.document_fromstring(text, parser=parser)
    except (etree.LxmlError, ValueError, TypeError) as exc:
        raise ArticleParseError(f"unparseable HTML: {exc}") from exc
    if tree is None:
        raise ArticleParseError("unparseable HTML")
    return tree


def parse_article(
    html: bytes | str,
    url: str,
    fetched_at: datetime | None = None,
    *,
    encoding: str | None = None,
) -> Article:
    """Extract a clean ``Article`` from one HTML page, or raise ``ArticleParseError`` (never anything else)."""
    try:
        return _parse_article(html, url, fetched_at, encoding)
    except ArticleParseError:
        raise
    except RecursionError as exc:
        raise ArticleParseError("document nested too deeply") from exc
    except Exception as exc:  # the contract: only the stage's own errors escape
        raise ArticleParseError(f"extraction failed: {type(exc).__name__}: {exc}") from exc


def _parse_article(html: bytes | str, url: str, fetched_at: datetime | None, encoding: str | None) -> Article:
    now = fetched_at or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    text = _to_text(html, encoding)
    tree = _parse_dom(text)

    ld, ld_objects = _jsonld_article(tree)
    metas = _meta_map(tree)
    site_names = _site_names(metas, ld, url)
    title = _pick_title(tree, metas, ld, url)

    pruned = _prune(tree)
    fallback = _fallback_paragraphs(pruned)
    paras = _choose(_core_paragraphs(pruned, url, fallback), fallback)

    markup_lang = normalize_lang(_attr(tree, "lang")) or normalize_lang(_first_meta(metas, "og:locale"))
    langs = [x for x in (markup_lang, "en") if x]
    titles = [title, _first_meta(metas, "og:title"), *[_text_of(h) for h in tree.iter("h1")]]
    body = _clean_paragraphs(paras, titles, now, langs)
    if not body:
        raise ArticleParseError("no article text found")
    body_text = "\n\n".join(body)
    if not title:
        title = body[0][:120]

    lang = _language(tree, metas, ld, title + "\n" + body_text[:LANG_SAMPLE])
    date_langs = [x for x in (lang, markup_lang, "en") if x]
    published, updated = _date_candidates(tree, metas, ld, url, now, date_langs, paras[:6])
    description = _first_meta(metas, "og:description", "description", "twitter:description") or None
    publishers = _names(ld.get("publisher"))
    site_name = _first_meta(metas, "og:site_name") or (publishers[0] if publishers else None)

    return Article(
        url=url,
        canonical_url=_canonical(tree, metas, url),
        title=title,
        text=body_text,
        published=published.value if published else None,
        published_source=published.source if published else None,
        updated=updated.value if updated else None,
        updated_source=updated.source if updated else None,
        byline=_pick_byline(tree, metas, ld, site_names) or _byline_from_lines(paras[:6], site_names),
        lang=lang,
        site_name=site_name,
        description=description,
        paywalled=_paywalled(tree, ld, ld_objects, body, text),
    )


def _byline_from_lines(lines: list[str], site_names: list[str]) -> str | None:
    for line in lines:
        m = re.search(r"(?i)\bby\s+([A-Z][^|]{2,100})$", line)
        if m and len(line) <= 160:
            return clean_byline(m.group(1), site_names)
    return None
