"""The parse stage's one exception hierarchy.

ParseError                 base: the input could not be turned into a domain object
 +-- FeedParseError        not an RSS/Atom feed or news sitemap (HTML, empty, garbage, entity bombs)
 +-- ArticleParseError     nothing article-like could be extracted from an HTML page
"""

from __future__ import annotations


class ParseError(Exception):
    """Base class for every failure of the parse stage."""


class FeedParseError(ParseError):
    """The bytes are not a feed or sitemap we can read safely."""


class ArticleParseError(ParseError):
    """No article (title and body text) could be extracted from the page."""
