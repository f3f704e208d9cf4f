"""The gallery: every entry reproduced in quick mode through `ganlab reproduce`.

Each entry runs once (module fixture) and writes PDF and PNG from the same
runs. The PDFs are read back with pypdf (page size, fonts embedded as
TrueType font files, no Type 3 fonts), the PNGs with imageio, the SVG with
the standard XML parser, and the saved run configs with tomllib.
"""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ElementTree

import imageio.v3 as iio
import numpy as np
import pypdf
import pytest

from ganlab.cli import main
from ganlab.gallery import GALLERY, reproduce
from ganlab.render.style import COLUMN_WIDTHS, latex_available

ENTRIES = GALLERY.names()
PUBLISHED_ENTRIES = {"unrolled_ring", "dirac_methods", "consensus_spectrum", "instance_noise",
                     "mode_regularizer", "wgan_gp_critic", "pacgan_grid"}
TEST_DPI = 80
POINTS_PER_INCH = 72.0


@pytest.fixture(scope="module")
def gallery_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery")
    for name in ENTRIES:
        status = main(["-q", "reproduce", name, "--out", str(out), "--quick",
                       "--format", "pdf,png", "--dpi", str(TEST_DPI)])
        assert status == 0, name
    return out


def _fonts(reader: pypdf.PdfReader) -> list:
    """Return every font dictionary used by the pages, including those of form XObjects."""
    fonts = []

    def visit(resources, seen):
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            fonts.append(font.get_object())
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if id(xobject) in seen:
                continue
            seen.add(id(xobject))
            visit(xobject.get("/Resources"), seen)

    for page in reader.pages:
        visit(page.get("/Resources"), set())
    return fonts


def _font_file(font) -> object | None:
    """Return the embedded font program of a simple or composite (Type 0) font, if any."""
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return None
    descriptor = descriptor.get_object()
    for key in ("/FontFile2", "/FontFile3", "/FontFile"):
        if key in descriptor:
            return descriptor[key]
    return None


