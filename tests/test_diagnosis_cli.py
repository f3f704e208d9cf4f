"""``ganlab diagnose`` on a trajectory written to a real Zarr store."""

import json

import numpy as np
import pytest

from ganlab.cli import main
from ganlab.commands.diagnose import parse_thresholds
from ganlab.errors import UsageError
from ganlab.store import create_store

RADIUS, STD, MODES = 2.0, 0.05, 8
ANGLES = np.arange(MODES) * 2 * np.pi / MODES
CENTERS = np.stack([RADIUS * np.cos(ANGLES), RADIUS * np.sin(ANGLES)], axis=1)


def write_collapsed_run(path, count=12, every=250):
    rng = np.random.default_rng(0)
    real = CENTERS[rng.integers(0, MODES, 1024)] + STD * rng.standard_normal((1024, 2))
    with create_store(path) as writer:
        writer.set_attrs({"dim": 2, "config": json.dumps({"objective": {"loss": "nonsaturating"}})})
        writer.write_static("real", real)
        writer.write_static("mode_centers", CENTERS)
        writer.write_static("mode_stds", np.full((MODES, 2), STD))
        writer.write_static("mode_weights", np.full(MODES, 1 / MODES))
        writer.define_series("", {"samples": ((200, 2), np.float64)}, count)
        for t in range(count):
            samples = CENTERS[2] + STD * rng.standard_normal((200, 2))
            writer.append("", t * every, {"samples": samples})
        writer.flush()
        writer.set_status("completed")
    return path


def test_text_report_names_collapsed_mode(tmp_path, capsys):
    store = write_collapsed_run(tmp_path / "run.zarr")
    assert main(["diagnose", str(store)]) == 0
    out = capsys.readouterr().out
    assert "verdict: mode collapse, steps 0–2750 (run: steps 0–2750)" in out
    assert "mode collapse: steps 0–2750, 1 of 8 modes occupied (mode 2)" in out


def test_json_output(tmp_path, capsys):
    store = write_collapsed_run(tmp_path / "run.zarr")
    assert main(["diagnose", str(store), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "mode collapse"
    assert data["findings"][0]["evidence"]["modes"] == [2]
    assert data["thresholds"]["collapse_min_snapshots"] == 5


def test_threshold_option_is_applied(tmp_path, capsys):
    store = write_collapsed_run(tmp_path / "run.zarr")
    assert main(["diagnose", str(store), "--json", "--threshold", "collapse_min_snapshots=20"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["thresholds"]["collapse_min_snapshots"] == 20
    assert "mode collapse" not in [f["label"] for f in data["findings"]]


def test_unknown_threshold_exits_2(tmp_path, capsys):
    store = write_collapsed_run(tmp_path / "run.zarr")
    assert main(["diagnose", str(store), "--threshold", "hop_min=2"]) == 2
    err = capsys.readouterr().err
    assert "unknown key" in err
    assert "hop_min_hops" in err


def test_missing_run_exits_2(tmp_path, capsys):
    assert main(["diagnose", str(tmp_path / "absent")]) == 2
    assert "error" in capsys.readouterr().err


def test_parse_thresholds_types():
    values = parse_thresholds(["hop_min_hops=4", "far_w2_ratio=2.5"])
    assert values == {"hop_min_hops": 4, "far_w2_ratio": 2.5}
    with pytest.raises(UsageError, match="NAME=VALUE"):
        parse_thresholds(["hop_min_hops"])
    with pytest.raises(UsageError, match="not a valid int"):
        parse_thresholds(["hop_min_hops=four"])
