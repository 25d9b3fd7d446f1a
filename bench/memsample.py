"""Peak memory of a process tree, sampled from a separate process.

``python -m bench.memsample ROOT [--exclude PID ...] [--interval S]`` samples the summed RSS and
PSS of ROOT and its descendants (itself and the excluded pids left out) until its standard input
closes, then prints one JSON line: peaks, the most processes seen, and its own CPU seconds.
Sampling from another process keeps ``smaps_rollup`` reads (kernel time) and the sampling loop
off the measured process's CPU and GIL.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _pss(pid: int) -> int:
    """Proportional set size: shared pages (e.g. copy-on-write after fork) split between sharers."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(x) for x in f.read().split())
        except (OSError, ValueError):
            continue
    return out


def tree(root: int, exclude: set[int]) -> list[int]:
    """``root`` and its descendants, without ``exclude`` (and their descendants)."""
    todo, seen = [root], []
    while todo:
        pid = todo.pop()
        if pid in exclude:
            continue
        seen.append(pid)
        todo.extend(_children(pid))
    return seen


def sample(root: int, exclude: Sequence[int], interval: float) -> dict[str, Any]:
    """Sample until stdin closes; the peaks seen."""
    skip = {*exclude, os.getpid()}
    peak = peak_pss = procs = 0
    while True:
        pids = tree(root, skip)
        peak = max(peak, sum(_rss(p) for p in pids))
        peak_pss = max(peak_pss, sum(_pss(p) for p in pids))
        procs = max(procs, len(pids))
        ready, _, _ = select.select([sys.stdin], [], [], interval)
        if ready and not sys.stdin.readline():
            break
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_rss": peak, "peak_pss": peak_pss, "processes": procs, "cpu": ru.ru_utime + ru.ru_stime}


class TreeMemory:
    """Context manager running the sampler on this process's tree; fills ``peak``, ``peak_pss``,
    ``peak_workers`` and ``cpu`` (the sampler's own CPU seconds, to take out of children's CPU)."""

    def __init__(self, exclude: Sequence[int] = (), interval: float = 0.1) -> None:
        self.exclude = list(exclude)
        self.interval = interval
        self.peak = self.peak_pss = self.peak_workers = 0
        self.cpu = 0.0
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> TreeMemory:
        cmd = [sys.executable, "-m", "bench.memsample", str(os.getpid()), "--interval", str(self.interval)]
        for pid in self.exclude:
            cmd += ["--exclude", str(pid)]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                      cwd=Path(__file__).resolve().parent.parent)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._proc is not None
        out, _ = self._proc.communicate()  # closes stdin: the sampler reports and exits
        row = json.loads(out.strip().splitlines()[-1])
        self.peak, self.peak_pss, self.cpu = row["peak_rss"], row["peak_pss"], row["cpu"]
        self.peak_workers = max(0, row["processes"] - 1)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: sample ROOT's tree until stdin closes, print the peaks as JSON."""
    p = argparse.ArgumentParser(prog="python -m bench.memsample", description=__doc__.splitlines()[0])
    p.add_argument("root", type=int, help="pid whose process tree is sampled")
    p.add_argument("--exclude", type=int, action="append", default=[], help="pid left out with its descendants")
    p.add_argument("--interval", type=float, default=0.1, help="seconds between samples")
    args = p.parse_args(argv)
    print(json.dumps(sample(args.root, args.exclude, args.interval)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
