"""Errors the command line maps to exit codes.

StorywatchError
 ├── ConfigError      bad config file or value (exit 2, nothing written)
 └── RunError         a cycle could not run at all (exit 1)
"""


class StorywatchError(Exception):
    """Base of the application's errors; messages are one line and safe to print."""


class ConfigError(StorywatchError):
    """The configuration is invalid; the message names the key."""


class RunError(StorywatchError):
    """A cycle could not complete (e.g. the database is unreachable)."""
