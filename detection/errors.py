"""Detection failures.

DetectionError
 ├── QuerySyntaxError   (a topic query cannot be parsed)
 └── WatchConfigError   (a watch file is missing or invalid)
"""


class DetectionError(Exception):
    """Base of every detection failure."""


class QuerySyntaxError(DetectionError):
    """A boolean topic query is malformed; the message points at the problem."""


class WatchConfigError(DetectionError):
    """A watch definition cannot be loaded or does not validate."""
