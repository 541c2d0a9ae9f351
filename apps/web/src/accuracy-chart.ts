import type { EpochRecord } from "@celeba/train";

const SVG = "http://www.w3.org/2000/svg";

/**
 * Draws train and validation accuracy per epoch as two lines in an SVG, redrawn after each
 * epoch. The y axis spans the values seen (at least 10 points) so early progress is visible.
 */
export function drawAccuracyChart(svg: SVGSVGElement, history: readonly EpochRecord[]): void {
  const width = 360;
  const height = 180;
  const pad = { left: 40, right: 10, top: 10, bottom: 24 };
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  const values = history
    .flatMap((r) => [r.trainAccuracy, r.valAccuracy])
    .filter(Number.isFinite)
    .map((v) => v * 100);
  let lo = Math.min(...values, 100);
  let hi = Math.max(...values, 0);
  if (hi - lo < 10) {
    const mid = (hi + lo) / 2;
    lo = Math.max(0, mid - 5);
    hi = Math.min(100, lo + 10);
  }
  const epochs = Math.max(2, history.length);
  const x = (i: number) => pad.left + (i / (epochs - 1)) * (width - pad.left - pad.right);
  const y = (v: number) =>
    pad.top + (1 - (v - lo) / (hi - lo || 1)) * (height - pad.top - pad.bottom);
  const el = (name: string, attrs: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  el("line", { x1: pad.left, x2: pad.left, y1: pad.top, y2: height - pad.bottom, class: "axis" });
  el("line", {
    x1: pad.left,
    x2: width - pad.right,
    y1: height - pad.bottom,
    y2: height - pad.bottom,
    class: "axis",
  });
  el("text", { x: 4, y: pad.top + 8, class: "tick" }, `${hi.toFixed(0)}%`);
  el("text", { x: 4, y: height - pad.bottom, class: "tick" }, `${lo.toFixed(0)}%`);
  el("text", { x: width / 2, y: height - 6, class: "tick" }, "epoch");
  const series = [
    ["trainAccuracy", "train"],
    ["valAccuracy", "val"],
  ] as const;
  for (const [key, cls] of series) {
    const points = history
      .map((r, i) => [i, r[key] * 100] as const)
      .filter(([, v]) => Number.isFinite(v));
    el("polyline", {
      points: points.map(([i, v]) => `${x(i)},${y(v)}`).join(" "),
      class: `line ${cls}`,
    });
    for (const [i, v] of points) el("circle", { cx: x(i), cy: y(v), r: 3, class: `dot ${cls}` });
  }
}
