"""Time ganlab's training core against a plain PyTorch loop and the machine's GEMM limit.

The workload is the standard ring problem: 8 Gaussians on a circle, and a
generator and a discriminator with 2 hidden layers of 128 ReLU units. Each
generator step is one discriminator step and one generator update on batches
of 512, with Adam (lr 1e-3, betas 0.5 and 0.999). Contenders, interleaved and
repeated in one process:

* ganlab with recording at the default cadence (``Trainer.run``: snapshots and
  metrics every 100 steps, scalars every 10, parameters every 100, a
  checkpoint at the end);
* the same with the metrics at every fifth snapshot (``metrics.every = 500``);
* the same with exact W2 on the background thread (``metrics.background = true``);
* ganlab with recording minimized (snapshots only at the first and last step,
  no metrics, scalars, parameter series or intermediate checkpoints);
* ganlab with recording minimized on 2 intra-op threads;
* a plain loop written the way the well-known toy scripts are (D(real),
  D(fake.detach()), binary cross-entropy, backward, step, then the generator
  step);
* the limit: only the matrix products of one ganlab step, with the same
  shapes, on preallocated tensors (``torch.addmm`` / ``torch.mm`` with out=).

    python benchmarks/bench_training.py            # 500 steps per measurement, 3 repeats
    python benchmarks/bench_training.py --quick    # 20 steps, 2 repeats (a smoke test)
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import interleave, print_footer, print_header, ratios, report_ratio, summary  # noqa: E402

BATCH = 512
HIDDEN = 128
DEPTH = 2
DATA_DIM = 2
LATENT_DIM = 2


def ring_config(steps: int, *, recording: str, threads: int = 1, every: int = 100,
                metrics_every: int = 0, background: bool = False) -> dict:
    """Return the resolved ring8 preset at batch 512 with the requested recording."""
    from ganlab import config as config_module

    overrides = [f"training.steps={steps}", f"training.batch_size={BATCH}",
                 "training.device=cpu", f"training.threads={threads}"]
    if recording == "default":
        overrides += [f"record.every={every}", f"metrics.every={metrics_every}",
                      f"metrics.background={str(background).lower()}"]
    else:
        overrides += [f"record.every={steps}", f"record.scalars_every={steps}",
                      "record.params_every=0", "record.checkpoint_every=0", "metrics.enabled=[]"]
    return config_module.load_config("ring8", overrides)


# Steps per second of CPU time, by contender, filled in beside the wall-clock rates:
# "thread" counts the training thread only, "process" every thread of the process
# (the background metric worker too). On a loaded machine they show the work a
# contender does, which wall-clock time mixes with waiting for a core.
CPU_RATES: dict[str, dict[str, list[float]]] = {"thread": {}, "process": {}}


def time_ganlab(steps: int, recording: str, threads: int = 1, every: int = 100,
                metrics_every: int = 0, background: bool = False,
                name: str | None = None) -> float:
    """Train one run with ganlab's ``Trainer``; return generator steps per second.

    With ``name`` the CPU-time rates are recorded in ``CPU_RATES`` under it.
    """
    from ganlab.training import Trainer

    config = ring_config(steps, recording=recording, threads=threads, every=every,
                         metrics_every=metrics_every, background=background)
    first_step_end: list[tuple[float, float, float]] = []

    def on_step(step: int, total: int) -> None:
        if step == 1:
            first_step_end.append((time.perf_counter(), time.thread_time(), time.process_time()))

    # The clock starts after step 1, so the snapshot at step 0 (one per run, not one
    # per 100 steps) stays out of the steady-state rate. The final flush and close count.
    with tempfile.TemporaryDirectory() as folder:
        trainer = Trainer(config, Path(folder) / "run", on_step=on_step)
        result = trainer.run()
        seconds = time.perf_counter() - first_step_end[0][0]
        thread_seconds = time.thread_time() - first_step_end[0][1]
        process_seconds = time.process_time() - first_step_end[0][2]
    torch.set_num_threads(1)
    if result.status != "completed":
        raise RuntimeError(f"the benchmark run ended with status {result.status}")
    if name is not None:
        CPU_RATES["thread"].setdefault(name, []).append((steps - 1) / thread_seconds)
        CPU_RATES["process"].setdefault(name, []).append((steps - 1) / process_seconds)
    return (steps - 1) / seconds


def mlp(in_dim: int, out_dim: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = in_dim
    for _ in range(DEPTH):
        layers += [nn.Linear(width, HIDDEN), nn.ReLU()]
        width = HIDDEN
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


def time_plain_loop(steps: int) -> float:
    """Train the same model with a hand-written loop; return generator steps per second."""
    torch.manual_seed(0)
    generator, discriminator = mlp(LATENT_DIM, DATA_DIM), mlp(DATA_DIM, 1)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    criterion = nn.BCEWithLogitsLoss()
    angles = torch.arange(8) * (2 * math.pi / 8)
    centers = 2.0 * torch.stack([angles.cos(), angles.sin()], dim=1)
    ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)

    def real_batch() -> torch.Tensor:
        return centers[torch.randint(8, (BATCH,))] + 0.02 * torch.randn(BATCH, DATA_DIM)

    start = time.perf_counter()
    for _ in range(steps):
        fake = generator(torch.randn(BATCH, LATENT_DIM))
        d_loss = criterion(discriminator(real_batch()), ones) + \
            criterion(discriminator(fake.detach()), zeros)
        d_optimizer.zero_grad()
        d_loss.backward()
        d_optimizer.step()

        fake = generator(torch.randn(BATCH, LATENT_DIM))
        g_loss = criterion(discriminator(fake), ones)
        g_optimizer.zero_grad()
        g_loss.backward()
        g_optimizer.step()
    return steps / (time.perf_counter() - start)


def step_products(batch: int = BATCH, hidden: int = HIDDEN) -> list[tuple[str, int, int, int]]:
    """List the matrix products of one ganlab generator step as (kind, rows, inner, columns).

    Discriminator step: generator forward (no gradient) on B rows, the
    discriminator forward on real and generated data in one pass of 2B rows,
    its weight gradients for every layer and its input gradients for every
    layer but the first. Generator step: generator and discriminator forward
    on B rows, the discriminator's input gradients for every layer (they flow
    into the generator), the generator's weight gradients for every layer and
    its input gradients for every layer but the first.
    """
    g_layers = [(LATENT_DIM, hidden)] + [(hidden, hidden)] * (DEPTH - 1) + [(hidden, DATA_DIM)]
    d_layers = [(DATA_DIM, hidden)] + [(hidden, hidden)] * (DEPTH - 1) + [(hidden, 1)]
    products = []

    def forward(layers, rows):
        products.extend(("addmm", rows, i, o) for i, o in layers)

    def weight_grads(layers, rows):
        products.extend(("mm", o, rows, i) for i, o in layers)

    def input_grads(layers, rows, skip_first):
        products.extend(("mm", rows, o, i) for i, o in layers[1 if skip_first else 0:])

    forward(g_layers, batch)
    forward(d_layers, 2 * batch)
    weight_grads(d_layers, 2 * batch)
    input_grads(d_layers, 2 * batch, skip_first=True)
    forward(g_layers, batch)
    forward(d_layers, batch)
    input_grads(d_layers, batch, skip_first=False)
    weight_grads(g_layers, batch)
    input_grads(g_layers, batch, skip_first=True)
    return products


def time_products(steps: int, products) -> float:
    """Run only the matrix products of ``steps`` generator steps; return steps per second."""
    prepared = []
    for kind, rows, inner, columns in products:
        a, b = torch.randn(rows, inner), torch.randn(inner, columns)
        out, bias = torch.empty(rows, columns), torch.randn(columns)
        prepared.append((kind, a, b, out, bias))
    start = time.perf_counter()
    for _ in range(steps):
        for kind, a, b, out, bias in prepared:
            if kind == "addmm":
                torch.addmm(bias, a, b, out=out)
            else:
                torch.mm(a, b, out=out)
    return steps / (time.perf_counter() - start)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 steps and 2 repeats")
    parser.add_argument("--steps", type=int, default=500,
                        help="generator steps per measurement (default: 500)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="measurements of each contender (default: 3)")
    parser.add_argument("--no-threads", action="store_true",
                        help="leave out the 2-thread contender (on a loaded machine it runs "
                             "many times slower than the others and adds nothing to the targets)")
    args = parser.parse_args(argv)
    steps, repeats, every = (20, 2, 10) if args.quick else (args.steps, args.repeats, 100)

    torch.set_num_threads(1)
    print_header("training core: ganlab against a plain loop and the GEMM limit")
    products = step_products()
    flops = sum(2 * rows * inner * columns for _, rows, inner, columns in products)
    print(f"workload: ring of 8 Gaussians, G and D {DEPTH} x {HIDDEN} ReLU, batch {BATCH}, "
          f"Adam, 1 discriminator + 1 generator step; {steps} steps per measurement, "
          f"{repeats} repeats; snapshots every {every} steps in the default-recording case")
    print(f"matrix products per step: {len(products)}, {flops / 1e6:.1f} MFLOP")

    contenders = {
        "ganlab recording": lambda: time_ganlab(steps, "default", every=every,
                                                name="ganlab recording"),
        "ganlab sparse metrics": lambda: time_ganlab(steps, "default", every=every,
                                                     metrics_every=5 * every,
                                                     name="ganlab sparse metrics"),
        "ganlab background W2": lambda: time_ganlab(steps, "default", every=every,
                                                    background=True,
                                                    name="ganlab background W2"),
        "ganlab minimal": lambda: time_ganlab(steps, "minimal", name="ganlab minimal"),
        "ganlab 2 threads": lambda: time_ganlab(steps, "minimal", threads=2),
        "plain loop": lambda: time_plain_loop(steps),
        "GEMM limit": lambda: time_products(steps, products),
    }
    if args.no_threads:
        del contenders["ganlab 2 threads"]
    rates = interleave(contenders, repeats)
    print("steps per second, median (min to max):")
    for name, values in rates.items():
        print(f"  {name}: {summary(values)}")
    for clock, label in (("thread", "CPU time of the training thread"),
                         ("process", "CPU time of the whole process")):
        print(f"steps per second of {label}, median (min to max):")
        for name, values in CPU_RATES[clock].items():
            print(f"  {name}: {summary(values)}")
    limit = statistics.median(rates["GEMM limit"])
    print(f"GEMM rate at the limit: {limit * flops / 1e9:.1f} GFLOP/s")

    report_ratio("ganlab (recording on) / plain loop",
                 ratios(rates["ganlab recording"], rates["plain loop"]), target=1.0)
    report_ratio("ganlab (metrics every 5 snapshots) / plain loop",
                 ratios(rates["ganlab sparse metrics"], rates["plain loop"]), target=1.0)
    report_ratio("ganlab (recording minimized) / plain loop",
                 ratios(rates["ganlab minimal"], rates["plain loop"]))
    overhead = [1 - r for r in ratios(rates["ganlab recording"], rates["ganlab minimal"])]
    report_ratio("recording overhead (1 - recording on / minimized)", overhead, target=0.10,
                 higher_is_better=False)
    overhead = [1 - r for r in ratios(rates["ganlab sparse metrics"], rates["ganlab minimal"])]
    report_ratio("recording overhead with metrics every 5 snapshots", overhead, target=0.10,
                 higher_is_better=False)
    overhead = [1 - r for r in ratios(rates["ganlab background W2"], rates["ganlab minimal"])]
    report_ratio("recording overhead with W2 on the background thread", overhead, target=0.10,
                 higher_is_better=False)
    report_ratio("ganlab (recording on) / GEMM limit",
                 ratios(rates["ganlab recording"], rates["GEMM limit"]), target=0.70)
    report_ratio("ganlab (recording minimized) / GEMM limit",
                 ratios(rates["ganlab minimal"], rates["GEMM limit"]), target=0.70)
    for clock in ("thread", "process"):
        cpu = CPU_RATES[clock]
        for name in ("ganlab recording", "ganlab background W2"):
            overhead = [1 - r for r in ratios(cpu[name], cpu["ganlab minimal"])]
            report_ratio(f"recording overhead in {clock} CPU time, {name}", overhead)
    if "ganlab 2 threads" in rates:
        report_ratio("1 thread / 2 threads (recording minimized)",
                     ratios(rates["ganlab minimal"], rates["ganlab 2 threads"]))
    print_footer()
    return 0


if __name__ == "__main__":
    sys.exit(main())
