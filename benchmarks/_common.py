"""Shared parts of the benchmarks: the machine report and interleaved, repeated timing.

Every benchmark compares contenders measured in the same process run, one
after another in alternating order (A, B, A, B, ...), and reports the median
and the spread (min to max) of each and of their ratios, so that a busy shared
machine slows all contenders alike.
"""

from __future__ import annotations

import os
import platform
import shlex
import statistics
import sys
import time
from typing import Callable, Mapping, Sequence

import torch


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or the platform's processor string."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unavailable"
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def print_header(title: str) -> None:
    """Print the benchmark's title, command line and machine."""
    print(f"== {title}")
    print("command:", " ".join(shlex.quote(part) for part in [sys.executable, *sys.argv]))
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}, "
          f"torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, "
          f"torch threads {torch.get_num_threads()}")
    print(f"load average (1, 5, 15 min) at start: {load_average()}")


def print_footer() -> None:
    print(f"load average (1, 5, 15 min) at end: {load_average()}")


def interleave(contenders: Mapping[str, Callable[[], float]], repeats: int,
               verbose: bool = True) -> dict[str, list[float]]:
    """Call each contender once per repeat, alternating the order; return their values.

    A contender returns its own measurement (seconds, or a rate). Even repeats
    run in the given order and odd ones in reverse, so neither side always
    runs first.
    """
    values: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for repeat in range(repeats):
        order = names if repeat % 2 == 0 else list(reversed(names))
        for name in order:
            values[name].append(contenders[name]())
        if verbose:
            row = ", ".join(f"{name} {values[name][-1]:.4g}" for name in names)
            print(f"  repeat {repeat + 1}: {row}")
    return values


def summary(values: Sequence[float]) -> str:
    """Return 'median (min to max)' of ``values``."""
    return f"{statistics.median(values):.4g} ({min(values):.4g} to {max(values):.4g})"


def ratios(numerator: Sequence[float], denominator: Sequence[float]) -> list[float]:
    """Return the per-repeat ratios, pairing the values measured in the same repeat."""
    return [a / b for a, b in zip(numerator, denominator)]


def report_ratio(label: str, values: Sequence[float], target: float | None = None,
                 higher_is_better: bool = True) -> bool | None:
    """Print the median and spread of a ratio and whether it meets ``target``."""
    median = statistics.median(values)
    line = f"{label}: {summary(values)}"
    met = None
    if target is not None:
        met = median >= target if higher_is_better else median <= target
        sign = ">=" if higher_is_better else "<="
        line += f"  [target {sign} {target:g}: {'met' if met else 'NOT met'}]"
    print(line)
    return met


class Stopwatch:
    """Accumulate the time spent inside ``with stopwatch:`` blocks."""

    def __init__(self):
        self.seconds = 0.0

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds += time.perf_counter() - self._start
        return False
