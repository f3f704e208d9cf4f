"""Time small-network runs trained as one batched group against the same runs one after another.

The networks are those of the small experiments of Mescheder, Nowozin and
Geiger, "The Numerics of GANs" (NeurIPS 2017): generator and discriminator
with 4 hidden layers of 16 units, latent z in R^16. The data is the ring of 8
Gaussians, batch 512, Adam. R runs that differ only in their seed are trained

* as one batched group (``ganlab.sweep.batched.BatchedGroup``: stacked
  parameters, batched matrix products, one optimizer per player), and
* one after another, each with its own ``Trainer``,

on one thread, interleaved and repeated. Recording is minimized (snapshots
at the first and last step only, no metrics). The report gives the throughput
of the training loops alone (the target) and end to end, with building the
runs and their stores, which costs both sides the same per run.

    python benchmarks/bench_batched.py            # 64 runs x 100 steps, 2 repeats
    python benchmarks/bench_batched.py --quick    # 4 runs x 10 steps (a smoke test)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleave, print_footer, print_header, ratios, report_ratio, summary  # noqa: E402


def small_configs(runs: int, steps: int) -> list[dict]:
    from ganlab import config as config_module

    overrides = [f"training.steps={steps}", "training.batch_size=512", "training.device=cpu",
                 "training.threads=1", "generator.hidden=16", "generator.depth=4",
                 "generator.latent_dim=16", "discriminator.hidden=16", "discriminator.depth=4",
                 f"record.every={steps}", f"record.scalars_every={steps}",
                 "record.params_every=0", "record.checkpoint_every=0", "metrics.enabled=[]"]
    return [config_module.load_config("ring8", overrides + [f"training.seed={seed}"])
            for seed in range(runs)]


# Run-steps per second of the training loops alone (``run()``, without building the
# runs and their stores), by contender, filled in beside the end-to-end rates.
LOOP_RATES: dict[str, list[float]] = {"batched": [], "sequential": []}
# The same per second of CPU time of the whole process (zarr's I/O threads and the
# metric worker included). On a loaded machine this shows the work each contender
# does, which wall-clock time mixes with waiting for a core.
LOOP_CPU_RATES: dict[str, list[float]] = {"batched": [], "sequential": []}


def time_batched(configs) -> float:
    """Train ``configs`` as one batched group; return run-steps per second, end to end."""
    from ganlab.sweep.batched import BatchedGroup

    run_steps = len(configs) * configs[0]["training"]["steps"]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        group = BatchedGroup(configs, [Path(folder) / f"seed-{i}" for i in range(len(configs))])
        loop_start, loop_cpu_start = time.perf_counter(), time.process_time()
        results = group.run()
        end, cpu_end = time.perf_counter(), time.process_time()
    torch.set_num_threads(1)
    _check(results)
    LOOP_RATES["batched"].append(run_steps / (end - loop_start))
    LOOP_CPU_RATES["batched"].append(run_steps / (cpu_end - loop_cpu_start))
    return run_steps / (end - start)


def time_sequential(configs) -> float:
    """Train ``configs`` one after another; return run-steps per second, end to end."""
    from ganlab.training import Trainer

    run_steps = len(configs) * configs[0]["training"]["steps"]
    loop_seconds = loop_cpu_seconds = 0.0
    results = []
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        for index, config in enumerate(configs):
            trainer = Trainer(config, Path(folder) / f"seed-{index}")
            loop_start, loop_cpu_start = time.perf_counter(), time.process_time()
            results.append(trainer.run())
            loop_seconds += time.perf_counter() - loop_start
            loop_cpu_seconds += time.process_time() - loop_cpu_start
        end = time.perf_counter()
    torch.set_num_threads(1)
    _check(results)
    LOOP_RATES["sequential"].append(run_steps / loop_seconds)
    LOOP_CPU_RATES["sequential"].append(run_steps / loop_cpu_seconds)
    return run_steps / (end - start)


def _check(results) -> None:
    statuses = {result.status for result in results}
    if statuses != {"completed"}:
        raise RuntimeError(f"benchmark runs ended with statuses {sorted(statuses)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 runs x 10 steps, 2 repeats")
    parser.add_argument("--runs", type=int, default=64, help="runs per group (default: 64)")
    parser.add_argument("--steps", type=int, default=100,
                        help="generator steps per run (default: 100)")
    parser.add_argument("--repeats", type=int, default=2, help="repeats (default: 2)")
    args = parser.parse_args(argv)
    runs, steps, repeats = (4, 10, 2) if args.quick else (args.runs, args.steps, args.repeats)

    torch.set_num_threads(1)
    print_header("small-network sweep: one batched group against runs one after another")
    configs = small_configs(runs, steps)
    print(f"workload: {runs} runs (seeds 0..{runs - 1}), G and D 4 x 16 ReLU, z in R^16, "
          f"ring of 8 Gaussians, batch 512, Adam, {steps} steps, recording minimized")
    rates = interleave({"batched": lambda: time_batched(configs),
                        "sequential": lambda: time_sequential(configs)}, repeats)
    print("run-steps per second, median (min to max):")
    for name, values in rates.items():
        print(f"  {name}, end to end: {summary(values)}")
        print(f"  {name}, training loop: {summary(LOOP_RATES[name])}")
        print(f"  {name}, training loop per CPU second: {summary(LOOP_CPU_RATES[name])}")
    report_ratio("batched / sequential throughput, training loop",
                 ratios(LOOP_RATES["batched"], LOOP_RATES["sequential"]), target=8.0)
    report_ratio("batched / sequential, training loop per CPU second",
                 ratios(LOOP_CPU_RATES["batched"], LOOP_CPU_RATES["sequential"]))
    report_ratio("batched / sequential throughput, end to end (building runs and stores too)",
                 ratios(rates["batched"], rates["sequential"]))
    print_footer()
    return 0


if __name__ == "__main__":
    sys.exit(main())
