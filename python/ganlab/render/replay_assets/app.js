// Page setup: run panels, layer toggles, slider, playback, keyboard and hover.

const LAYER_INFO = {
  surface: { label: "Discriminator surface", swatch: "linear-gradient(90deg, #2166ac, #f7f7f7, #b2182b)" },
  real: { label: "Real data", swatch: STYLE.real },
  samples: { label: "Generated samples", swatch: STYLE.samples },
  field: { label: "\u2207\u2093D arrows", swatch: "#555" },
  manifold: { label: "Generator manifold", swatch: "#6a3d9a" },
  sample_grad: { label: "\u2207\u2093D at samples", swatch: STYLE.sampleGrad },
};
const LAYER_SOURCE = { surface: "surface", real: "real", samples: "samples", field: "field",
  manifold: "manifold", sample_grad: "sampleGrad" };

async function main() {
  const doc = readDocument();
  const buffer = await readBuffer(doc.compressed);
  const app = {
    doc: doc,
    timeline: doc.timeline,
    tick: 0,
    playing: false,
    layers: Object.assign({}, doc.layers),
    palette: blendPalette(base64ToBytes(doc.colormap)),
    runs: doc.runs.map((rec) => decodeRun(buffer, rec)),
  };
  buildRunPanels(app);
  buildLayerToggles(app);
  buildCurves(app);
  bindControls(app);
  layout(app);
  window.addEventListener("resize", () => layout(app));
  setTick(app, 0);
  // Scripting and test hook: the state and the data-to-pixel mapping.
  window.ganlabReplay = {
    app: app,
    setTick: (tick) => setTick(app, tick),
    toCanvas: (runIndex, x, y) => [app.runs[runIndex].toX(x), app.runs[runIndex].toY(y)],
  };
  document.body.dataset.ready = "true";
}

function buildRunPanels(app) {
  const container = document.getElementById("runs");
  app.runs.forEach((run, index) => {
    const figure = document.createElement("figure");
    figure.className = "run";
    const caption = document.createElement("figcaption");
    const name = document.createElement("span");
    name.className = "run-name";
    name.textContent = run.rec.name;
    if (app.runs.length > 1) {
      name.style.color = runColor(index);
    }
    run.stepLabel = document.createElement("span");
    run.stepLabel.className = "run-step";
    caption.append(name, run.stepLabel);
    run.canvas = document.createElement("canvas");
    run.canvas.id = "run-canvas-" + index;
    run.canvas.tabIndex = 0;
    run.canvas.setAttribute("role", "img");
    run.canvas.setAttribute("aria-label", "Snapshot view of " + run.rec.name +
      "; hover to read the discriminator value");
    run.readout = document.createElement("output");
    run.readout.className = "readout";
    run.readout.id = "readout-" + index;
    run.readout.setAttribute("aria-live", "polite");
    figure.append(caption, run.canvas, run.readout);
    container.append(figure);
    run.canvas.addEventListener("mousemove", (event) => {
      const rect = run.canvas.getBoundingClientRect();
      run.pointer = [event.clientX - rect.left, event.clientY - rect.top];
      updateReadout(app, run);
    });
    run.canvas.addEventListener("mouseleave", () => {
      run.pointer = null;
      updateReadout(app, run);
    });
  });
}

function buildLayerToggles(app) {
  const fieldset = document.getElementById("layers");
  for (const layer of Object.keys(LAYER_INFO)) {
    if (!app.runs.some((run) => run[LAYER_SOURCE[layer]])) {
      continue;
    }
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = "layer-" + layer;
    box.checked = Boolean(app.layers[layer]);
    box.addEventListener("change", () => {
      app.layers[layer] = box.checked;
      drawRuns(app);
    });
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = LAYER_INFO[layer].swatch;
    label.append(box, swatch, LAYER_INFO[layer].label);
    fieldset.append(label);
  }
}

function bindControls(app) {
  const slider = document.getElementById("slider");
  slider.max = String(app.timeline.length - 1);
  slider.addEventListener("input", () => setTick(app, Number(slider.value)));
  document.getElementById("step-back").addEventListener("click", () => setTick(app, app.tick - 1));
  document.getElementById("step-forward").addEventListener("click", () => setTick(app, app.tick + 1));
  document.getElementById("play").addEventListener("click", () => setPlaying(app, !app.playing));
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const tag = target && target.tagName;
    const ownKeys = tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && target.type !== "checkbox");
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (event.key === " " && tag !== "BUTTON" && tag !== "SELECT" && !(tag === "INPUT" && target.type === "checkbox")) {
      event.preventDefault();
      setPlaying(app, !app.playing);
    } else if (ownKeys) {
      // The slider and the speed menu handle their own arrow keys.
    } else if (event.key === "ArrowRight" || event.key === "ArrowUp") {
      event.preventDefault();
      setTick(app, app.tick + 1);
    } else if (event.key === "ArrowLeft" || event.key === "ArrowDown") {
      event.preventDefault();
      setTick(app, app.tick - 1);
    } else if (event.key === "Home") {
      event.preventDefault();
      setTick(app, 0);
    } else if (event.key === "End") {
      event.preventDefault();
      setTick(app, app.timeline.length - 1);
    }
  });
}

