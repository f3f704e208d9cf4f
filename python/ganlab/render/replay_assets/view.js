// Drawing of one run's canvas: the 2D view (surface, points, arrows, manifold)
// or the 1D view (discriminator curve above, histograms below).

const STYLE = {
  real: "#1b1b1b",
  samples: "#0a8f3c",
  sampleEdge: "#ffffff",
  field: "rgba(25, 25, 25, 0.55)",
  sampleGrad: "#d35400",
  manifold: "rgba(106, 61, 154, 0.8)",
  axis: "#5b6570",
  surfaceBlend: 0.8,
};
const MARGIN = { left: 40, right: 50, top: 6, bottom: 22 };
const HISTOGRAM_BINS = 60;

function valueName(run) {
  return run.rec.valueKind === "probability" ? "D(x)" : "critic";
}

function formatNumber(value) {
  if (!isFinite(value)) {
    return String(value);
  }
  const size = Math.abs(value);
  if (size !== 0 && (size >= 1e4 || size < 1e-3)) {
    return value.toExponential(2);
  }
  return value.toFixed(size >= 100 ? 1 : 3);
}

function niceTicks(low, high, count) {
  const span = high - low;
  if (!(span > 0)) {
    return [low];
  }
  const raw = span / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const unit = [1, 2, 5, 10].map((m) => m * power).find((m) => m >= raw);
  const ticks = [];
  for (let t = Math.ceil(low / unit) * unit; t <= high + unit * 1e-9; t += unit) {
    ticks.push(Math.abs(t) < unit * 1e-9 ? 0 : t);
  }
  return ticks;
}

// Plot geometry: the data box mapped into the canvas with equal aspect (2D).
function layoutRun(run, width, height) {
  const [x0, x1, y0, y1] = run.rec.view;
  const box = { left: MARGIN.left, top: MARGIN.top,
    width: width - MARGIN.left - MARGIN.right, height: height - MARGIN.top - MARGIN.bottom };
  if (run.dim >= 2) {
    const scale = Math.min(box.width / (x1 - x0), box.height / (y1 - y0));
    const w = scale * (x1 - x0);
    const h = scale * (y1 - y0);
    box.left += (box.width - w) / 2;
    box.top += (box.height - h) / 2;
    box.width = w;
    box.height = h;
  }
  run.box = box;
  run.toX = (x) => box.left + ((x - x0) / (x1 - x0)) * box.width;
  run.toY = (y) => box.top + (1 - (y - y0) / (y1 - y0)) * box.height;
  run.fromX = (px) => x0 + ((px - box.left) / box.width) * (x1 - x0);
  run.fromY = (py) => y0 + (1 - (py - box.top) / box.height) * (y1 - y0);
}

function colorIndex(run, frame, code) {
  if (run.rec.valueKind !== "probability") {
    return code;
  }
  const low = run.rec.surface.low[frame];
  const high = run.rec.surface.high[frame];
  const value = low + (code / 255) * (high - low);
  return Math.max(0, Math.min(255, Math.round(value * 255)));
}

// Range the colormap spans: [0, 1] for D(x), the frame's own range for a critic.
function colorRange(run, frame) {
  if (run.rec.valueKind === "probability") {
    return [0, 1];
  }
  return [run.rec.surface.low[frame], run.rec.surface.high[frame]];
}

