import type { Rng } from "@celeba/augment";

/** Where and how one attribute's cue is drawn. */
export interface Marker {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  shape: 0 | 1 | 2;
  color: [number, number, number];
}

/**
 * One marker per attribute on a grid inside the region every 178x218 random crop of the 220x270 resize
 * keeps (x in [34, 144], y in [42, 176] at 178x218), so augmentation never removes a cue. Colours are
 * saturated and distinct (from the {0, 85, 170, 255} cube with a channel spread of at least 170).
 */
export function markerLayout(m: number, width: number, height: number): Marker[] {
  const colors: [number, number, number][] = [];
  const levels = [0, 85, 170, 255];
  for (const r of levels)
    for (const g of levels)
      for (const b of levels) {
        if (Math.max(r, g, b) - Math.min(r, g, b) >= 170) colors.push([r, g, b]);
      }
  // Interleave hues so neighbouring attributes get dissimilar colours.
  colors.sort((a, b) => hue(a) - hue(b));
  const palette = colors.map(
    (_, k) => colors[(k * 17) % colors.length] as [number, number, number],
  );
  const sx = width / 178;
  const sy = height / 218;
  const cols = 5;
  const rows = Math.max(1, Math.ceil(m / cols));
  const cellW = (110 * sx) / cols;
  const cellH = (134 * sy) / rows;
  // Markers fill their cell (less a 1 px outline and a 1 px gap): area is what makes a cue easy to learn.
  const rx = Math.max(1, cellW / 2 - 2);
  const ry = Math.max(1, cellH / 2 - 2);
  return Array.from({ length: m }, (_, k) => ({
    cx: 34 * sx + ((k % cols) + 0.5) * cellW,
    cy: 42 * sy + (Math.floor(k / cols) + 0.5) * cellH,
    rx,
    ry,
    shape: (k % 3) as 0 | 1 | 2,
    color: palette[k % palette.length] as [number, number, number],
  }));
}

function hue([r, g, b]: [number, number, number]): number {
  return Math.atan2(Math.sqrt(3) * (g - b), 2 * r - g - b);
}

const SKIN: [number, number, number][] = [
  [224, 184, 150],
  [198, 152, 118],
  [160, 114, 84],
  [236, 200, 170],
  [120, 84, 60],
];

/** Draws a synthetic face with a marker for every positive attribute; returns RGB pixels. */
export function renderFace(
  width: number,
  height: number,
  names: readonly string[],
  labels: Int8Array,
  markers: Marker[],
  rng: Rng,
): Buffer {
  const px = Buffer.alloc(width * height * 3);
  const sx = width / 178;
  const sy = height / 218;
  // Background: a muted colour with a little per-pixel texture.
  const grey = 70 + rng.nextInt(120);
  const tint = [rng.nextInt(41) - 20, rng.nextInt(41) - 20, rng.nextInt(41) - 20];
  let state = rng.nextUint32() | 1;
  for (let i = 0; i < width * height; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const noise = ((state >>> 0) % 21) - 10;
    px[i * 3] = clamp(grey + (tint[0] as number) + noise);
    px[i * 3 + 1] = clamp(grey + (tint[1] as number) + noise);
    px[i * 3 + 2] = clamp(grey + (tint[2] as number) + noise);
  }
  const cx = 89 * sx + (rng.next() - 0.5) * 6 * sx;
  const cy = 112 * sy + (rng.next() - 0.5) * 6 * sy;
  const hairShade = 30 + rng.nextInt(90);
  ellipse(px, width, height, cx, cy - 14 * sy, 60 * sx, 70 * sy, [
    hairShade,
    hairShade * 0.8,
    hairShade * 0.6,
  ]);
  const pale = names.indexOf("Pale_Skin");
  const skin =
    pale >= 0 && labels[pale] === 1
      ? ([246, 236, 230] as [number, number, number])
      : (SKIN[rng.nextInt(SKIN.length)] as [number, number, number]);
  ellipse(px, width, height, cx, cy, 50 * sx, 64 * sy, skin);
  const eye: [number, number, number] = [40, 30, 30];
  ellipse(px, width, height, cx - 18 * sx, cy - 12 * sy, 6 * sx, 3 * sy, eye);
  ellipse(px, width, height, cx + 18 * sx, cy - 12 * sy, 6 * sx, 3 * sy, eye);
  ellipse(px, width, height, cx, cy + 30 * sy, 14 * sx, 3 * sy, [150, 60, 60]);

  markers.forEach((marker, k) => {
    if (labels[k] !== 1) return;
    drawMarker(px, width, height, marker);
  });
  const blurry = names.indexOf("Blurry");
  if (blurry >= 0 && labels[blurry] === 1)
    boxBlur(px, width, height, Math.max(1, Math.round(2 * sx)));
  return px;
}

