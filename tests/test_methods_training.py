"""Every method trains through ganlab.train under each update scheme and records its terms."""

from pathlib import Path

import numpy as np
import pytest
import zarr

import ganlab
from methods_fixtures import small_config

# Method -> (config overrides, scalar series it must record).
METHODS = {
    "gp": (['regularizer.names=["gp"]', 'objective.loss="wasserstein"'], ["gp"]),
    "r1": (['regularizer.names=["r1"]'], ["r1"]),
    "r2": (['regularizer.names=["r2"]', "regularizer.r2.generator=true"],
           ["r2", "r2_generator"]),
    "weight_clipping": (['regularizer.names=["weight_clipping"]', 'objective.loss="wasserstein"'],
                        ["clip_fraction"]),
    "spectral_norm": (['regularizer.names=["spectral_norm"]'], ["spectral_norm_max_sigma"]),
    "instance_noise": (['regularizer.names=["instance_noise"]',
                        'regularizer.instance_noise.schedule="linear"',
                        "regularizer.instance_noise.anneal_steps=2"], ["noise_std"]),
    "consensus": (['regularizer.names=["consensus"]'], ["consensus"]),
    "unrolled": (['regularizer.names=["unrolled"]', "regularizer.unrolled.steps=2"],
                 ["unrolled_shift"]),
    "mode_regularizer": (['regularizer.names=["mode_regularizer"]'], ["geometric", "mode"]),
    "packing": (['regularizer.names=["packing"]', "regularizer.packing.degree=4"],
                ["packing_degree"]),
}


@pytest.mark.parametrize("scheme", ["alternating", "simultaneous"])
@pytest.mark.parametrize("method", sorted(METHODS))
def test_method_trains_and_records_terms(tmp_path, method, scheme):
    overrides, series = METHODS[method]
    config = small_config(*overrides, f'training.scheme="{scheme}"', steps=3)
    result = ganlab.train(config, tmp_path / "run")
    scalars = ganlab.open(result.run_dir).scalars

    assert result.status == "completed"
    for name in series:
        assert name in scalars, f"{name} missing from {sorted(scalars)}"
        assert len(scalars[name]) == 3
        assert np.isfinite(scalars[name]).all()


def test_zero_penalty_column_recorded(tmp_path):
    # A zero weight gives a zero penalty, still recorded as its own series.
    config = small_config('regularizer.names=["r1"]', "regularizer.r1.gamma=0.0", steps=2)
    result = ganlab.train(config, tmp_path / "run")
    scalars = ganlab.open(result.run_dir).scalars

    assert "r1" in scalars
    assert np.all(scalars["r1"] == 0.0)


def test_noise_schedule_recorded_values(tmp_path):
    config = small_config('regularizer.names=["instance_noise"]', "regularizer.instance_noise.std=0.4",
                          'regularizer.instance_noise.schedule="linear"',
                          "regularizer.instance_noise.anneal_steps=4", steps=4)
    result = ganlab.train(config, tmp_path / "run")
    # Read back with plain zarr: σ(t) = 0.4 · (1 − t / 4) at t = 1 .. 4.
    store = zarr.open_group(str(result.store_path), mode="r")
    recorded = np.asarray(store["scalars"]["noise_std"][:])

    np.testing.assert_allclose(recorded[:4], [0.3, 0.2, 0.1, 0.0], atol=1e-12)


@pytest.mark.parametrize("optimizer", ["optimistic_sgd", "optimistic_adam", "negative_momentum"])
def test_game_optimizer_trains(tmp_path, optimizer):
    config = small_config(f'optimizer.name="{optimizer}"', "optimizer.momentum=-0.3", steps=3)
    result = ganlab.train(config, tmp_path / "run")

    assert result.status == "completed"


@pytest.mark.parametrize("method", ["consensus", "gp", "unrolled"])
def test_extragradient_scheme_trains(tmp_path, method):
    overrides, series = METHODS[method]
    config = small_config(*overrides, 'training.scheme="extragradient"', steps=3)
    result = ganlab.train(config, tmp_path / "run")
    scalars = ganlab.open(result.run_dir).scalars

    assert result.status == "completed"
    for name in series:
        assert name in scalars


PRESET_DIR = Path(__file__).resolve().parents[1] / "configs" / "methods"
TINY_RECORD = ["training.steps=2", "record.every=2", "record.scalars_every=1", "record.grid=6",
               "record.field_grid=3", "record.real=32", "record.samples=16",
               "record.manifold_grid=3", 'training.device="cpu"', "training.batch_size=32",
               "generator.hidden=16", "discriminator.hidden=16"]


@pytest.mark.parametrize("preset", sorted(p.name for p in PRESET_DIR.glob("*.toml")))
def test_method_preset_trains(tmp_path, preset):
    config = ganlab.load_config(PRESET_DIR / preset, TINY_RECORD)
    result = ganlab.train(config, tmp_path / "run")

    assert result.status == "completed"
    for name in config["regularizer"]["names"]:
        assert name in config["regularizer"]