function surfaceImage(run, frame, palette) {
  const [height, width] = run.surfaceShape;
  if (!run.surfaceCanvas) {
    run.surfaceCanvas = document.createElement("canvas");
    run.surfaceCanvas.width = width;
    run.surfaceCanvas.height = height;
  }
  const context = run.surfaceCanvas.getContext("2d");
  const image = context.createImageData(width, height);
  const offset = frame * width * height;
  for (let row = 0; row < height; row++) {
    // Image row 0 is the top of the plot, the largest grid_y.
    const source = offset + (height - 1 - row) * width;
    for (let col = 0; col < width; col++) {
      const c = colorIndex(run, frame, run.surface[source + col]) * 3;
      const p = (row * width + col) * 4;
      image.data[p] = palette[c];
      image.data[p + 1] = palette[c + 1];
      image.data[p + 2] = palette[c + 2];
      image.data[p + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  return run.surfaceCanvas;
}

function drawArrow(ctx, x, y, dx, dy) {
  const length = Math.hypot(dx, dy);
  if (length < 0.5) {
    return;
  }
  const head = Math.min(5, length * 0.4);
  const ux = dx / length;
  const uy = dy / length;
  ctx.moveTo(x, y);
  ctx.lineTo(x + dx, y + dy);
  ctx.moveTo(x + dx - head * (ux - 0.5 * uy), y + dy - head * (uy + 0.5 * ux));
  ctx.lineTo(x + dx, y + dy);
  ctx.lineTo(x + dx - head * (ux + 0.5 * uy), y + dy - head * (uy - 0.5 * ux));
}

function drawAxes(ctx, run, showY) {
  const [x0, x1, y0, y1] = run.rec.view;
  const box = run.box;
  ctx.strokeStyle = STYLE.axis;
  ctx.fillStyle = STYLE.axis;
  ctx.lineWidth = 1;
  ctx.font = "11px system-ui, sans-serif";
  ctx.strokeRect(box.left, box.top, box.width, box.height);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of niceTicks(x0, x1, 6)) {
    ctx.fillText(formatTick(t), run.toX(t), box.top + box.height + 4);
  }
  if (showY) {
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of niceTicks(y0, y1, 6)) {
      ctx.fillText(formatTick(t), box.left - 4, run.toY(t));
    }
  }
}

function formatTick(value) {
  return Number(value.toPrecision(4)).toString();
}

function drawColorbar(ctx, run, frame, palette, top, height) {
  const left = run.box.left + run.box.width + 8;
  const width = 10;
  for (let i = 0; i < height; i++) {
    const c = Math.round((1 - i / (height - 1)) * 255) * 3;
    ctx.fillStyle = "rgb(" + palette[c] + "," + palette[c + 1] + "," + palette[c + 2] + ")";
    ctx.fillRect(left, top + i, width, 1);
  }
  const [low, high] = colorRange(run, frame);
  ctx.fillStyle = STYLE.axis;
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillText(formatNumber(high), left - 2, top - 12);
  ctx.fillText(formatNumber(low), left - 2, top + height + 2);
  ctx.save();
  ctx.translate(left + width + 10, top + height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(valueName(run), 0, 0);
  ctx.restore();
}

// Mix the colormap with white so that points and arrows stay visible on the surface.
function blendPalette(palette) {
  return palette.map((channel) => Math.round(255 * (1 - STYLE.surfaceBlend) + channel * STYLE.surfaceBlend));
}

function drawRun2D(ctx, run, frame, layers, palette) {
  const box = run.box;
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.width, box.height);
  ctx.clip();

  if (layers.surface && run.surface) {
    const gx = run.rec.gridX;
    const gy = run.rec.gridY;
    const dx = (gx[gx.length - 1] - gx[0]) / Math.max(1, gx.length - 1);
    const dy = (gy[gy.length - 1] - gy[0]) / Math.max(1, gy.length - 1);
    const left = run.toX(gx[0] - dx / 2);
    const top = run.toY(gy[gy.length - 1] + dy / 2);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(surfaceImage(run, frame, palette), left, top,
      run.toX(gx[gx.length - 1] + dx / 2) - left, run.toY(gy[0] - dy / 2) - top);
  }

  if (layers.field && run.field) {
    const [rows, cols] = run.fieldShape;
    const fx = run.rec.fieldX;
    const fy = run.rec.fieldY;
    const cell = Math.min(Math.abs(run.toX(fx[Math.min(1, cols - 1)]) - run.toX(fx[0])) || box.width,
      Math.abs(run.toY(fy[Math.min(1, rows - 1)]) - run.toY(fy[0])) || box.height);
    const base = frame * rows * cols * 2;
    ctx.strokeStyle = STYLE.field;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const p = base + (i * cols + j) * 2;
        // Longest arrow of the frame is 0.9 grid cells; y points up in data space.
        drawArrow(ctx, run.toX(fx[j]), run.toY(fy[i]),
          (run.field[p] / 127) * 0.9 * cell, -(run.field[p + 1] / 127) * 0.9 * cell);
      }
    }
    ctx.stroke();
  }

  if (layers.manifold && run.manifold) {
    drawManifold2D(ctx, run, frame);
  }

  if (layers.real && run.real) {
    ctx.fillStyle = STYLE.real;
    for (let i = 0; i < run.realCount; i++) {
      ctx.fillRect(run.toX(run.real[i * run.realDim]) - 1.25, run.toY(run.real[i * run.realDim + 1]) - 1.25, 2.5, 2.5);
    }
  }

  let outside = 0;
  const offset = frame * run.sampleCount * run.sampleDim;
  if (layers.samples) {
    ctx.fillStyle = STYLE.samples;
    ctx.strokeStyle = STYLE.sampleEdge;
    ctx.lineWidth = 0.8;
    ctx.beginPath();
    for (let i = 0; i < run.sampleCount; i++) {
      const x = run.toX(run.samples[offset + i * run.sampleDim]);
      const y = run.toY(run.samples[offset + i * run.sampleDim + 1]);
      ctx.moveTo(x + 2.8, y);
      ctx.arc(x, y, 2.8, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.stroke();
  }
  for (let i = 0; i < run.sampleCount; i++) {
    const x = run.samples[offset + i * run.sampleDim];
    const y = run.samples[offset + i * run.sampleDim + 1];
    const [x0, x1, y0, y1] = run.rec.view;
    if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) {
      outside++;
    }
  }

  if (layers.sample_grad && run.sampleGrad) {
    const length = 0.06 * Math.min(box.width, box.height);
    ctx.strokeStyle = STYLE.sampleGrad;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i < run.sampleCount; i++) {
      const p = (frame * run.sampleCount + i) * 2;
      drawArrow(ctx, run.toX(run.samples[offset + i * run.sampleDim]), run.toY(run.samples[offset + i * run.sampleDim + 1]),
        (run.sampleGrad[p] / 127) * length, -(run.sampleGrad[p + 1] / 127) * length);
    }
    ctx.stroke();
  }
  ctx.restore();
  return outside;
}

function drawManifold2D(ctx, run, frame) {
  const count = run.manifoldCount;
  const dim = run.manifoldDim;
  const low = run.rec.manifold.low;
  const high = run.rec.manifold.high;
  const base = frame * count * dim;
  const point = (k) => {
    const x = low[0] + (run.manifold[base + k * dim] / 65535) * (high[0] - low[0]);
    const y = dim > 1 ? low[1] + (run.manifold[base + k * dim + 1] / 65535) * (high[1] - low[1]) : 0;
    return [run.toX(x), run.toY(y)];
  };
  const grid = run.rec.manifold.grid;
  const rows = grid.length === 2 ? grid[0] : 1;
  const cols = grid.length === 2 ? grid[1] : count;
  ctx.strokeStyle = STYLE.manifold;
  ctx.lineWidth = 1;
  ctx.beginPath();
  // Mesh lines along each latent axis; the first latent axis varies slowest.
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const [x, y] = point(i * cols + j);
      j === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y);
    }
  }
  if (rows > 1) {
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < rows; i++) {
        const [x, y] = point(i * cols + j);
        i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y);
      }
    }
  }
  ctx.stroke();
}
