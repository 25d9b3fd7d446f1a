"""The check command: ruff, mypy and the import layers run as part of the test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGES = ["parsers", "fetcher", "dedupe", "storage", "detection", "alerting", "reporting", "storywatch", "flows"]


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_clean() -> None:
    r = run(str(BIN / "ruff"), "check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.slow
def test_mypy_clean() -> None:
    r = run(str(BIN / "mypy"), *PACKAGES)
    assert r.returncode == 0, r.stdout[-5000:] + r.stderr[-2000:]


def test_import_layers() -> None:
    r = run(str(BIN / "lint-imports"))
    assert r.returncode == 0, r.stdout[-5000:] + r.stderr[-2000:]
