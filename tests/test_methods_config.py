"""The [regularizer] section: defaults, option tables, and rejected or doubtful combinations."""

import logging
import subprocess
import sys

import pytest

import ganlab
from ganlab.errors import ConfigError
from ganlab.regularizers import REGULARIZERS
from methods_fixtures import small_config


def test_resolved_tables_hold_defaults():
    config = small_config('regularizer.names=["gp", "r1"]', "regularizer.gp.weight=0.1")

    assert config["regularizer"]["names"] == ["gp", "r1"]
    assert config["regularizer"]["gp"] == {"weight": 0.1, "target": 1.0, "one_sided": False,
                                           "generator": False}
    assert config["regularizer"]["r1"] == {"gamma": 10.0}


def test_unknown_name_lists_accepted():
    with pytest.raises(ConfigError) as error:
        small_config('regularizer.names=["r3"]')

    assert "r3" in str(error.value)
    assert "weight_clipping" in str(error.value)


def test_unknown_option_named():
    with pytest.raises(ConfigError) as error:
        small_config('regularizer.names=["gp"]', "regularizer.gp.lambda=3")

    assert "regularizer.gp.lambda" in str(error.value)


def test_unknown_method_table_rejected():
    with pytest.raises(ConfigError) as error:
        small_config("regularizer.wgangp.weight=1")

    assert "[regularizer.wgangp]" in str(error.value)


def test_repeated_name_rejected():
    with pytest.raises(ConfigError, match="more than once"):
        small_config('regularizer.names=["r1", "r1"]')


@pytest.mark.parametrize("name", ["gp", "r1", "r2"])
def test_batch_norm_with_gradient_penalty_rejected(name):
    with pytest.raises(ConfigError, match="batch normalization"):
        small_config(f'regularizer.names=["{name}"]', "discriminator.batch_norm=true")


def test_clipping_without_wasserstein_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="ganlab.regularizers.section"):
        small_config('regularizer.names=["weight_clipping"]')

    assert "Wasserstein" in caplog.text


def test_clipping_with_wasserstein_silent(caplog):
    with caplog.at_level(logging.WARNING, logger="ganlab.regularizers.section"):
        small_config('regularizer.names=["weight_clipping"]', 'objective.loss="wasserstein"')

    assert caplog.text == ""


def test_packing_degree_must_divide_batch():
    with pytest.raises(ConfigError, match="multiple of 3"):
        small_config('regularizer.names=["packing"]', "regularizer.packing.degree=3")


def test_extragradient_needs_one_discriminator_step():
    with pytest.raises(ConfigError, match="d_steps"):
        small_config('training.scheme="extragradient"', "training.d_steps=2")


def test_mode_regularizer_needs_logit_loss():
    with pytest.raises(ConfigError, match="log D"):
        small_config('regularizer.names=["mode_regularizer"]', 'objective.loss="wasserstein"')


def test_unrolled_rejects_unsupported_optimizer():
    with pytest.raises(ConfigError, match="unrolled"):
        small_config('regularizer.names=["unrolled"]',
                     'optimizer.discriminator.name="optimistic_adam"')


def test_negative_momentum_rejects_positive_beta(tmp_path):
    config = small_config('optimizer.name="negative_momentum"', "optimizer.momentum=0.5")

    with pytest.raises(ConfigError, match="momentum <= 0"):
        ganlab.train(config, tmp_path / "run")


def test_label_smoothing_range():
    with pytest.raises(ConfigError, match="label_smoothing"):
        small_config("objective.label_smoothing=1.0")


def test_every_method_has_source_and_documented_options():
    for entry in REGULARIZERS:
        assert entry.source, entry.name
        assert entry.description, entry.name
        assert all(field.doc for field in entry.extra.get("fields", [])), entry.name


def test_list_regularizers_shows_options():
    result = subprocess.run([sys.executable, "-m", "ganlab.cli", "list", "regularizers"],
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert "Gulrajani" in result.stdout
    assert "n_power_iterations" in result.stdout


def test_list_optimizers_shows_game_optimizers():
    result = subprocess.run([sys.executable, "-m", "ganlab.cli", "list", "optimizers"],
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    for name in ("optimistic_sgd", "optimistic_adam", "negative_momentum"):
        assert name in result.stdout
