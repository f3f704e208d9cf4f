"""Recording cadence options that trade detail for speed, and the divergence check."""

import math

import numpy as np
import pytest
import torch
import zarr

from ganlab.config import load_config
from ganlab.errors import ConfigError
from ganlab.training import Trainer, _first_non_finite

SMALL = [
    "training.steps=50", "record.every=10", "record.scalars_every=5", "record.samples=64",
    "record.real=128", "record.grid=16", "record.field_grid=5", "record.manifold_grid=4",
    "generator.hidden=16", "discriminator.hidden=16", "training.batch_size=32",
    "training.device=cpu",
]


def committed_steps(store, group):
    root = zarr.open_group(str(store), mode="r")
    node = root if group == "" else root[group]
    count = int(node["committed"][()])
    return list(node["steps" if group == "" else "step"][:count])


def test_metrics_every_sparser_than_snapshots(tmp_path):
    config = load_config("ring8", [*SMALL, "metrics.every=20"])
    result = Trainer(config, tmp_path / "run").run()
    assert result.status == "completed"
    assert committed_steps(result.store_path, "") == [0, 10, 20, 30, 40, 50]
    assert committed_steps(result.store_path, "metrics") == [0, 20, 40, 50]


def test_metrics_every_zero_follows_snapshots(tmp_path):
    result = Trainer(load_config("ring8", SMALL), tmp_path / "run").run()
    assert committed_steps(result.store_path, "metrics") == [0, 10, 20, 30, 40, 50]


def test_metrics_every_off_grid_rejected(tmp_path):
    config = load_config("ring8", [*SMALL, "metrics.every=15"])
    with pytest.raises(ConfigError, match="metrics.every = 15 is not a multiple"):
        Trainer(config, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_no_metrics_run_completes(tmp_path):
    config = load_config("ring8", [*SMALL, "metrics.enabled=[]"])
    result = Trainer(config, tmp_path / "run").run()
    root = zarr.open_group(str(result.store_path), mode="r")
    assert result.status == "completed"
    assert "metrics" not in root
    assert committed_steps(result.store_path, "") == [0, 10, 20, 30, 40, 50]


def test_first_non_finite_names_term():
    terms = {"d_loss": torch.tensor(0.5), "g_loss": torch.tensor(math.nan),
             "d_real_mean": torch.tensor(math.inf)}
    assert _first_non_finite(terms) == "g_loss"


def test_first_non_finite_all_finite():
    terms = {"d_loss": torch.tensor(0.5), "g_loss": torch.tensor(-3.0e38)}
    assert _first_non_finite(terms) is None


def test_first_non_finite_reads_run_slices():
    # The batched trainer passes each run's row of (R,) tensors.
    stacked = {"d_loss": torch.tensor([0.1, np.nan]), "g_loss": torch.tensor([0.2, 0.3])}
    first = {name: values[0] for name, values in stacked.items()}
    second = {name: values[1] for name, values in stacked.items()}
    assert _first_non_finite(first) is None
    assert _first_non_finite(second) == "d_loss"
