"""Animations: frame counts read back from MP4 and GIF, artists built once, frame writers."""

from __future__ import annotations

import imageio.v2 as imageio_v2
import imageio.v3 as imageio_v3
import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from ganlab.errors import UsageError
from ganlab.render import render
from ganlab.render.animation import AnimationFigure, write_animation
from ganlab.render.demo import demo_trajectory
from ganlab.render.encoders import GIFWriter, MP4Writer, NullWriter, open_writer
from ganlab.render.scene import Layers
from ganlab.render.selection import drawable_snapshots
from ganlab.render.style import style_context

TINY = {"dpi": 30, "size": (4.0, 4.4), "progress": False}


def small_trajectory(**overrides):
    options = {"snapshots": 5, "grid": 24, "field_grid": 6, "samples": 64, "real": 64}
    options.update(overrides)
    return demo_trajectory(**options)


def test_mp4_has_one_frame_per_snapshot(tmp_path):
    out = tmp_path / "a.mp4"
    result = render(small_trajectory(snapshots=7), "animation", out, fps=5, **TINY)
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(out))
    assert result == out
    assert frames == 7


def test_mp4_frames_have_even_size(tmp_path):
    out = tmp_path / "a.mp4"
    render(small_trajectory(snapshots=3), "animation", out, dpi=25, size=(4.1, 4.3), progress=False)
    reader = imageio_v2.get_reader(out, format="FFMPEG")
    height, width = reader.get_data(0).shape[:2]
    reader.close()
    assert height % 2 == 0
    assert width % 2 == 0
    assert abs(width - 4.1 * 25) <= 1
    assert abs(height - 4.3 * 25) <= 1


def test_gif_has_one_frame_per_snapshot(tmp_path):
    out = tmp_path / "a.gif"
    render(small_trajectory(snapshots=6), "animation", out, fps=4, **TINY)
    frames = imageio_v3.imread(out, index=None)
    with Image.open(out) as image:
        pillow_frames = image.n_frames
        duration = image.info["duration"]
    assert frames.shape[0] == 6
    assert pillow_frames == 6
    assert duration == 250


def test_every_keeps_every_nth_snapshot(tmp_path):
    out = tmp_path / "a.mp4"
    render(small_trajectory(snapshots=7), "animation", out, every=3, **TINY)
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(out))
    assert frames == 3


def test_null_writer_counts_frames():
    traj = small_trajectory(snapshots=4)
    with NullWriter() as writer:
        count = write_animation(traj, writer, dpi=20, progress=False)
    assert count == 4
    assert writer.frames == 4
    assert writer.closed


def test_diverged_animation_stops_at_last_finite():
    traj = small_trajectory(snapshots=8, diverge_at=5)
    with NullWriter() as writer:
        write_animation(traj, writer, dpi=20, progress=False)
    assert writer.frames == 5


def test_one_dimensional_animation(tmp_path):
    out = tmp_path / "a.gif"
    render(small_trajectory(dim=1, snapshots=4), "animation", out, **TINY)
    assert imageio_v3.imread(out, index=None).shape[0] == 4


def test_artists_created_once():
    traj = small_trajectory(snapshots=6)
    with style_context():
        animation = AnimationFigure(traj, drawable_snapshots(traj), dpi=20, layers=Layers(sample_arrows=True))
        ax = animation.scene.ax
        before = (len(ax.collections), len(ax.images), len(ax.lines), len(animation.figure.get_children()))
        samples, image = animation.scene.samples, animation.scene.image
        for index in range(6):
            animation.frame(index)
        after = (len(ax.collections), len(ax.images), len(ax.lines), len(animation.figure.get_children()))
    assert after == before
    assert animation.scene.samples is samples
    assert animation.scene.image is image
    np.testing.assert_allclose(samples.get_offsets(), traj.samples[5])


def test_reused_figure_matches_fresh_figure():
    traj = small_trajectory(snapshots=5)
    drawable = drawable_snapshots(traj)
    with style_context():
        reused = AnimationFigure(traj, drawable, dpi=30, layers=Layers(sample_arrows=True))
        for index in range(4):
            reused.frame(index)
        reused_frame = reused.frame(3).copy()
        fresh = AnimationFigure(traj, drawable, dpi=30, layers=Layers(sample_arrows=True))
        fresh_frame = fresh.frame(3).copy()
        first_frame = fresh.frame(0).copy()
    assert reused_frame.shape == fresh_frame.shape
    assert np.abs(reused_frame.astype(int) - fresh_frame.astype(int)).max() <= 2
    assert np.abs(reused_frame.astype(int) - first_frame.astype(int)).max() > 50


