"""The command line: documented, validated config, meaningful exit codes."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storywatch.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in subcommands():
        assert f"storywatch {name}" in readme or f"] {name}" in readme, f"`{name}` missing from README"


def test_every_option_has_help() -> None:
    for name, sub in subcommands().items():
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            assert action.help, f"{name}: option {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        ("database: sqlite:///{db}\nsourcs: []\n", "sourcs"),
        ("database: sqlite:///{db}\nfetch:\n  connect_timeout: soon\n", "fetch.connect_timeout"),
        ("database: mysql://x/y\n", "database"),
        ("database: sqlite:///{db}\nsources:\n  - name: a\n    url: ftp://x\n", "sources.0.url"),
        ("database: sqlite:///{db}\nsources: [\n", "line"),
    ],
)
def test_bad_config_is_one_line_naming_the_key_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], yaml_text: str, key: str
) -> None:
    db = tmp_path / "never.db"
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(yaml_text.replace("{db}", str(db)), encoding="utf-8")
    code = main(["--config", str(cfg), "run"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and key in err, err
    assert not db.exists()


def test_missing_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "nope.yaml"), "articles", "--json"]) == 2
    assert "not found" in capsys.readouterr().err


def test_config_from_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"database: sqlite:///{db}\nsources: []\nreport: {{path: null}}\n", encoding="utf-8")
    env = {**os.environ, "STORYWATCH_CONFIG": str(cfg)}
    r = subprocess.run([sys.executable, "-m", "storywatch.cli", "articles", "--json"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == []
    assert db.exists()


def test_secret_channel_urls_are_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"database: sqlite:///{tmp_path / 's.db'}\nchannels:\n  slack: {{url: 'slack://T000/B000/SeCrEtToKeN'}}\n"
        "fetch:\n  max_redirects: many\n", encoding="utf-8")
    assert main(["--config", str(cfg), "run"]) == 2
    captured = capsys.readouterr()
    assert "SeCrEtToKeN" not in captured.err + captured.out
