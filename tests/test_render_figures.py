"""Static figure kinds (overview, snapshot) drawn from synthetic trajectories and read back."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import matplotlib
import matplotlib.image
import numpy as np
import pytest
from pypdf import PdfReader

from ganlab.errors import BackendUnavailableError, ConfigError, UsageError
from ganlab.render import RENDER_KINDS, render
from ganlab.render.demo import demo_trajectory, discriminator_gradient, discriminator_logit
from ganlab.render.selection import drawable_snapshots
from ganlab.render.surface import surface_scale


def pdf_fonts(path):
    """Return every font dictionary used by the PDF's pages, descendant fonts included."""
    fonts = []
    for page in PdfReader(str(path)).pages:
        resources = page.get("/Resources") or {}
        font_table = resources.get("/Font")
        if font_table is None:
            continue
        for reference in font_table.get_object().values():
            font = reference.get_object()
            fonts.append(font)
            for descendant in font.get("/DescendantFonts", []):
                fonts.append(descendant.get_object())
    return fonts


def font_is_embedded(font) -> bool:
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.mark.parametrize("kind", ["overview", "snapshot"])
def test_png_pixel_size(kind, tmp_path):
    out = tmp_path / f"{kind}.png"
    render(demo_trajectory(snapshots=6, grid=32), kind, out, size=(6.0, 4.0), dpi=50)
    image = matplotlib.image.imread(out)
    assert image.shape[0] == 200
    assert image.shape[1] == 300


@pytest.mark.parametrize("kind", ["overview", "snapshot"])
def test_pdf_embeds_truetype_fonts(kind, tmp_path):
    out = tmp_path / f"{kind}.pdf"
    render(demo_trajectory(snapshots=4, grid=32), kind, out)
    fonts = pdf_fonts(out)
    subtypes = {str(font.get("/Subtype")) for font in fonts}
    assert fonts, "the PDF uses no fonts, so its labels are missing"
    assert "/Type3" not in subtypes
    for font in fonts:
        if str(font.get("/Subtype")) != "/Type0":
            assert font_is_embedded(font), f"font {font.get('/BaseFont')} is not embedded"


@pytest.mark.parametrize("kind", ["overview", "snapshot"])
def test_svg_parses_as_xml(kind, tmp_path):
    out = tmp_path / f"{kind}.svg"
    render(demo_trajectory(snapshots=4, grid=32), kind, out)
    root = ElementTree.parse(out).getroot()
    assert root.tag.endswith("svg")
    assert len(list(root.iter())) > 50


def test_overview_returns_figure_without_out():
    figure = render(demo_trajectory(snapshots=10, grid=32), "overview", panels=4)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles.count("step 0") == 1
    assert "step 900" in titles
    assert sum(title.startswith("step ") for title in titles) == 4


def test_overview_panel_steps_evenly_spaced():
    figure = render(demo_trajectory(snapshots=13, grid=16), "overview", panels=5)
    steps = [int(ax.get_title().split()[1]) for ax in figure.axes if ax.get_title().startswith("step")]
    assert steps == [0, 300, 600, 900, 1200]


def test_overview_plots_both_losses():
    traj = demo_trajectory(snapshots=5, grid=16)
    figure = render(traj, "overview")
    curves_ax = [ax for ax in figure.axes if ax.get_xlabel() == "generator step"][0]
    labels = [line.get_label() for line in curves_ax.get_lines()]
    assert "discriminator loss" in labels
    assert "generator loss" in labels
    d_line = curves_ax.get_lines()[labels.index("discriminator loss")]
    np.testing.assert_allclose(d_line.get_ydata(), traj.scalars["d_loss"])


def test_overview_unknown_scalar_lists_recorded():
    with pytest.raises(UsageError, match="recorded series: d_loss, g_loss"):
        render(demo_trajectory(snapshots=3, grid=16), "overview", scalars=["w_distance"])


def test_logit_surface_shown_as_probability():
    traj = demo_trajectory(snapshots=3, grid=24)
    figure = render(traj, "snapshot", step=100)
    image = figure.axes[0].get_images()[0]
    np.testing.assert_allclose(image.get_array(), 1 / (1 + np.exp(-traj.discriminator[1])))
    assert image.norm.vmin == 0.0
    assert image.norm.vmax == 1.0