def test_gallery_lists_every_published_figure():
    assert set(ENTRIES) == PUBLISHED_ENTRIES


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_pdf_embeds_truetype_fonts(gallery_dir, name):
    reader = pypdf.PdfReader(gallery_dir / name / f"{name}.pdf")
    fonts = _fonts(reader)

    assert len(reader.pages) == 1
    assert fonts, "the figure has text, so the PDF must use fonts"
    for font in fonts:
        assert font.get("/Subtype") != "/Type3", font.get("/BaseFont")
        assert _font_file(font) is not None, f"{font.get('/BaseFont')} is not embedded"


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_pdf_is_two_column_wide(gallery_dir, name):
    page = pypdf.PdfReader(gallery_dir / name / f"{name}.pdf").pages[0]
    entry = GALLERY.get(name).obj
    width = COLUMN_WIDTHS["two-column"] * POINTS_PER_INCH

    assert float(page.mediabox.width) == pytest.approx(width, abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(width * entry.aspect, abs=0.5)


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_png_has_drawn_content(gallery_dir, name):
    image = iio.imread(gallery_dir / name / f"{name}.png")
    entry = GALLERY.get(name).obj
    width = round(COLUMN_WIDTHS["two-column"] * TEST_DPI)
    rgb = image[..., :3].astype(float)
    # The generated samples are vermillion (#D55E00): red well above green and blue.
    vermillion = (rgb[..., 0] > 150) & (rgb[..., 1] < 140) & (rgb[..., 2] < 90)

    assert image.shape[1] == width
    assert abs(image.shape[0] - width * entry.aspect) <= 1
    assert rgb.std() > 20, "the image is nearly uniform"
    assert vermillion.sum() > 50, "no generated samples or simultaneous paths are visible"


@pytest.mark.parametrize("name", ENTRIES)
def test_entry_keeps_runs_for_render(gallery_dir, name):
    entry = GALLERY.get(name).obj
    specs = entry.runs(True, None)
    for spec in specs:
        run_dir = gallery_dir / name / "runs" / spec.name
        saved = tomllib.loads((run_dir / "config.toml").read_text(encoding="utf-8"))

        assert (run_dir / "trajectory.zarr").is_dir(), spec.name
        assert saved["training"]["steps"] == spec.overrides["training.steps"]


def test_rerender_reuses_runs_and_writes_svg(gallery_dir):
    result = reproduce("wgan_gp_critic", gallery_dir, quick=True, formats=["svg", "png"],
                       size="one-column", dpi=TEST_DPI)
    svg = ElementTree.parse(gallery_dir / "wgan_gp_critic" / "wgan_gp_critic.svg").getroot()
    width_inches = float(svg.get("width").removesuffix("pt")) / POINTS_PER_INCH
    texts = [element for element in svg.iter() if element.tag.endswith("}text")]
    png = iio.imread(gallery_dir / "wgan_gp_critic" / "wgan_gp_critic.png")

    assert result.trained == []
    assert len(result.reused) == 6
    assert width_inches == pytest.approx(COLUMN_WIDTHS["one-column"], abs=0.01)
    assert texts == [], "SVG text must be converted to paths (svg.fonttype = path)"
    assert png.shape[1] == round(COLUMN_WIDTHS["one-column"] * TEST_DPI)


def test_changed_config_retrains(tmp_path):
    first = reproduce("wgan_gp_critic", tmp_path, quick=True, steps=4, formats=["png"],
                      dpi=40)
    second = reproduce("wgan_gp_critic", tmp_path, quick=True, steps=4, formats=["png"],
                       dpi=40, overrides=["optimizer.lr=0.002"])
    saved = tomllib.loads((tmp_path / "wgan_gp_critic" / "runs" / "gp_swissroll" / "config.toml")
                          .read_text(encoding="utf-8"))

    assert first.trained == ["clipping_8gaussians", "clipping_25gaussians", "clipping_swissroll",
                             "gp_8gaussians", "gp_25gaussians", "gp_swissroll"]
    assert second.trained == first.trained
    assert saved["optimizer"]["generator"]["lr"] == 0.002
    assert saved["training"]["steps"] == 4


def test_dirac_regularizers_reach_equilibrium(tmp_path):
    # Mescheder et al. 2018: R1 and consensus make (0, 0) attract the path, unregularized
    # simultaneous steps move away from it. The runs use the entry's published settings.
    import ganlab
    from ganlab.config import load_config
    from ganlab.training import Trainer

    specs = {spec.name: spec for spec in GALLERY.get("dirac_methods").obj.runs(False, None)}

    def final_radius(name: str) -> float:
        spec = specs[name]
        config = load_config(spec.preset, dict(spec.overrides))
        Trainer(config, tmp_path / name).run()
        with ganlab.open(tmp_path / name) as traj:
            params = traj.series("params")
            point = np.array([params["generator"][-1, 0], params["discriminator"][-1, 0]])
        return float(np.linalg.norm(point))

    start = float(np.hypot(1.0, 1.0))
    assert final_radius("r1_alternating") < 0.1 * start
    assert final_radius("consensus_simultaneous") < 0.1 * start
    assert final_radius("gan_simultaneous") > start


@pytest.mark.parametrize("argv, message", [
    (["reproduce", "nosuch", "--out", "OUT"], "unknown gallery entry 'nosuch'"),
    (["reproduce", "dirac_methods", "--out", "OUT", "--format", "jpg"], "unknown figure format"),
    (["reproduce", "dirac_methods"], "--out DIR is required"),
    (["reproduce", "--out", "OUT"], "give a gallery entry NAME"),
    (["reproduce", "dirac_methods", "--out", "OUT", "--steps", "0"], "--steps must be at least 1"),
    (["reproduce", "dirac_methods", "--out", "OUT", "--set", "training.nosuch=1"], "nosuch"),
])
def test_reproduce_rejects_bad_input(tmp_path, capsys, argv, message):
    argv = [str(tmp_path / "out") if item == "OUT" else item for item in argv]
    status = main(argv)
    err = capsys.readouterr().err

    assert status == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "dirac_methods" / "dirac_methods.png").exists()


def test_reproduce_out_must_not_be_a_file(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    status = main(["reproduce", "dirac_methods", "--out", str(target), "--quick"])

    assert status == 2
    assert "is a file" in capsys.readouterr().err


@pytest.mark.skipif(latex_available(), reason="a LaTeX installation is present")
def test_usetex_without_latex_fails_before_training(tmp_path, capsys):
    status = main(["reproduce", "dirac_methods", "--out", str(tmp_path), "--quick", "--usetex"])

    assert status == 2
    assert "no 'latex' executable" in capsys.readouterr().err
    assert not (tmp_path / "dirac_methods").exists()


def test_reproduce_list_names_every_entry(capsys):
    status = main(["reproduce", "--list"])
    out = capsys.readouterr().out

    assert status == 0
    for name in ENTRIES:
        assert name in out
    assert "Metz" in out


def test_user_style_applies_on_top(gallery_dir, tmp_path):
    style = tmp_path / "green.mplstyle"
    style.write_text("figure.facecolor: 00FF00\n", encoding="utf-8")
    status = main(["-q", "reproduce", "wgan_gp_critic", "--out", str(gallery_dir), "--quick",
                   "--format", "png", "--dpi", str(TEST_DPI), "--style", str(style)])
    image = iio.imread(gallery_dir / "wgan_gp_critic" / "wgan_gp_critic.png")

    assert status == 0
    assert tuple(image[0, 0, :3]) == (0, 255, 0)
