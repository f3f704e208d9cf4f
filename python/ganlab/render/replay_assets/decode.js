// Decoding of the page's embedded data: one JSON document plus one binary
// buffer (base64, zlib-compressed unless doc.compressed is false).

const ARRAY_TYPES = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint16: Uint16Array,
  uint8: Uint8Array,
};

function readDocument() {
  return JSON.parse(document.getElementById("replay-data").textContent);
}

function base64ToBytes(text) {
  const binary = atob(text.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

async function readBuffer(compressed) {
  const bytes = base64ToBytes(document.getElementById("replay-blob").textContent);
  if (!compressed) {
    return bytes.buffer;
  }
  if (typeof DecompressionStream === "undefined") {
    throw new Error("this browser has no DecompressionStream; open the page in Chromium 80+, " +
      "Firefox 113+ or Safari 16.4+, or render it with compress=False");
  }
  // Blob.stream and Response only move bytes in memory; nothing is fetched.
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return await new Response(stream).arrayBuffer();
}

function arrayView(buffer, desc) {
  if (!desc) {
    return null;
  }
  const Type = ARRAY_TYPES[desc.dtype];
  if (!Type) {
    throw new Error("unsupported array type " + desc.dtype);
  }
  const length = desc.shape.reduce((a, b) => a * b, 1);
  return new Type(buffer, desc.offset, length);
}

// Build the run objects the views draw from: typed arrays plus shapes.
function decodeRun(buffer, rec) {
  const run = { rec: rec, dim: rec.dim, frameCount: rec.steps.length };
  if (rec.real) {
    run.real = arrayView(buffer, rec.real);
    run.realCount = rec.real.shape[0];
    run.realDim = rec.real.shape[1];
  }
  run.samples = arrayView(buffer, rec.samples);
  run.sampleCount = rec.samples.shape[1];
  run.sampleDim = rec.samples.shape[2];
  if (rec.surface) {
    run.surface = arrayView(buffer, rec.surface);
    run.surfaceShape = rec.surface.shape.slice(1);
  }
  if (rec.field) {
    run.field = arrayView(buffer, rec.field);
    run.fieldShape = rec.field.shape.slice(1);
  }
  if (rec.sampleGrad) {
    run.sampleGrad = arrayView(buffer, rec.sampleGrad);
  }
  if (rec.manifold) {
    run.manifold = arrayView(buffer, rec.manifold);
    run.manifoldCount = rec.manifold.shape[1];
    run.manifoldDim = rec.manifold.shape[2];
  }
  run.curves = {};
  for (const group of ["scalars", "metrics"]) {
    run.curves[group] = {};
    for (const name of rec[group].names) {
      const desc = rec[group].curves[name];
      run.curves[group][name] = {
        steps: arrayView(buffer, desc.steps),
        values: arrayView(buffer, desc.values),
      };
    }
  }
  return run;
}

// Discriminator value of grid cell `index` in frame `frame` (dequantized).
function surfaceValue(run, frame, index) {
  const size = run.surfaceShape.reduce((a, b) => a * b, 1);
  const low = run.rec.surface.low[frame];
  const high = run.rec.surface.high[frame];
  return low + (run.surface[frame * size + index] / 255) * (high - low);
}

// Linear interpolation of the surface at data point (x, y); null outside the grid.
function interpolateSurface(run, frame, x, y) {
  const gx = run.rec.gridX;
  const ix = gridPosition(gx, x);
  if (ix === null) {
    return null;
  }
  if (run.dim < 2) {
    const i0 = Math.floor(ix);
    const i1 = Math.min(i0 + 1, gx.length - 1);
    const t = ix - i0;
    return (1 - t) * surfaceValue(run, frame, i0) + t * surfaceValue(run, frame, i1);
  }
  const gy = run.rec.gridY;
  const iy = gridPosition(gy, y);
  if (iy === null) {
    return null;
  }
  const width = gx.length;
  const x0 = Math.floor(ix);
  const y0 = Math.floor(iy);
  const x1 = Math.min(x0 + 1, width - 1);
  const y1 = Math.min(y0 + 1, gy.length - 1);
  const tx = ix - x0;
  const ty = iy - y0;
  const top = (1 - tx) * surfaceValue(run, frame, y0 * width + x0) + tx * surfaceValue(run, frame, y0 * width + x1);
  const bottom = (1 - tx) * surfaceValue(run, frame, y1 * width + x0) + tx * surfaceValue(run, frame, y1 * width + x1);
  return (1 - ty) * top + ty * bottom;
}

// Fractional index of `value` in the increasing grid, or null outside it.
function gridPosition(grid, value) {
  const last = grid.length - 1;
  if (!(value >= grid[0] && value <= grid[last])) {
    return null;
  }
  let low = 0;
  let high = last;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (grid[middle] <= value) {
      low = middle;
    } else {
      high = middle;
    }
  }
  const span = grid[high] - grid[low];
  return span > 0 ? low + (value - grid[low]) / span : low;
}

// Index of the entry of the sorted `steps` nearest to `step`.
function nearestIndex(steps, step) {
  let low = 0;
  let high = steps.length - 1;
  if (high < 0) {
    return -1;
  }
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (steps[middle] <= step) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return Math.abs(steps[high] - step) < Math.abs(step - steps[low]) ? high : low;
}
