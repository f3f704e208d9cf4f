"""``ganlab render`` on real Zarr and HDF5 stores written with ganlab's store writers."""

from __future__ import annotations

import subprocess
import sys

import imageio_ffmpeg
import matplotlib.image
import numpy as np
import pytest

from ganlab.cli import main
from ganlab.render.demo import demo_trajectory
from ganlab.store import create_store


def write_run(run_dir, backend="zarr", **demo_options):
    """Copy a synthetic trajectory into a real store in ``run_dir`` and return the directory."""
    options = {"snapshots": 4, "grid": 24, "field_grid": 6, "samples": 64, "real": 64}
    options.update(demo_options)
    traj = demo_trajectory(**options)
    writer = create_store(run_dir, backend)
    attrs = {key: value for key, value in traj.attrs.items() if key not in ("status", "status_detail")}
    writer.set_attrs(attrs)
    for name in traj.reader.static_names():
        writer.write_static(name, traj.static(name))

    snapshot_names = ("samples", "discriminator", "field", "sample_grad", "manifold")
    arrays = {name: getattr(traj, name) for name in snapshot_names}
    writer.define_series("", {name: (a.shape[1:], a.dtype) for name, a in arrays.items()}, len(traj))
    for i, step in enumerate(traj.steps):
        writer.append("", int(step), {name: a[i] for name, a in arrays.items()})

    scalars = traj.scalars
    writer.define_series("scalars", {"d_loss": ((), np.float64), "g_loss": ((), np.float64)})
    for i, step in enumerate(scalars["step"]):
        writer.append("scalars", int(step), {"d_loss": scalars["d_loss"][i], "g_loss": scalars["g_loss"][i]})
    writer.flush()
    writer.set_status(traj.status, **traj.status_detail)
    writer.close()
    return run_dir


@pytest.mark.parametrize("backend", ["zarr", "hdf5"])
def test_default_output_in_run_directory(backend, tmp_path):
    run_dir = write_run(tmp_path / "run", backend)
    status = main(["render", str(run_dir), "--dpi", "40", "--size", "6", "3"])
    image = matplotlib.image.imread(run_dir / "overview.png")
    assert status == 0
    assert image.shape[:2] == (120, 240)


def test_snapshot_step_through_cli(tmp_path, capsys):
    run_dir = write_run(tmp_path / "run")
    out = tmp_path / "snap.svg"
    status = main(["render", str(run_dir), "--kind", "snapshot", "--step", "210", "--out", str(out)])
    log = capsys.readouterr().err
    assert status == 0
    assert "nearest recorded step 200" in log
    assert f"wrote {out}" in log


def test_animation_default_is_mp4(tmp_path):
    run_dir = write_run(tmp_path / "run", snapshots=5)
    status = main(["render", str(run_dir), "--kind", "animation", "--dpi", "20", "--no-progress"])
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(run_dir / "animation.mp4"))
    assert status == 0
    assert frames == 5


def test_existing_output_needs_overwrite(tmp_path, capsys):
    run_dir = write_run(tmp_path / "run")
    out = tmp_path / "o.png"
    out.write_bytes(b"keep")
    status = main(["render", str(run_dir), "--out", str(out)])
    message = capsys.readouterr().err
    assert status == 2
    assert "already exists; pass --overwrite" in message
    assert out.read_bytes() == b"keep"

    status = main(["render", str(run_dir), "--out", str(out), "--overwrite", "--dpi", "20"])
    assert status == 0
    assert matplotlib.image.imread(out).ndim == 3


def test_missing_output_directory(tmp_path, capsys):
    run_dir = write_run(tmp_path / "run")
    status = main(["render", str(run_dir), "--out", str(tmp_path / "absent" / "o.png")])
    message = capsys.readouterr().err
    assert status == 2
    assert "output directory" in message
    assert "absent" in message


def test_missing_run_reports_store_error(tmp_path, capsys):
    status = main(["render", str(tmp_path / "nothing")])
    message = capsys.readouterr().err
    assert status == 2
    assert "nothing" in message
    assert not (tmp_path / "nothing").exists()


def test_not_a_store_reports_store_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    status = main(["render", str(tmp_path / "empty")])
    message = capsys.readouterr().err
    assert status == 2
    assert "empty" in message
    assert not (tmp_path / "empty" / "overview.png").exists()


def test_wrong_extension_through_cli(tmp_path, capsys):
    run_dir = write_run(tmp_path / "run")
    status = main(["render", str(run_dir), "--kind", "animation", "--out", str(tmp_path / "a.pdf")])
    message = capsys.readouterr().err
    assert status == 2
    assert "accepted: .mp4, .gif" in message


def test_option_for_other_kind_rejected(tmp_path, capsys):
    run_dir = write_run(tmp_path / "run")
    status = main(["render", str(run_dir), "--fps", "3", "--out", str(tmp_path / "o.png")])
    message = capsys.readouterr().err
    assert status == 2
    assert "'fps' does not apply" in message


def test_several_runs_each_get_output(tmp_path):
    first = write_run(tmp_path / "a")
    second = write_run(tmp_path / "b", backend="hdf5")
    status = main(["render", str(first), str(second), "--kind", "snapshot", "--dpi", "20"])
    assert status == 0
    assert (first / "snapshot.png").is_file()
    assert (second / "snapshot.png").is_file()


def test_several_runs_with_one_out_rejected(tmp_path, capsys):
    first = write_run(tmp_path / "a")
    second = write_run(tmp_path / "b")
    status = main(["render", str(first), str(second), "--out", str(tmp_path / "o.png")])
    assert status == 2
    assert "omit --out" in capsys.readouterr().err


def test_diverged_store_renders(tmp_path):
    run_dir = write_run(tmp_path / "run", snapshots=6, diverge_at=3)
    status = main(["render", str(run_dir), "--kind", "animation", "--out", str(tmp_path / "a.gif"),
                   "--dpi", "20", "--no-progress"])
    assert status == 0
    from PIL import Image

    with Image.open(tmp_path / "a.gif") as image:
        assert image.n_frames == 3


def test_subprocess_error_is_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ganlab.cli", "render", str(tmp_path / "missing")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