function setPlaying(app, playing) {
  const button = document.getElementById("play");
  app.playing = playing;
  button.textContent = playing ? "\u275A\u275A Pause" : "\u25B6 Play";
  button.setAttribute("aria-label", playing ? "Pause" : "Play");
  button.setAttribute("aria-pressed", String(playing));
  if (!playing) {
    return;
  }
  if (app.tick >= app.timeline.length - 1) {
    setTick(app, 0);
  }
  let last = performance.now();
  let carry = 0;
  const advance = (now) => {
    if (!app.playing) {
      return;
    }
    const speed = Number(document.getElementById("speed").value);
    carry += ((now - last) / 1000) * speed;
    last = now;
    if (carry >= 1) {
      const steps = Math.floor(carry);
      carry -= steps;
      setTick(app, app.tick + steps);
      if (app.tick >= app.timeline.length - 1) {
        setPlaying(app, false);
        return;
      }
    }
    requestAnimationFrame(advance);
  };
  requestAnimationFrame(advance);
}

function setTick(app, tick) {
  app.tick = Math.max(0, Math.min(app.timeline.length - 1, Math.round(tick)));
  const slider = document.getElementById("slider");
  slider.value = String(app.tick);
  const step = app.timeline[app.tick];
  const text = "step " + step + "  (" + (app.tick + 1) + " of " + app.timeline.length + ")";
  document.getElementById("step-label").textContent = text;
  slider.setAttribute("aria-valuetext", "generator step " + step);
  drawRuns(app);
  renderCurveCursors(app);
}

// Canvas sizes: one square view per run, as large as the window allows.
function layout(app) {
  const container = document.getElementById("runs");
  const main = document.getElementById("main");
  // Below 1000 px the stylesheet stacks the curves panel under the runs.
  const stacked = window.innerWidth <= 1000;
  const available = Math.max(280, stacked ? main.clientWidth : main.clientWidth - 414);
  const count = app.runs.length;
  const columns = Math.max(1, Math.min(count, Math.floor((available + 10) / 280)));
  const ratio = window.devicePixelRatio || 1;
  const top = container.getBoundingClientRect().top + window.scrollY;
  const heightLimit = Math.max(300, window.innerHeight - top - 48);
  let size = Math.floor((available - (columns - 1) * 10) / columns) - 14;
  size = Math.max(260, Math.min(size, 620, count <= columns ? heightLimit : 620));
  // Each run figure adds 14 px of padding and border around its canvas.
  container.style.flex = stacked ? "" : "0 0 " + (columns * (size + 14) + (columns - 1) * 10) + "px";
  for (const run of app.runs) {
    const width = size;
    const height = run.dim >= 2 ? size - 22 : Math.round(size * 0.8);
    run.canvas.width = Math.round(width * ratio);
    run.canvas.height = Math.round(height * ratio);
    run.canvas.style.width = width + "px";
    run.canvas.style.height = height + "px";
    run.cssSize = [width, height];
    run.dim >= 2 ? layoutRun(run, width, height) : layoutRun1D(run, width, height);
  }
  const curves = document.getElementById("curves");
  renderCurveBackgrounds(app, Math.max(240, curves.clientWidth - 20));
  drawRuns(app);
  renderCurveCursors(app);
}

function drawRuns(app) {
  const ratio = window.devicePixelRatio || 1;
  for (const run of app.runs) {
    if (!run.cssSize) {
      continue;
    }
    const frame = run.rec.frameOfTick[app.tick];
    const ctx = run.canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, run.cssSize[0], run.cssSize[1]);
    if (run.dim >= 2) {
      run.outside = drawRun2D(ctx, run, frame, app.layers, app.palette);
      drawAxes(ctx, run, true);
      if (run.surface && app.layers.surface) {
        drawColorbar(ctx, run, frame, app.palette, run.box.top + 14, run.box.height - 30);
      }
    } else {
      run.outside = drawRun1D(ctx, run, frame, app.layers);
    }
    run.stepLabel.textContent = "step " + run.rec.steps[frame] + statusNote(run, frame);
    updateReadout(app, run);
  }
}

function statusNote(run, frame) {
  const last = frame === run.frameCount - 1;
  return last && run.rec.status !== "completed" ? " \u00b7 " + run.rec.status : "";
}

function updateReadout(app, run) {
  const frame = run.rec.frameOfTick[app.tick];
  const parts = [];
  if (run.pointer) {
    const x = run.fromX(run.pointer[0]);
    parts.push("x = " + formatNumber(x));
    let value = null;
    if (run.dim >= 2) {
      const y = run.fromY(run.pointer[1]);
      parts.push("y = " + formatNumber(y));
      value = run.surface ? interpolateSurface(run, frame, x, y) : null;
    } else if (run.surface) {
      value = interpolateSurface(run, frame, x, 0);
    }
    if (run.surface) {
      parts.push(value === null ? "outside the surface grid" : valueName(run) + " = " + formatNumber(value));
    }
  } else {
    parts.push(run.surface ? "Hover to read " + valueName(run) : "");
  }
  if (run.outside > 0) {
    parts.push(run.outside + " of " + run.sampleCount + " samples outside the view");
  }
  run.readout.textContent = parts.filter(Boolean).join(" \u00b7 ");
}

main().catch((error) => {
  const box = document.getElementById("load-error");
  box.hidden = false;
  box.textContent = "The replay could not be loaded: " + error.message;
  console.error(error);
});
