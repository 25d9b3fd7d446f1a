"""Reporting failures.

ReportError
 └── ReportWriteError   (the report file could not be written)
"""


class ReportError(Exception):
    """The report could not be produced; the message is safe to show."""


class ReportWriteError(ReportError):
    """The report file could not be written to the requested path."""
