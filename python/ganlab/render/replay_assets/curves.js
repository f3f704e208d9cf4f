// The curves panel: one small chart per loss or metric series, every run
// overlaid in its own color, diagnosis phases as shaded bands, and a cursor
// at the current step.

const RUN_COLORS = ["#1f6fb2", "#d35400", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d",
  "#b8860b", "#16a085", "#e91e63", "#34495e"];
const PHASE_COLORS = ["rgba(31, 111, 178, 0.13)", "rgba(211, 84, 0, 0.13)", "rgba(46, 139, 87, 0.13)",
  "rgba(142, 68, 173, 0.13)", "rgba(192, 57, 43, 0.13)", "rgba(127, 140, 141, 0.18)"];
const CHART = { height: 72, left: 46, right: 6, top: 4, bottom: 14 };

function runColor(index) {
  return RUN_COLORS[index % RUN_COLORS.length];
}

function buildCurves(app) {
  const panel = document.getElementById("curves");
  panel.textContent = "";
  app.charts = [];
  if (app.runs.length > 1) {
    const legend = document.createElement("div");
    legend.className = "run-legend";
    app.runs.forEach((run, index) => {
      const item = document.createElement("span");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = runColor(index);
      item.append(swatch, " " + run.rec.name);
      legend.append(item);
    });
    panel.append(legend);
  }
  const titles = { scalars: "Losses and training scalars", metrics: "Metrics" };
  for (const group of ["scalars", "metrics"]) {
    const names = [];
    for (const run of app.runs) {
      for (const name of run.rec[group].names) {
        if (!names.includes(name)) {
          names.push(name);
        }
      }
    }
    if (names.length === 0) {
      continue;
    }
    // Losses first, then the other series in alphabetical order.
    names.sort((a, b) => (b.includes("loss") - a.includes("loss")) || a.localeCompare(b));
    const heading = document.createElement("h2");
    heading.textContent = titles[group];
    panel.append(heading);
    for (const name of names) {
      panel.append(buildChart(app, group, name));
    }
  }
  if (app.charts.length === 0) {
    const empty = document.createElement("p");
    empty.textContent = "This trajectory has no loss or metric series.";
    panel.append(empty);
  }
}

function buildChart(app, group, name) {
  const figure = document.createElement("figure");
  figure.className = "curve";
  const title = document.createElement("figcaption");
  title.className = "curve-title";
  const label = document.createElement("b");
  label.textContent = name;
  const value = document.createElement("span");
  title.append(label, value);
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", name + " over generator steps");
  figure.append(title, canvas);
  const chart = { group: group, name: name, canvas: canvas, value: value };
  chart.series = app.runs.map((run) => run.curves[group][name] || null);
  app.charts.push(chart);
  return figure;
}

function chartBounds(app, chart) {
  let low = Infinity;
  let high = -Infinity;
  for (const series of chart.series) {
    if (!series) {
      continue;
    }
    for (const v of series.values) {
      if (isFinite(v)) {
        low = Math.min(low, v);
        high = Math.max(high, v);
      }
    }
  }
  if (!isFinite(low)) {
    return [0, 1];
  }
  if (high === low) {
    const pad = low === 0 ? 1 : 0.1 * Math.abs(low);
    return [low - pad, high + pad];
  }
  const pad = 0.05 * (high - low);
  return [low - pad, high + pad];
}

function stepRange(app) {
  let low = app.timeline[0];
  let high = app.timeline[app.timeline.length - 1];
  for (const run of app.runs) {
    for (const group of ["scalars", "metrics"]) {
      for (const name of run.rec[group].names) {
        const steps = run.curves[group][name].steps;
        low = Math.min(low, steps[0]);
        high = Math.max(high, steps[steps.length - 1]);
      }
    }
  }
  return high > low ? [low, high] : [low - 1, high + 1];
}

