"""Run every benchmark in turn and keep each one's report.

    python benchmarks/run_all.py            # full size (tens of minutes on 2 busy cores)
    python benchmarks/run_all.py --quick    # smoke size, a few minutes
    python benchmarks/run_all.py --only training store

Each benchmark runs in its own process (``python benchmarks/bench_<name>.py``)
so one benchmark's threads, imports and caches do not slow the next. The
reports go to standard output and, with ``--log``, to a file as well. The exit
status is 1 when a benchmark failed to run; a missed target is reported, not
an error.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# In the order of docs/benchmarks.md.
BENCHMARKS = ("training", "batched", "parallel", "render", "store", "scaling")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke-sized runs of every benchmark")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS),
                        help="benchmarks to run (default: all)")
    parser.add_argument("--log", type=Path, default=None, help="also write the reports to this file")
    args = parser.parse_args(argv)

    failed = []
    log = open(args.log, "w", encoding="utf-8") if args.log else None
    try:
        for name in args.only:
            command = [sys.executable, str(HERE / f"bench_{name}.py")]
            if args.quick:
                command.append("--quick")
            start = time.perf_counter()
            process = subprocess.run(command, capture_output=True, text=True)
            report = process.stdout + process.stderr
            report += f"[{name}: exit status {process.returncode}, " \
                      f"{time.perf_counter() - start:.1f} s]\n\n"
            sys.stdout.write(report)
            sys.stdout.flush()
            if log is not None:
                log.write(report)
                log.flush()
            if process.returncode != 0:
                failed.append(name)
    finally:
        if log is not None:
            log.close()
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
