"""Measure batched against separate training of runs that differ only in their seed.

Usage: python docs/measure_batched_speed.py [RUNS] [STEPS] [HIDDEN]
Trains RUNS seeds of the ring8 preset (batch size 256, HIDDEN units per layer) for STEPS
generator steps with one torch thread, first one after another, then as one batched
group, into a temporary directory, and prints both wall times and the largest
difference between the final samples.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from ganlab.config import load_config
from ganlab.store import open_trajectory
from ganlab.sweep.batched import train_batched
from ganlab.training import train


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    hidden = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    torch.set_num_threads(1)
    overrides = {"training.steps": steps, "record.every": steps, "record.grid": 32,
                 "generator.hidden": hidden, "discriminator.hidden": hidden}
    configs = [load_config("ring8", {**overrides, "training.seed": seed}) for seed in range(runs)]
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        start = time.perf_counter()
        for seed, config in enumerate(configs):
            train(config, root / f"separate-{seed}")
        separate = time.perf_counter() - start

        start = time.perf_counter()
        train_batched(configs, [root / f"batched-{seed}" for seed in range(runs)])
        batched = time.perf_counter() - start

        difference = 0.0
        for seed in range(runs):
            with open_trajectory(root / f"separate-{seed}") as a, \
                    open_trajectory(root / f"batched-{seed}") as b:
                difference = max(difference, float(np.abs(a.samples - b.samples).max()))
    print(f"{runs} runs x {steps} steps, hidden {hidden}: separate {separate:.1f} s, "
          f"batched {batched:.1f} s, speed-up {separate / batched:.2f}, "
          f"max sample difference {difference:.3g}")


if __name__ == "__main__":
    main()
