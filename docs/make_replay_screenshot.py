"""Produce docs/images/replay.png: the replay page of a short ring-of-8 run.

Run from the repository root: ``python3 docs/make_replay_screenshot.py``. It
trains the ``ring8`` preset for 3000 generator steps (about a minute on two CPU
cores), writes the replay page to a temporary directory and photographs it in
headless Chromium (``/usr/bin/chromium``, driven by Playwright) at 1366 x 768.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from ganlab.config import load_config
from ganlab.render.replay import render_replay
from ganlab.store import open_trajectory
from ganlab.training import Trainer

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "images" / "replay.png"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OVERRIDES = [
    "training.steps=3000", "record.every=50", "record.samples=512", "record.grid=96",
    "record.field_grid=16", "record.manifold_grid=16", "record.params_every=0",
]
# Snapshot shown in the picture, as a fraction of the run.
SHOWN_FRACTION = 0.6


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as directory:
        config = load_config("ring8", OVERRIDES)
        run_dir = Trainer(config, Path(directory) / "ring8").run().run_dir
        with open_trajectory(run_dir) as traj:
            page_path = render_replay(traj, Path(directory) / "replay.html", names=["ring8"])

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(page_path.resolve().as_uri())
            page.wait_for_selector("body[data-ready=true]")
            ticks = int(page.get_attribute("#slider", "max")) + 1
            page.evaluate("(tick) => window.ganlabReplay.setTick(tick)",
                          round(SHOWN_FRACTION * (ticks - 1)))
            canvas = page.locator("#run-canvas-0").bounding_box()
            # Hover over the surface so that the readout shows a D(x) value.
            page.mouse.move(canvas["x"] + canvas["width"] * 0.3, canvas["y"] + canvas["height"] * 0.35)
            OUTPUT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUTPUT))
            browser.close()
    logging.info("wrote %s", OUTPUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
