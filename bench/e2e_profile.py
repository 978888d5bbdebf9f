"""Sampling profile of a running worker with py-spy, summarised as top functions.

``py-spy record --pid PID --format raw`` samples the process from outside (ptrace;
``--nonblocking`` so the worker is never paused) and writes collapsed stacks, one line per
distinct stack: ``frame;frame;...;frame COUNT`` with frames ``function (file:line)``. The
summary counts, per function (file and name, lines merged), the samples where it is on top
of the stack (self) and those where it is anywhere on it (total), and the self samples per
package (the first directory of the frame's file: ``pipeline``, ``faust``, ``mode``,
``aiokafka``, ``asyncio``...; top-level standard-library modules count as ``stdlib``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
SAMPLE_RATE_HZ = 100


def py_spy() -> str | None:
    """The py-spy executable next to this interpreter, else on PATH."""
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


def start_record(pid: int, seconds: int, raw_out: Path) -> subprocess.Popen[bytes]:
    """Start sampling ``pid`` for ``seconds``; the raw stacks go to ``raw_out``."""
    exe = py_spy()
    if exe is None:
        raise RuntimeError("py-spy is not installed (pip install -e '.[dev]')")
    return subprocess.Popen(
        [exe, "record", "--pid", str(pid), "--duration", str(seconds), "--rate",
         str(SAMPLE_RATE_HZ), "--format", "raw", "--nonblocking", "-o", str(raw_out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _function(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    file = match["file"]
    for marker in ("site-packages/", "/lib/python3"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return f"{match['func']} ({file})"


def _package(function: str) -> str:
    file = function[function.rfind("(") + 1:-1]
    return file.split("/", 1)[0] if "/" in file else "stdlib"


def summarise(raw: Path, top: int = 25) -> tuple[str, list[dict[str, object]]]:
    """A text report of the top functions by self and total samples, and the self list."""
    self_count: Counter[str] = Counter()
    total_count: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if "(" in f and not f.startswith("process ")]
        if not frames:
            continue
        samples += count
        names = [_function(f) for f in frames]
        self_count[names[-1]] += count
        for name in set(names):
            total_count[name] += count
    lines = [f"py-spy record, {SAMPLE_RATE_HZ} Hz, {samples} samples (active threads only)", ""]
    rows: list[dict[str, object]] = []
    for title, counter in (("self", self_count), ("total (inclusive)", total_count)):
        lines.append(f"top {top} functions by {title} samples:")
        for name, count in counter.most_common(top):
            share = count / samples if samples else 0.0
            lines.append(f"  {100 * share:5.1f}%  {count:6d}  {name}")
            if title == "self":
                rows.append({"function": name, "self_share": round(share, 4)})
        lines.append("")
    packages: Counter[str] = Counter()
    for name, count in self_count.items():
        packages[_package(name)] += count
    lines.append("self samples by package:")
    lines += [f"  {100 * count / max(1, samples):5.1f}%  {count:6d}  {package}"
              for package, count in packages.most_common()]
    return "\n".join(lines) + "\n", rows
