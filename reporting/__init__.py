"""The story report: read-only queries, a self-contained HTML timeline and a small web server."""

from reporting.data import (
    ReportData,
    alerts_json,
    articles_json,
    developments_json,
    load_report_data,
)
from reporting.errors import ReportError, ReportWriteError
from reporting.render import render_report, write_report

__all__ = [
    "ReportData",
    "ReportError",
    "ReportWriteError",
    "alerts_json",
    "articles_json",
    "developments_json",
    "load_report_data",
    "render_report",
    "write_report",
]
