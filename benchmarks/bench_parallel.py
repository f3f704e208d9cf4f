"""Time the local sweep engine on all cores against one hand-made process per core.

Both sides train the same R runs of the ring preset (batch 512, default
recording) on every core with one torch thread per process:

* the engine: ``ganlab.sweep.runner.run_sweep`` with ``engine="local"``, one
  worker process per core, batching off;
* the hand-made layout: one ``python`` process per core, started with
  ``subprocess``, each training its share of the runs one after another with
  ``Trainer`` (runs dealt round-robin).

Both wall times include starting the processes. The two sides alternate and
repeat; the figure is hand-made seconds / engine seconds (target at least 0.95).

    python benchmarks/bench_parallel.py            # 8 runs x 200 steps, 2 repeats
    python benchmarks/bench_parallel.py --quick    # 2 runs x 10 steps (a smoke test)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleave, print_footer, print_header, ratios, report_ratio, summary  # noqa: E402

WORKER = """
import json, sys, torch
torch.set_num_threads(1)
from ganlab.training import Trainer
for job in json.load(open(sys.argv[1])):
    result = Trainer(job["config"], job["path"]).run()
    if result.status != "completed":
        raise SystemExit(f"run {job['path']} ended with status {result.status}")
"""


def write_sweep(folder: Path, runs: int, steps: int) -> Path:
    path = folder / "bench.toml"
    path.write_text(
        'base = "ring8"\n'
        f"seeds = {runs}\n"
        "[sweep]\n"
        'name = "bench"\n'
        f"steps = {steps}\n"
        'set = { "training.batch_size" = 512, "training.device" = "cpu", '
        '"training.threads" = 1 }\n', encoding="utf-8")
    return path


def time_engine(sweep: Path, jobs: int) -> float:
    """Run the sweep with the local engine; return seconds."""
    from ganlab.sweep.runner import run_sweep

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = run_sweep(sweep, out, engine="local", jobs=jobs, batched="off",
                           progress=False, summarize=False, overwrite=True)
        seconds = time.perf_counter() - start
    statuses = {run["status"] for run in result.runs()}
    if statuses != {"completed"}:
        raise RuntimeError(f"engine runs ended with statuses {sorted(statuses)}")
    return seconds


def time_by_hand(sweep: Path, jobs: int) -> float:
    """Train the sweep's runs in one hand-started process per core; return seconds."""
    from ganlab.sweep.spec import load_sweep

    spec = load_sweep(sweep)
    with tempfile.TemporaryDirectory() as out:
        shares = [[] for _ in range(jobs)]
        for index, run in enumerate(spec.runs):
            shares[index % jobs].append({"config": run.config,
                                         "path": str(Path(out) / "runs" / run.path)})
        files = []
        for worker, share in enumerate(shares):
            files.append(Path(out) / f"worker-{worker}.json")
            files[-1].write_text(json.dumps(share), encoding="utf-8")
        start = time.perf_counter()
        processes = [subprocess.Popen([sys.executable, "-c", WORKER, str(file)])
                     for file in files]
        codes = [process.wait() for process in processes]
        seconds = time.perf_counter() - start
    if any(codes):
        raise RuntimeError(f"hand-made worker processes exited with {codes}")
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 runs x 10 steps, 2 repeats")
    parser.add_argument("--runs", type=int, default=8, help="runs (default: 8)")
    parser.add_argument("--steps", type=int, default=200, help="steps per run (default: 200)")
    parser.add_argument("--repeats", type=int, default=2, help="repeats (default: 2)")
    args = parser.parse_args(argv)
    runs, steps, repeats = (2, 10, 2) if args.quick else (args.runs, args.steps, args.repeats)
    jobs = os.cpu_count() or 1

    torch.set_num_threads(1)
    print_header("parallel sweep: local engine against one hand-made process per core")
    print(f"workload: {runs} runs of the ring preset, batch 512, {steps} steps, default "
          f"recording, {jobs} processes with 1 torch thread each")
    with tempfile.TemporaryDirectory() as folder:
        sweep = write_sweep(Path(folder), runs, steps)
        seconds = interleave({"engine": lambda: time_engine(sweep, jobs),
                              "by hand": lambda: time_by_hand(sweep, jobs)}, repeats)
    print("wall seconds, median (min to max):")
    for name, values in seconds.items():
        print(f"  {name}: {summary(values)}")
    report_ratio("engine throughput / hand-made throughput",
                 ratios(seconds["by hand"], seconds["engine"]), target=0.95)
    print_footer()
    return 0


if __name__ == "__main__":
    sys.exit(main())
