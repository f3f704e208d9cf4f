"""Sweep files: expansion into runs and validation before anything runs."""

from __future__ import annotations

import logging

import pytest

from ganlab.config import load_config
from ganlab.errors import ConfigError
from ganlab.sweep import load_sweep
from sweep_fixtures import write_sweep


def test_grid_times_variants_expands(tmp_path):
    path = write_sweep(tmp_path, """
base = "ring8"
seeds = [3, 5]

[sweep]
steps = 40

[grid]
"optimizer.lr" = [1e-4, 1e-3]

[[variants]]
name = "gan"

[[variants]]
name = "R1"
set = { "regularizer.names" = ["r1"], regularizer = { r1 = { gamma = 5.0 } } }
""")
    spec = load_sweep(path)
    names = [variant.name for variant in spec.variants]
    assert names == ["gan_lr=0.0001", "gan_lr=0.001", "R1_lr=0.0001", "R1_lr=0.001"]
    assert spec.seeds == [3, 5]
    assert len(spec.runs) == 8
    run = next(r for r in spec.runs if r.variant == "R1_lr=0.001" and r.seed == 5)
    assert run.path == "runs/R1_lr=0.001/seed-5"
    assert run.config["training"]["seed"] == 5
    assert run.config["training"]["steps"] == 40
    assert run.config["optimizer"]["generator"]["lr"] == 1e-3
    assert run.config["regularizer"]["names"] == ["r1"]
    assert run.config["regularizer"]["r1"]["gamma"] == 5.0
    expected = load_config("ring8", {"training.seed": 5, "training.steps": 40,
                                     "optimizer.lr": 1e-3, "regularizer.names": ["r1"],
                                     "regularizer.r1.gamma": 5.0})
    assert run.config == expected


def test_seed_count_and_grid_only(tmp_path):
    path = write_sweep(tmp_path, """
base = "ring8"
seeds = 2

[grid]
"training.d_steps" = [1, 2]
"training.batch_size" = [64]
""")
    spec = load_sweep(path)
    assert [v.name for v in spec.variants] == ["d_steps=1_batch_size=64",
                                               "d_steps=2_batch_size=64"]
    assert spec.seeds == [0, 1]
    assert len(spec.runs) == 4


def test_inline_and_relative_base(tmp_path):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "small.toml").write_text(
        "[data]\nname = \"ring\"\nmodes = 4\n\n[training]\nsteps = 7\n", encoding="utf-8")
    path = write_sweep(tmp_path, """
base = "configs/small.toml"

[[variants]]
name = "file"

[[variants]]
name = "preset"
base = "grid25"
""")
    spec = load_sweep(path)
    file_run, preset_run = spec.runs
    assert file_run.config["data"]["modes"] == 4
    assert file_run.config["training"]["steps"] == 7
    assert preset_run.config["data"]["name"] == "grid"

    inline = write_sweep(tmp_path, """
seeds = 1

[base.data]
name = "ring"
modes = 3
""", name="inline.toml")
    spec = load_sweep(inline)
    assert spec.variants[0].name == "base"
    assert spec.runs[0].config["data"]["modes"] == 3


@pytest.mark.parametrize("text, fragment", [
    ('base = "ring8"\nbogus = 1\n', "unknown key 'bogus'"),
    ('base = "ring8"\nseeds = 0\n', "seeds = 0"),
    ('base = "ring8"\nseeds = [1, 1]\n', "duplicates"),
    ('base = "ring8"\n[[variants]]\nname = "a b"\n', "name 'a b'"),
    ('base = "ring8"\n[[variants]]\nname = "x"\n[[variants]]\nname = "x"\n', "more than once"),
    ('base = "ring8"\n[grid]\n"optimizer.lr" = 0.1\n', "non-empty list"),
    ('[[variants]]\nname = "x"\n', "no base"),
    ('base = "ring9"\n', "ring9"),
])
def test_invalid_sweep_files_rejected(tmp_path, text, fragment):
    path = write_sweep(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_sweep(path)
    assert fragment in str(caught.value)


def test_invalid_key_names_variant(tmp_path):
    path = write_sweep(tmp_path, """
base = "ring8"

[[variants]]
name = "good"

[[variants]]
name = "typo"
set = { "optimizer.lrr" = 0.1 }
""")
    with pytest.raises(ConfigError) as caught:
        load_sweep(path)
    message = str(caught.value)
    assert "variant 'typo'" in message
    assert "lrr" in message
    assert "\n" not in message


def test_overrides_resize_sweep(tmp_path):
    path = write_sweep(tmp_path)
    spec = load_sweep(path, ["seeds=1", "sweep.steps=20"])
    assert len(spec.runs) == 2
    assert [run.seed for run in spec.runs] == [0, 0]
    for run in spec.runs:
        assert run.config["training"]["steps"] == 20


def test_cli_set_trains_smaller_sweep(tmp_path, capsys):
    from ganlab.cli import main

    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    status = main(["sweep", str(path), "--out", str(out), "--jobs", "1", "--no-progress",
                   "--set", "seeds=1", "--set", "sweep.steps=10"])
    assert status == 0
    runs = sorted(p.relative_to(out).as_posix() for p in out.glob("runs/*/*"))
    assert runs == ["runs/adam/seed-0", "runs/sgd/seed-0"]


def test_cli_set_invalid_seeds_exits_2(tmp_path, capsys):
    from ganlab.cli import main

    path = write_sweep(tmp_path)
    status = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--set", "seeds=0"])
    assert status == 2
    error = capsys.readouterr().err.strip()
    assert "seeds" in error
    assert len(error.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_unlisted_method_note_once(tmp_path, caplog):
    path = write_sweep(tmp_path, """
base = "ring8"
seeds = 4

[[variants]]
name = "plain"
set = { regularizer = { r1 = { gamma = 5.0 } } }

[[variants]]
name = "r1"
set = { "regularizer.names" = ["r1"], regularizer = { r1 = { gamma = 5.0 } } }
""")
    with caplog.at_level("INFO", logger="ganlab"):
        spec = load_sweep(path)
    messages = [record.getMessage() for record in caplog.records]
    notes = [message for message in messages if "not in regularizer.names" in message]
    assert notes == ["[regularizer.r1] is set but 'r1' is not in regularizer.names; the method "
                     "is off"]
    assert len(spec.runs) == 8
    # Informational records are shown again once the sweep file is loaded.
    assert logging.root.manager.disable == logging.NOTSET