@pytest.mark.parametrize("dim", [1, 2])
def test_blitted_frame_matches_full_redraw(dim):
    traj = small_trajectory(snapshots=5, dim=dim)
    drawable = drawable_snapshots(traj)
    layers = Layers(sample_arrows=True)
    with style_context():
        blitted = AnimationFigure(traj, drawable, dpi=40, layers=layers, blit=True)
        for index in range(5):
            blitted_frame = blitted.frame(index).copy()
        full = AnimationFigure(traj, drawable, dpi=40, layers=layers, blit=False)
        full_frame = full.frame(4).copy()
    difference = np.abs(blitted_frame.astype(int) - full_frame.astype(int))
    assert blitted_frame.shape == full_frame.shape
    assert difference.max() <= 3
    assert blitted.animated


def test_animation_without_out_is_usage_error():
    with pytest.raises(UsageError, match=r"\.mp4 or \.gif"):
        render(small_trajectory(), "animation", **TINY)


def test_animation_wrong_extension(tmp_path):
    with pytest.raises(UsageError, match=r"'\.png' is not supported; accepted: \.mp4, \.gif"):
        render(small_trajectory(), "animation", tmp_path / "a.png", **TINY)


@pytest.mark.parametrize("writer_class", [MP4Writer, GIFWriter])
def test_writer_removes_partial_file_on_error(writer_class, tmp_path):
    out = tmp_path / f"a{'.mp4' if writer_class is MP4Writer else '.gif'}"
    frame = np.zeros((32, 48, 3), dtype=np.uint8)
    with pytest.raises(RuntimeError, match="drawing failed"):
        with writer_class(out, fps=5) as writer:
            writer.write(frame)
            writer.write(frame + 40)
            raise RuntimeError("drawing failed")
    assert list(tmp_path.iterdir()) == []


def test_writer_rejects_changing_frame_size(tmp_path):
    out = tmp_path / "a.mp4"
    with pytest.raises(ValueError, match="all frames must have one size"):
        with MP4Writer(out) as writer:
            writer.write(np.zeros((32, 48, 3), dtype=np.uint8))
            writer.write(np.zeros((34, 48, 3), dtype=np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_mp4_writer_pads_odd_frames(tmp_path):
    out = tmp_path / "odd.mp4"
    rng = np.random.default_rng(0)
    with MP4Writer(out, fps=5) as writer:
        for _ in range(3):
            writer.write(rng.integers(0, 255, (31, 45, 4), dtype=np.uint8))
    reader = imageio_v2.get_reader(out, format="FFMPEG")
    shape = reader.get_data(0).shape
    reader.close()
    assert shape == (32, 46, 3)
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == 3


def test_gif_writer_round_trips_colors(tmp_path):
    out = tmp_path / "colors.gif"
    frames = [np.full((10, 12, 3), value, dtype=np.uint8) for value in (0, 90, 180, 250)]
    with GIFWriter(out, fps=10) as writer:
        for frame in frames:
            writer.write(frame)
    read = imageio_v3.imread(out, index=None)[..., :3]
    assert read.shape[0] == 4
    for original, decoded in zip(frames, read):
        assert np.abs(original.astype(int) - decoded.astype(int)).max() <= 2


def test_writer_without_frames_writes_nothing(tmp_path):
    out = tmp_path / "empty.gif"
    with pytest.raises(UsageError, match="no frames were drawn"):
        with GIFWriter(out):
            pass
    assert list(tmp_path.iterdir()) == []


def test_open_writer_rejects_extension(tmp_path):
    with pytest.raises(UsageError, match=r"unsupported extension '\.avi'"):
        open_writer(tmp_path / "a.avi")


def test_writer_rejects_float_frames():
    writer = NullWriter()
    with pytest.raises(ValueError, match="uint8"):
        writer.write(np.zeros((4, 4, 3)))
