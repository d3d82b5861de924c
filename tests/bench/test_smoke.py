"""A few-second smoke of every benchmark: each still runs and prints its verdicts.

The numbers are not judged here (goals live in the benchmarks, never in timed tests);
what is checked is that the benchmark measured both servers in one run and reported
each goal with its verdict, so a broken benchmark is noticed in CI, not at release.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_upload_benchmark_runs_and_reports_its_goals() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.upload", "--size-mb", "4", "--reps", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert re.search(r"portal/bare throughput ratio\s+\d+\.\d+\s+goal >= 0\.8\s+(PASS|FAIL)", out)
    assert re.search(r"portal peak RSS growth\s+[\d.]+ MiB\s+goal < 64 MiB\s+(PASS|FAIL)", out)
    assert "bare+sha256/bare ratio" in out
