"""Character encoding of a body that survives wrong or missing headers.

Order of evidence:
  1. a byte-order mark (UTF-8/16/32) wins outright;
  2. bytes that are valid UTF-8 *and* contain non-ASCII are UTF-8, whatever the label says
     (legacy single-byte text is practically never valid multi-byte UTF-8 by accident);
  3. the Content-Type ``charset``, then the XML declaration's ``encoding``, then ``<meta charset>``
     / ``<meta http-equiv>`` -- each only if the bytes actually decode in it;
  4. charset-normalizer's best guess;
  5. windows-1252 (decodes with replacement characters at worst).
ISO-8859-1 and ASCII labels are read as windows-1252, as browsers do.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it shares the prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_WINDOWS_1252_ALIASES = frozenset({"latin_1", "iso8859-1", "ascii", "us-ascii", "iso-8859-1"})
_SNIFF_BYTES = 4096
_DETECT_BYTES = 64_000


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1) if m else None


def normalize_encoding(label: str | None) -> str | None:
    """Python's codec name for ``label`` (``None`` if unknown); latin-1/ascii become cp1252."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    if name in _WINDOWS_1252_ALIASES:
        return "cp1252"
    return name


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _declared_in_document(data: bytes) -> list[str]:
    head = data[:_SNIFF_BYTES]
    found = []
    m = _XML_DECL.search(head)
    if m:
        found.append(m.group(1).decode("ascii", "replace"))
    m = _META_CHARSET.search(head)
    if m:
        found.append(m.group(1).decode("ascii", "replace"))
    return found


def detect_encoding(data: bytes, content_type: str | None = None) -> str:
    """The Python codec name that decodes ``data`` correctly (see module docstring for the order)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8"
    labels = [charset_from_content_type(content_type), *_declared_in_document(data)]
    for label in labels:
        declared = normalize_encoding(label)
        if declared is None or declared.startswith(("utf-16", "utf-32")):
            continue  # unknown, or a UTF-16/32 label without a BOM on ASCII-compatible bytes: a lie
        if data.isascii() or (declared != "utf-8" and _decodes(data, declared)):
            return declared
    if data.isascii():
        return "utf-8"
    results = charset_normalizer.from_bytes(data[:_DETECT_BYTES])
    best = results.best()
    if best is not None:
        # Short texts fit many single-byte codecs equally well; among the equally good
        # candidates prefer windows-1252, the web's commonest legacy encoding.
        tied = {
            normalize_encoding(name)
            for match in results
            if match.chaos <= best.chaos + 0.1 and match.coherence >= best.coherence - 0.05
            for name in match.could_be_from_charset
        }
        guessed = "cp1252" if "cp1252" in tied else normalize_encoding(best.encoding)
        if guessed and _decodes(data, guessed):
            return guessed
    return "cp1252"


def decode_body(data: bytes, encoding: str | None) -> str:
    """``data`` as text in ``encoding`` (detected when ``None``), replacing undecodable bytes."""
    return data.decode(encoding or detect_encoding(data), errors="replace")
