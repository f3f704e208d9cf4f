"""Tests of the replay page in a real headless Chromium, driven by Playwright.

The page is opened from a file:// URL with the network forbidden; each test
reads what a user would see: the step label, canvas pixels, the hover readout.
"""

from __future__ import annotations

import base64
import math
import os
import re

import imageio

import numpy as np
import pytest

from replay_fixtures import INJECTION_TEXT, make_trajectory, render, make_trajectory_1d, slope

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"{CHROMIUM} is missing; install it with 'apt-get install -y chromium'",
)

GREEN = (10, 143, 60)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class OpenPage:
    """A replay page in its own offline context, recording errors, requests and dialogs."""

    def __init__(self, browser, path):
        self.context = browser.new_context(viewport={"width": 1366, "height": 768}, offline=True)
        self.page = self.context.new_page()
        self.url = path.resolve().as_uri()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-ready=true]", timeout=10_000)

    def _console(self, message):
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route):
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def step_label(self) -> str:
        return self.page.inner_text("#step-label")

    def set_tick(self, tick: int) -> None:
        self.page.eval_on_selector(
            "#slider",
            "(slider, tick) => { slider.value = String(tick);"
            " slider.dispatchEvent(new Event('input', {bubbles: true})); }",
            tick,
        )

    def canvas_pixels(self, run: int = 0) -> np.ndarray:
        """Read the canvas back as a PNG decoded by imageio: (rows, columns, RGBA)."""
        url = self.page.evaluate(
            "(i) => document.getElementById('run-canvas-' + i).toDataURL('image/png')", run)
        return imageio.v3.imread(base64.b64decode(url.split(",", 1)[1]), extension=".png")

    def to_canvas(self, run: int, x: float, y: float) -> tuple[float, float]:
        """Map a data point to canvas CSS pixels with the page's own axes."""
        return tuple(self.page.evaluate("([r, x, y]) => window.ganlabReplay.toCanvas(r, x, y)",
                                        [run, x, y]))

    def device_pixels(self, run: int, points) -> list[tuple[int, int]]:
        """Map data points to (row, column) of the canvas backing store."""
        return [tuple(pixel) for pixel in self.page.evaluate(
            """([r, points]) => points.map(([x, y]) => {
                const [px, py] = window.ganlabReplay.toCanvas(r, x, y);
                const ratio = window.devicePixelRatio || 1;
                return [Math.round(py * ratio), Math.round(px * ratio)];
            })""",
            [run, [[float(x), float(y)] for x, y in points]],
        )]

    def hover(self, run: int, x: float, y: float) -> str:
        box = self.page.locator(f"#run-canvas-{run}").bounding_box()
        px, py = self.to_canvas(run, x, y)
        self.page.mouse.move(box["x"] + px, box["y"] + py)
        return self.page.inner_text(f"#readout-{run}")

    def set_layers(self, **wanted: bool) -> None:
        for layer, checked in wanted.items():
            self.page.locator(f"#layer-{layer}").set_checked(checked)

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(browser):
    pages = []

    def opener(path):
        page = OpenPage(browser, path)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.close()


@pytest.fixture(scope="module")
def ring_page_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("replay") / "ring.html"
    return render(make_trajectory(), path, phases=[("collapse", 0, 40)])


def green_mask(pixels: np.ndarray) -> np.ndarray:
    diff = np.abs(pixels[..., :3].astype(int) - np.asarray(GREEN)).sum(axis=-1)
    return diff < 60


def sample_pixels(page: OpenPage, traj, snapshot: int) -> list[tuple[int, int]]:
    return page.device_pixels(0, traj.samples[snapshot])


def test_page_loads_offline_without_errors(open_page, ring_page_path):
    page = open_page(ring_page_path)

    assert page.errors == []
    assert set(page.requests) == {page.url}
    assert page.page.url.startswith("file://")
    assert page.step_label().startswith("step 0 ")


def test_slider_moves_step_and_samples(open_page, ring_page_path):
    traj = make_trajectory()
    page = open_page(ring_page_path)
    page.set_layers(surface=False, real=False, field=False, manifold=False)
    before = page.canvas_pixels()

    page.set_tick(3)
    after = page.canvas_pixels()
    green = green_mask(after)

    assert page.step_label().startswith("step 30 ")
    assert np.count_nonzero(np.any(before != after, axis=-1)) > 100
    assert all(green[row, col] for row, col in sample_pixels(page, traj, 3))
    assert not all(green_mask(before)[row, col] for row, col in sample_pixels(page, traj, 3))


def test_layer_toggle_hides_samples(open_page, ring_page_path):
    traj = make_trajectory()
    page = open_page(ring_page_path)
    centers = sample_pixels(page, traj, 0)
    shown = page.canvas_pixels()

    page.set_layers(samples=False)
    hidden = page.canvas_pixels()

    assert all(green_mask(shown)[row, col] for row, col in centers)
    assert not any(green_mask(hidden)[row, col] for row, col in centers)