function drawMarker(px: Buffer, width: number, height: number, marker: Marker): void {
  const { cx, cy, rx, ry, shape, color } = marker;
  const x0 = Math.max(0, Math.floor(cx - rx - 1));
  const x1 = Math.min(width - 1, Math.ceil(cx + rx + 1));
  const y0 = Math.max(0, Math.floor(cy - ry - 1));
  const y1 = Math.min(height - 1, Math.ceil(cy + ry + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = Math.abs(x + 0.5 - cx) / (rx + 1);
      const dy = Math.abs(y + 0.5 - cy) / (ry + 1);
      // Shape in its own norm: rectangle (max), ellipse (euclidean), rounded rectangle (4-norm).
      const d =
        shape === 0
          ? Math.max(dx, dy)
          : shape === 1
            ? Math.hypot(dx, dy)
            : Math.sqrt(Math.sqrt(dx ** 4 + dy ** 4));
      if (d > 1) continue;
      // A 1 px dark rim separates the cue from whatever it is drawn on.
      const rim =
        Math.abs(x + 0.5 - cx) > rx ||
        Math.abs(y + 0.5 - cy) > ry ||
        (shape !== 0 && d > 1 - 1 / Math.max(rx, ry));
      const c = rim ? ([0, 0, 0] as const) : color;
      const o = (y * width + x) * 3;
      px[o] = c[0];
      px[o + 1] = c[1];
      px[o + 2] = c[2];
    }
  }
}

function ellipse(
  px: Buffer,
  width: number,
  height: number,
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  color: readonly number[],
): void {
  const y0 = Math.max(0, Math.floor(cy - ry));
  const y1 = Math.min(height - 1, Math.ceil(cy + ry));
  for (let y = y0; y <= y1; y++) {
    const t = (y + 0.5 - cy) / ry;
    if (t * t > 1) continue;
    const half = rx * Math.sqrt(1 - t * t);
    const x0 = Math.max(0, Math.ceil(cx - half - 0.5));
    const x1 = Math.min(width - 1, Math.floor(cx + half - 0.5));
    for (let x = x0; x <= x1; x++) {
      const o = (y * width + x) * 3;
      px[o] = clamp(color[0] as number);
      px[o + 1] = clamp(color[1] as number);
      px[o + 2] = clamp(color[2] as number);
    }
  }
}

function boxBlur(px: Buffer, width: number, height: number, radius: number): void {
  const tmp = new Float32Array(px.length);
  const pass = (
    src: ArrayLike<number>,
    dst: { [i: number]: number },
    horizontal: boolean,
  ): void => {
    const outer = horizontal ? height : width;
    const inner = horizontal ? width : height;
    for (let a = 0; a < outer; a++) {
      for (let b = 0; b < inner; b++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          let n = 0;
          for (let k = -radius; k <= radius; k++) {
            const bb = b + k;
            if (bb < 0 || bb >= inner) continue;
            const idx = horizontal ? (a * width + bb) * 3 + c : (bb * width + a) * 3 + c;
            sum += src[idx] as number;
            n++;
          }
          const o = horizontal ? (a * width + b) * 3 + c : (b * width + a) * 3 + c;
          dst[o] = sum / n;
        }
      }
    }
  };
  pass(px, tmp, true);
  const out = new Float32Array(px.length);
  pass(tmp, out, false);
  for (let i = 0; i < px.length; i++) px[i] = clamp(out[i] as number);
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