// Draw the static part of every chart (curves, phases, axes) once per resize.
function renderCurveBackgrounds(app, width) {
  const ratio = window.devicePixelRatio || 1;
  const [s0, s1] = stepRange(app);
  app.stepRange = [s0, s1];
  for (const chart of app.charts) {
    const w = width;
    const h = CHART.height;
    chart.canvas.width = Math.round(w * ratio);
    chart.canvas.height = Math.round(h * ratio);
    chart.canvas.style.width = w + "px";
    chart.canvas.style.height = h + "px";
    const plot = { left: CHART.left, top: CHART.top, width: w - CHART.left - CHART.right,
      height: h - CHART.top - CHART.bottom };
    chart.plot = plot;
    chart.toX = (s) => plot.left + ((s - s0) / (s1 - s0)) * plot.width;
    const [v0, v1] = chartBounds(app, chart);
    const toY = (v) => plot.top + (1 - (v - v0) / (v1 - v0)) * plot.height;

    const background = document.createElement("canvas");
    background.width = chart.canvas.width;
    background.height = chart.canvas.height;
    const ctx = background.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    drawPhases(ctx, app, chart, plot);

    app.runs.forEach((run, index) => {
      const series = chart.series[index];
      if (!series) {
        return;
      }
      ctx.strokeStyle = runColor(index);
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      let drawing = false;
      for (let i = 0; i < series.steps.length; i++) {
        const v = series.values[i];
        if (!isFinite(v)) {
          drawing = false;
          continue;
        }
        const x = chart.toX(series.steps[i]);
        const y = toY(v);
        drawing ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
        drawing = true;
      }
      ctx.stroke();
    });

    ctx.strokeStyle = "#aab3bb";
    ctx.lineWidth = 1;
    ctx.strokeRect(plot.left, plot.top, plot.width, plot.height);
    ctx.fillStyle = "#5b6570";
    ctx.font = "10px system-ui, sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillText(formatNumber(v1), plot.left - 3, plot.top);
    ctx.textBaseline = "bottom";
    ctx.fillText(formatNumber(v0), plot.left - 3, plot.top + plot.height);
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText(String(Math.round(s0)), plot.left, plot.top + plot.height + 1);
    ctx.textAlign = "right";
    ctx.fillText(String(Math.round(s1)) + " steps", plot.left + plot.width, plot.top + plot.height + 1);
    chart.background = background;
  }
}

// One run: bands over the full height with labels; several runs: one strip per run.
function drawPhases(ctx, app, chart, plot) {
  const strip = app.runs.length > 1 ? Math.max(3, Math.min(8, plot.height / app.runs.length / 2)) : plot.height;
  const labels = new Map();
  app.runs.forEach((run, index) => {
    run.rec.phases.forEach(([label, start, end]) => {
      if (!labels.has(label)) {
        labels.set(label, PHASE_COLORS[labels.size % PHASE_COLORS.length]);
      }
      const x0 = Math.max(plot.left, chart.toX(start));
      const x1 = Math.min(plot.left + plot.width, chart.toX(end));
      if (x1 <= x0) {
        return;
      }
      ctx.fillStyle = labels.get(label);
      ctx.fillRect(x0, plot.top + index * strip, x1 - x0, strip);
      if (app.runs.length === 1 && x1 - x0 > 40) {
        ctx.fillStyle = "#5b6570";
        ctx.font = "9px system-ui, sans-serif";
        ctx.textAlign = "left";
        ctx.textBaseline = "top";
        ctx.fillText(label, x0 + 2, plot.top + 1, x1 - x0 - 4);
      }
    });
  });
}

function renderCurveCursors(app) {
  const ratio = window.devicePixelRatio || 1;
  for (const chart of app.charts) {
    const ctx = chart.canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(chart.background, 0, 0);
    ctx.scale(ratio, ratio);
    const x = chart.toX(app.timeline[app.tick]);
    ctx.strokeStyle = "#1d2329";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x, chart.plot.top);
    ctx.lineTo(x, chart.plot.top + chart.plot.height);
    ctx.stroke();

    const values = [];
    app.runs.forEach((run, index) => {
      const series = chart.series[index];
      if (!series) {
        return;
      }
      const step = run.rec.steps[run.rec.frameOfTick[app.tick]];
      const k = nearestIndex(series.steps, step);
      values.push(formatNumber(series.values[k]));
    });
    chart.value.textContent = values.join(" / ");
  }
}