def test_surface_toggle_changes_background(open_page, ring_page_path):
    page = open_page(ring_page_path)
    page.set_layers(field=False, manifold=False)
    [(row, col)] = page.device_pixels(0, [(-1.6, 1.6)])  # D(x) = sigmoid(-3.2), a blue corner
    shown = page.canvas_pixels()[row, col, :3].astype(int)

    page.set_layers(surface=False)
    hidden = page.canvas_pixels()[row, col, :3].astype(int)

    assert shown[2] > shown[0] + 40  # blue dominates where D(x) is low
    assert hidden.tolist() == [255, 255, 255]


def test_play_advances_and_pause_stops(open_page, ring_page_path):
    page = open_page(ring_page_path)

    page.page.click("#play")
    page.page.wait_for_timeout(600)
    page.page.click("#play")
    stopped = page.step_label()
    page.page.wait_for_timeout(400)

    assert not stopped.startswith("step 0 ")
    assert page.step_label() == stopped
    assert page.page.get_attribute("#play", "aria-label") == "Play"


def test_arrow_keys_and_space(open_page, ring_page_path):
    page = open_page(ring_page_path)
    page.page.click("h1")

    page.page.keyboard.press("ArrowRight")
    page.page.keyboard.press("ArrowRight")
    after_right = page.step_label()
    page.page.keyboard.press("ArrowLeft")
    after_left = page.step_label()
    page.page.keyboard.press(" ")
    playing = page.page.get_attribute("#play", "aria-label")
    page.page.keyboard.press(" ")

    assert after_right.startswith("step 20 ")
    assert after_left.startswith("step 10 ")
    assert playing == "Pause"
    assert page.page.get_attribute("#play", "aria-label") == "Play"


def test_controls_have_labels(open_page, ring_page_path):
    page = open_page(ring_page_path)

    for selector in ("#slider", "#speed", "#layer-samples"):
        assert page.page.locator(selector).evaluate("(e) => e.labels.length") == 1
    for selector in ("#play", "#step-back", "#step-forward"):
        assert page.page.get_attribute(selector, "aria-label")


def test_hover_shows_probability(open_page, ring_page_path):
    page = open_page(ring_page_path)

    text = page.hover(0, 0.5, -0.5)
    value = float(re.search(r"D\(x\) = (-?[\d.]+)", text).group(1))

    # logit = slope(0) * (x - y) = 1.0 at (0.5, -0.5); the pointer lands within a pixel of it.
    assert abs(value - 1 / (1 + math.exp(-1.0))) < 0.01


def test_hover_shows_critic_after_step(open_page, tmp_path):
    traj = make_trajectory(loss="wasserstein")
    page = open_page(render(traj, tmp_path / "critic.html"))
    page.set_tick(6)

    text = page.hover(0, 0.5, -0.5)
    value = float(re.search(r"critic = (-?[\d.]+)", text).group(1))

    assert abs(value - slope(6, len(traj)) * 1.0) < 0.05


def test_one_dimensional_page(open_page, tmp_path):
    traj = make_trajectory_1d()
    page = open_page(render(traj, tmp_path / "one.html"))

    text = page.hover(0, 1.5, 0.5)
    value = float(re.search(r"critic = (-?[\d.]+)", text).group(1))

    assert page.errors == []
    assert abs(value - 1.5) < 0.05
    assert np.count_nonzero(green_mask(page.canvas_pixels())) > 50


def test_injected_config_is_text(open_page, tmp_path):
    traj = make_trajectory(name=INJECTION_TEXT, config_extra={"note": INJECTION_TEXT})
    page = open_page(render(traj, tmp_path / "evil.html"))
    page.page.click("details.config summary")

    config_text = page.page.inner_text("details.config pre")

    assert page.dialogs == []
    assert page.errors == []
    assert INJECTION_TEXT in config_text
    assert page.page.locator("details.config pre b").count() == 0
    assert page.page.inner_text("#runs .run-name") == INJECTION_TEXT
    assert page.page.evaluate("document.scripts.length") == 3


def test_long_run_shows_subsample_notice(open_page, tmp_path):
    traj = make_trajectory(count=600, samples=32, grid=16)
    page = open_page(render(traj, tmp_path / "long.html"))

    notice = page.page.locator("#notice")

    assert notice.is_visible()
    assert "showing 300 of 600 snapshots" in notice.inner_text()
    assert page.page.get_attribute("#slider", "max") == "299"


def test_sweep_shares_slider(open_page, tmp_path):
    first = make_trajectory(name="lr-1e-3", step_every=10)
    second = make_trajectory(name="lr-1e-4", step_every=7, loss="wasserstein")
    page = open_page(render([first, second], tmp_path / "sweep.html"))
    timeline = sorted(set(first.steps.tolist()) | set(second.steps.tolist()))
    tick = timeline.index(21)

    page.set_tick(tick)
    captions = page.page.locator("#runs figcaption").all_inner_texts()

    assert page.errors == []
    assert page.page.locator("#runs canvas").count() == 2
    assert "lr-1e-3" in captions[0]
    assert "step 20" in captions[0]  # nearest of 20 and 30 to step 21
    assert "step 21" in captions[1]