def test_critic_surface_keeps_raw_values():
    traj = demo_trajectory(snapshots=3, grid=24, loss="wasserstein")
    figure = render(traj, "snapshot", critic_scale="symmetric")
    image = figure.axes[0].get_images()[0]
    np.testing.assert_allclose(image.get_array(), traj.discriminator[-1])
    limit = np.percentile(np.abs(traj.discriminator), 99)
    assert image.norm.vmin == pytest.approx(-limit)
    assert image.norm.vmax == pytest.approx(limit)
    colorbar_labels = [ax.get_ylabel() for ax in figure.axes]
    assert any(label.startswith("critic value") for label in colorbar_labels)


def test_robust_scale_uses_percentiles():
    traj = demo_trajectory(snapshots=3, grid=24, loss="hinge")
    scale = surface_scale(traj, traj.discriminator)
    low, high = np.percentile(traj.discriminator, [1, 99])
    assert scale.output == "value"
    assert scale.norm.vmin == pytest.approx(low)
    assert scale.norm.vmax == pytest.approx(high)


def test_snapshot_nearest_recorded_step():
    figure = render(demo_trajectory(snapshots=5, grid=16), "snapshot", step=260)
    assert figure.axes[0].get_title() == "step 300"


def test_snapshot_field_arrows_match_gradient():
    traj = demo_trajectory(snapshots=3, grid=16, field_grid=8)
    figure = render(traj, "snapshot", step=0)
    quiver = [c for c in figure.axes[0].collections if isinstance(c, matplotlib.quiver.Quiver)][0]
    np.testing.assert_allclose(quiver.U, traj.field[0, ..., 0].ravel())
    np.testing.assert_allclose(quiver.V, traj.field[0, ..., 1].ravel())


def test_snapshot_manifold_mesh_lines():
    traj = demo_trajectory(snapshots=2, grid=16, manifold_shape=(5, 7))
    figure = render(traj, "snapshot")
    mesh = [c for c in figure.axes[0].collections if c.get_label() == "G(latent grid)"][0]
    segments = mesh.get_segments()
    assert len(segments) == 5 + 7
    np.testing.assert_allclose(segments[0], traj.manifold[-1, :7])


def test_snapshot_sample_arrows_at_samples():
    traj = demo_trajectory(snapshots=2, grid=16, samples=32)
    figure = render(traj, "snapshot", sample_arrows=True)
    quiver = [c for c in figure.axes[0].collections if c.get_label() == "∇ₓD at samples"][0]
    np.testing.assert_allclose(quiver.get_offsets(), traj.samples[-1])
    np.testing.assert_allclose(quiver.U, traj.sample_grad[-1, :, 0])


def test_demo_field_matches_finite_differences():
    traj = demo_trajectory(snapshots=2)
    centers = traj.modes["centers"]
    blob = traj.manifold[1].mean(axis=0)
    points = np.array([[0.3, -1.1], [1.9, 0.2], [-2.5, 2.5]])
    h = 1e-6
    numeric = np.stack(
        [
            (discriminator_logit(points + h * e, centers, blob)
             - discriminator_logit(points - h * e, centers, blob)) / (2 * h)
            for e in np.eye(2)
        ],
        axis=-1,
    )
    np.testing.assert_allclose(discriminator_gradient(points, centers, blob), numeric, rtol=1e-6, atol=1e-8)


def test_one_dimensional_data_renders(tmp_path):
    traj = demo_trajectory(snapshots=4, dim=1, grid=50, samples=400)
    out = tmp_path / "overview1d.png"
    figure = render(traj, "overview", out, size=(8.0, 4.0), dpi=40)
    assert matplotlib.image.imread(out).shape[:2] == (160, 320)
    density_axes = [ax for ax in figure.axes if ax.get_title() == "step 300"][0]
    patches = density_axes.patches
    generated = [p for p in patches if p.get_label() == "generated"][0]
    data = generated.get_data()
    values, edges = data.values, data.edges
    counts, _ = np.histogram(traj.samples[3, :, 0], edges)
    np.testing.assert_allclose(values, counts / 400 / np.diff(edges))


def test_one_dimensional_snapshot_curve():
    traj = demo_trajectory(snapshots=3, dim=1, grid=40)
    figure = render(traj, "snapshot", step=200)
    twin = figure.axes[1]
    curve = twin.get_lines()[0]
    np.testing.assert_allclose(curve.get_ydata(), 1 / (1 + np.exp(-traj.discriminator[2])))


