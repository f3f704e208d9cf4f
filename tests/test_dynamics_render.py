"""The field, spectrum and params views for a Dirac run and a ring run, read back from files."""

import imageio.v3 as iio
import numpy as np
import pypdf
import pytest

import ganlab
from ganlab.cli import main
from ganlab.config import load_config
from ganlab.errors import UsageError
from ganlab.render import render
from ganlab.training import Trainer

KINDS = ("field", "spectrum", "params")

DIRAC_SHORT = ["training.steps=40", "record.every=5", "record.spectrum_every=5"]
RING_SMALL = [
    "generator.hidden=6", "generator.depth=1", "discriminator.hidden=6", "discriminator.depth=1",
    "training.steps=30", "training.batch_size=32", "record.every=10", "record.scalars_every=5",
    "record.params_every=5", "record.spectrum_every=10", "record.samples=32", "record.real=64",
    "record.grid=16", "record.field_grid=5", "record.manifold_grid=4",
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    made = {}
    for name, source, overrides in (
        ("dirac_sim", "configs/dirac.toml", DIRAC_SHORT),
        ("dirac_alt", "configs/dirac_alternating.toml", DIRAC_SHORT),
        ("ring", "ring8", RING_SMALL),
    ):
        result = Trainer(load_config(source, overrides), root / name).run()
        assert result.status == "completed"
        made[name] = result.run_dir
    return made


def assert_drawn_png(path):
    image = iio.imread(path)
    assert image.ndim == 3
    assert image.shape[0] > 200
    assert image.shape[1] > 200
    # Not a blank canvas: many distinct colours.
    assert len(np.unique(image.reshape(-1, image.shape[2]), axis=0)) > 50


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("run", ["dirac_sim", "ring"])
def test_png(runs, tmp_path, kind, run):
    out = tmp_path / f"{kind}.png"
    options = {"grid": 7} if kind == "field" else {}
    render([runs[run]], kind, out, dpi=50, **options)
    assert_drawn_png(out)


@pytest.mark.parametrize("kind", KINDS)
def test_pdf(runs, tmp_path, kind):
    out = tmp_path / f"{kind}.pdf"
    options = {"grid": 7} if kind == "field" else {}
    render([runs["dirac_sim"], runs["dirac_alt"]], kind, out, dpi=50, **options)
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_gif_has_one_frame_per_snapshot(runs, tmp_path, kind):
    out = tmp_path / f"{kind}.gif"
    options = {"grid": 7} if kind == "field" else {}
    render([runs["dirac_sim"]], kind, out, progress=False, dpi=50, **options)
    frames = iio.imread(out, index=None)
    snapshots = len(ganlab.open(runs["dirac_sim"]).steps)
    assert snapshots == 9
    assert frames.shape[0] == snapshots
    # The path grows, so the first and the last frame differ.
    assert np.any(frames[0] != frames[-1])


def test_mp4_of_ring_run(runs, tmp_path):
    out = tmp_path / "params.mp4"
    render([runs["ring"]], "params", out, progress=False, dpi=50)
    frames = iio.imread(out, index=None, plugin="pyav") if _has_pyav() else _ffmpeg_frames(out)
    assert len(frames) == len(ganlab.open(runs["ring"]).steps)


def _has_pyav():
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True


def _ffmpeg_frames(path):
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    next(reader)  # metadata
    return list(reader)


def test_cli_overlays_two_runs(runs, tmp_path):
    out = tmp_path / "field.png"
    status = main(["render", str(runs["dirac_sim"]), str(runs["dirac_alt"]), "--kind", "field",
                   "--out", str(out)])
    assert status == 0
    assert_drawn_png(out)


def test_field_panels_for_different_games(runs, tmp_path):
    figure = render([runs["dirac_sim"], runs["ring"]], "field", None, grid=5)
    plotted = [ax for ax in figure.axes if ax.get_xlabel()]
    assert len(plotted) == 2


def test_overlay_of_different_games_is_rejected(runs):
    with pytest.raises(UsageError, match="layout 'overlay'"):
        render([runs["dirac_sim"], runs["ring"]], "field", None, layout="overlay", grid=5)


def test_spectrum_without_records_is_a_usage_error(tmp_path, capsys):
    result = Trainer(load_config("configs/dirac.toml", ["training.steps=5",
                                                         "record.spectrum_every=0"]),
                     tmp_path / "run").run()
    capsys.readouterr()  # training's own log lines are not part of the command's output
    status = main(["render", str(result.run_dir), "--kind", "spectrum",
                   "--out", str(tmp_path / "s.png")])
    assert status == 2
    message = capsys.readouterr().err.strip()
    assert "record.spectrum_every" in message
    assert len(message.splitlines()) == 1
