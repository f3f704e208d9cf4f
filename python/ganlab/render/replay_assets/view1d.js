// The 1D view: the discriminator curve with gradient arrows and point rugs in
// the upper panel, histograms of real and generated samples in the lower one.

function layoutRun1D(run, width, height) {
  layoutRun(run, width, height);
  const box = run.box;
  const upper = Math.round(box.height * 0.55);
  run.histBox = { left: box.left, width: box.width, top: box.top + upper + 24,
    height: box.height - upper - 24 };
  box.height = upper;
}

// Value range of the curve panel: [0, 1] for D(x), the frame's range for a critic.
function curveRange(run, frame) {
  if (!run.surface || run.rec.valueKind === "probability") {
    return [0, 1];
  }
  const low = run.rec.surface.low[frame];
  const high = run.rec.surface.high[frame];
  const pad = high > low ? 0.05 * (high - low) : 1;
  return [low - pad, high + pad];
}

function histogram(values, stride, count, offset, x0, x1) {
  const bins = new Float64Array(HISTOGRAM_BINS);
  const width = (x1 - x0) / HISTOGRAM_BINS;
  let inside = 0;
  for (let i = 0; i < count; i++) {
    const b = Math.floor((values[offset + i * stride] - x0) / width);
    if (b >= 0 && b < HISTOGRAM_BINS) {
      bins[b] += 1;
      inside++;
    }
  }
  // Density over the whole sample, so that mass outside the view stays missing.
  for (let b = 0; b < HISTOGRAM_BINS; b++) {
    bins[b] /= count * width;
  }
  return { bins: bins, inside: inside };
}

function drawRun1D(ctx, run, frame, layers) {
  const [x0, x1] = run.rec.view;
  const box = run.box;
  const hist = run.histBox;
  const [v0, v1] = curveRange(run, frame);
  const toV = (v) => box.top + (1 - (v - v0) / (v1 - v0)) * box.height;

  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.width, box.height);
  ctx.clip();
  if (layers.surface && run.surface) {
    const gx = run.rec.gridX;
    ctx.strokeStyle = "#b2182b";
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let i = 0; i < gx.length; i++) {
      const px = run.toX(gx[i]);
      const py = toV(surfaceValue(run, frame, i));
      i === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py);
    }
    ctx.stroke();
  }
  if (layers.field && run.field) {
    const fx = run.rec.fieldX;
    const width = fx.length;
    const cell = fx.length > 1 ? Math.abs(run.toX(fx[1]) - run.toX(fx[0])) : box.width / 10;
    const middle = box.top + box.height / 2;
    ctx.strokeStyle = STYLE.field;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let j = 0; j < width; j++) {
      drawArrow(ctx, run.toX(fx[j]), middle, (run.field[frame * width + j] / 127) * 0.9 * cell, 0);
    }
    ctx.stroke();
  }
  const rug = (values, stride, count, offset, y, color) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i < count; i++) {
      const px = run.toX(values[offset + i * stride]);
      ctx.moveTo(px, y);
      ctx.lineTo(px, y + 6);
    }
    ctx.stroke();
  };
  if (layers.real && run.real) {
    rug(run.real, run.realDim, run.realCount, 0, box.top + box.height - 14, STYLE.real);
  }
  const offset = frame * run.sampleCount * run.sampleDim;
  if (layers.samples) {
    rug(run.samples, run.sampleDim, run.sampleCount, offset, box.top + box.height - 7, STYLE.samples);
  }
  ctx.restore();

  const realHist = run.real ? (run.realHist ||= histogram(run.real, run.realDim, run.realCount, 0, x0, x1)) : null;
  const sampleHist = histogram(run.samples, run.sampleDim, run.sampleCount, offset, x0, x1);
  let top = 0;
  for (const h of [realHist, sampleHist]) {
    if (h) {
      top = Math.max(top, ...h.bins);
    }
  }
  top = top > 0 ? top * 1.1 : 1;
  const binWidth = hist.width / HISTOGRAM_BINS;
  const toH = (density) => hist.top + hist.height * (1 - density / top);
  if (layers.real && realHist) {
    ctx.fillStyle = "rgba(27, 27, 27, 0.25)";
    for (let b = 0; b < HISTOGRAM_BINS; b++) {
      ctx.fillRect(hist.left + b * binWidth, toH(realHist.bins[b]), binWidth, hist.top + hist.height - toH(realHist.bins[b]));
    }
  }
  if (layers.samples) {
    ctx.strokeStyle = STYLE.samples;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(hist.left, hist.top + hist.height);
    for (let b = 0; b < HISTOGRAM_BINS; b++) {
      ctx.lineTo(hist.left + b * binWidth, toH(sampleHist.bins[b]));
      ctx.lineTo(hist.left + (b + 1) * binWidth, toH(sampleHist.bins[b]));
    }
    ctx.lineTo(hist.left + hist.width, hist.top + hist.height);
    ctx.stroke();
  }
  if (layers.manifold && run.manifold) {
    const low = run.rec.manifold.low[0];
    const high = run.rec.manifold.high[0];
    ctx.strokeStyle = STYLE.manifold;
    ctx.beginPath();
    for (let k = 0; k < run.manifoldCount; k++) {
      const px = run.toX(low + (run.manifold[(frame * run.manifoldCount + k) * run.manifoldDim] / 65535) * (high - low));
      ctx.moveTo(px, hist.top + hist.height);
      ctx.lineTo(px, hist.top + hist.height - 5);
    }
    ctx.stroke();
  }

  ctx.strokeStyle = STYLE.axis;
  ctx.fillStyle = STYLE.axis;
  ctx.lineWidth = 1;
  ctx.font = "11px system-ui, sans-serif";
  ctx.strokeRect(box.left, box.top, box.width, box.height);
  ctx.strokeRect(hist.left, hist.top, hist.width, hist.height);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of niceTicks(x0, x1, 6)) {
    ctx.fillText(formatTick(t), run.toX(t), box.top + box.height + 4);
    ctx.fillText(formatTick(t), run.toX(t), hist.top + hist.height + 4);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of niceTicks(v0, v1, 4)) {
    ctx.fillText(formatTick(t), box.left - 4, toV(t));
  }
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  ctx.fillText(valueName(run), box.left + box.width + 4, box.top);
  ctx.fillText("density", box.left + box.width + 4, hist.top);
  return run.sampleCount - sampleHist.inside;
}