def test_diverged_overview_stops_at_last_finite():
    traj = demo_trajectory(snapshots=10, grid=16, diverge_at=6)
    figure = render(traj, "overview", panels=8)
    steps = [int(ax.get_title().split()[1]) for ax in figure.axes if ax.get_title().startswith("step")]
    assert max(steps) == 500
    assert "diverged at step 600" in figure.get_suptitle()


def test_diverged_snapshot_defaults_to_last_finite(tmp_path):
    traj = demo_trajectory(snapshots=10, grid=16, diverge_at=6)
    figure = render(traj, "snapshot", tmp_path / "s.png")
    assert figure.axes[0].get_title() == "step 500 (diverged at step 600)"


def test_diverged_at_first_snapshot_is_usage_error():
    traj = demo_trajectory(snapshots=4, grid=16, diverge_at=0)
    with pytest.raises(UsageError, match="before its first finite snapshot"):
        render(traj, "overview")


def test_drawable_counts_finite_prefix():
    drawable = drawable_snapshots(demo_trajectory(snapshots=7, grid=8, diverge_at=3))
    assert drawable.count == 3
    assert drawable.diverged_step == 300


def test_wrong_extension_names_accepted(tmp_path):
    with pytest.raises(UsageError, match=r"'\.mp4' is not supported; accepted: \.png, \.pdf, \.svg"):
        render(demo_trajectory(snapshots=2, grid=8), "overview", tmp_path / "o.mp4")
    assert not (tmp_path / "o.mp4").exists()


def test_unknown_option_is_usage_error():
    with pytest.raises(UsageError, match="option 'fps' does not apply to figure kind 'overview'"):
        render(demo_trajectory(snapshots=2, grid=8), "overview", fps=3)


def test_unknown_kind_lists_kinds():
    with pytest.raises(ConfigError, match="accepted values: .*overview"):
        render(demo_trajectory(snapshots=2, grid=8), "overviwe")


def test_kinds_registered():
    for kind in ("overview", "snapshot", "animation"):
        assert kind in RENDER_KINDS


def test_makie_backend_missing(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ganlab.render.makie", None)
    with pytest.raises(BackendUnavailableError):
        render(demo_trajectory(snapshots=2, grid=8), "overview", backend="makie")


def test_style_does_not_leak_rcparams(tmp_path):
    before = dict(matplotlib.rcParams)
    render(demo_trajectory(snapshots=2, grid=8), "snapshot", tmp_path / "s.pdf")
    assert matplotlib.rcParams["pdf.fonttype"] == before["pdf.fonttype"]
    assert matplotlib.rcParams["font.size"] == before["font.size"]
    assert matplotlib.rcParams["image.cmap"] == before["image.cmap"]


def test_user_style_file_applies(tmp_path):
    style = tmp_path / "big.mplstyle"
    style.write_text("axes.titlesize: 21\n")
    figure = render(demo_trajectory(snapshots=2, grid=8), "snapshot", style=style)
    assert figure.axes[0].title.get_fontsize() == 21


def test_missing_user_style_is_usage_error(tmp_path):
    with pytest.raises(UsageError, match="style file .* not found"):
        render(demo_trajectory(snapshots=2, grid=8), "snapshot", style=tmp_path / "none.mplstyle")


def test_1d_scene_says_where_samples_left_the_axes():
    import matplotlib.pyplot as plt

    from ganlab.render.scene import Layers, build_scene, scene_limits
    from ganlab.render.surface import surface_scale
    from replay_fixtures import make_trajectory_1d

    traj = make_trajectory_1d(count=4, samples=200)
    figure, ax = plt.subplots()
    try:
        scale = surface_scale(traj, traj.discriminator)
        scene = build_scene(ax, traj, scale, Layers(), scene_limits(traj, 4))
        inside = traj.snapshot(0)
        scene.update(inside)
        assert scene.outside.get_text() == ""

        moved = traj.snapshot(0)
        values = moved.samples[:, 0].copy()
        values[:50] = -7.5  # a quarter of the samples far left of the grid [-3, 3]
        values[50:70] = 4.25  # a tenth to the right
        moved.samples[:, 0] = values
        scene.update(moved)
        text = scene.outside.get_text()
        assert "25% left of the axes (down to x = -7.5)" in text
        assert "10% right of the axes (up to x = 4.25)" in text
    finally:
        plt.close(figure)
