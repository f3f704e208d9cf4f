"""Config loading, overrides and validation."""

import subprocess
import sys

import pytest

from ganlab.config import diff, load_config, parse_override, to_toml
from ganlab.errors import ConfigError


def test_preset_resolves_every_section():
    config = load_config("ring8")
    for section in ("data", "generator", "discriminator", "objective", "optimizer", "training",
                    "record"):
        assert section in config
    assert config["data"]["name"] == "ring"
    assert config["training"]["steps"] == 5000
    assert config["record"]["every"] == 100
    assert config["optimizer"]["generator"]["name"] == "adam"


def test_overrides_parse_toml_values():
    config = load_config("ring8", ["training.steps=300", "objective.loss=hinge",
                                   "optimizer.discriminator.lr=4e-4", "record.backend='hdf5'"])
    assert config["training"]["steps"] == 300
    assert config["objective"]["loss"] == "hinge"
    assert config["optimizer"]["discriminator"]["lr"] == 4e-4
    assert config["optimizer"]["generator"]["lr"] == 1e-3
    assert config["record"]["backend"] == "hdf5"


def test_shared_optimizer_keys_apply_to_both_players():
    config = load_config("ring8", {"optimizer.lr": 2e-4, "optimizer.generator.beta1": 0.0})
    assert config["optimizer"]["generator"]["lr"] == 2e-4
    assert config["optimizer"]["discriminator"]["lr"] == 2e-4
    assert config["optimizer"]["generator"]["beta1"] == 0.0
    assert config["optimizer"]["discriminator"]["beta1"] == 0.5


@pytest.mark.parametrize(
    "override, fragments",
    [
        ("training.stpes=10", ["training.stpes", "unknown key", "training.steps"]),
        ("objective.loss=hinj", ["objective.loss", "'hinj'", "hinge", "wasserstein"]),
        ("training.steps=-5", ["training.steps", "-5", ">= 1"]),
        ("training.steps='many'", ["training.steps", "integer", "'many'"]),
        ("training.scheme=sometimes", ["training.scheme", "alternating", "simultaneous"]),
        ("optimizer.lr=0", ["optimizer.lr", "> 0"]),
        ("optimizer.name=adamw", ["optimizer", "adamw", "adam"]),
        ("training.device=tpu", ["training.device", "tpu"]),
        ("record.backend=parquet", ["record.backend", "zarr", "hdf5"]),
        ("generator.activation=swish", ["generator.activation", "swish", "relu"]),
        ("data.name=rign", ["data.name", "rign", "ring"]),
    ],
)
def test_invalid_values_name_key_and_fix(override, fragments):
    with pytest.raises(ConfigError) as raised:
        load_config("ring8", [override])
    message = str(raised.value)
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message


def test_unknown_section_rejected(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[trainig]\nsteps = 3\n")
    with pytest.raises(ConfigError, match=r"\[trainig\].*did you mean \[training\]"):
        load_config(path)


def test_toml_syntax_error_reports_position(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[training]\nsteps = = 3\n")
    with pytest.raises(ConfigError, match="not valid TOML.*line 2"):
        load_config(path)


def test_missing_config_file():
    with pytest.raises(ConfigError, match="neither a file nor a built-in preset"):
        load_config("no_such_preset")


def test_override_without_equals_sign():
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_override("training.steps")


def test_resolved_config_round_trips_through_toml(tmp_path):
    config = load_config("ring8", ["training.steps=77", "optimizer.generator.lr=3e-4"])
    path = tmp_path / "resolved.toml"
    path.write_text(to_toml(config))
    again = load_config(path)
    assert diff(config, again) == []
    assert again == config


def test_diff_lists_changed_keys():
    old = load_config("ring8")
    new = load_config("ring8", ["training.seed=3"])
    assert diff(old, new) == ["training.seed: 0 -> 3"]


def test_cli_bad_key_exits_2_without_traceback(tmp_path):
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "ganlab.cli", "train", "ring8", "--out", str(out),
         "--set", "training.stpes=3"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "training.stpes" in result.stderr
    assert not out.exists()


def test_shared_optimizer_override_beats_player_tables():
    resolved = load_config("ring8")
    config = load_config(resolved, ["optimizer.lr=0.5"])
    assert config["optimizer"]["generator"]["lr"] == 0.5
    assert config["optimizer"]["discriminator"]["lr"] == 0.5
    assert config["optimizer"]["generator"]["beta1"] == resolved["optimizer"]["generator"]["beta1"]
