import sharp from "sharp";
import * as vega from "vega";

/** One point of the accuracy-by-epoch figure. */
export interface EpochAccuracy {
  epoch: number;
  trainAccuracy: number;
  valAccuracy: number;
}

const colour = { scale: "color", field: "split" };

/** A mark of one split's series: at (epoch, accuracy), styled by `style`. */
function seriesMark(type: "line" | "symbol", style: Record<string, unknown>) {
  return {
    type,
    from: { data: "series" },
    encode: {
      enter: { x: { scale: "x", field: "epoch" }, y: { scale: "y", field: "accuracy" }, ...style },
    },
  };
}

function accuracySpec(history: EpochAccuracy[], bestEpoch: number | undefined): vega.Spec {
  const values = history.flatMap((h) => [
    { epoch: h.epoch, split: "train", accuracy: h.trainAccuracy * 100 },
    { epoch: h.epoch, split: "validation", accuracy: h.valAccuracy * 100 },
  ]);
  return {
    $schema: "https://vega.github.io/schema/vega/v6.json",
    width: 560,
    height: 320,
    padding: 12,
    background: "white",
    title: { text: "Train vs validation accuracy by epoch", fontSize: 15 },
    data: [
      { name: "points", values },
      { name: "best", values: bestEpoch === undefined ? [] : [{ epoch: bestEpoch }] },
    ],
    scales: [
      {
        name: "x",
        type: "linear",
        domain: { data: "points", field: "epoch" },
        range: "width",
        nice: false,
        zero: false,
      },
      {
        name: "y",
        type: "linear",
        domain: { data: "points", field: "accuracy" },
        range: "height",
        nice: true,
        zero: false,
      },
      {
        name: "color",
        type: "ordinal",
        domain: ["train", "validation"],
        range: ["#1f77b4", "#ff7f0e"],
      },
    ],
    axes: [
      { orient: "bottom", scale: "x", title: "epoch", tickMinStep: 1, format: "d" },
      { orient: "left", scale: "y", title: "mean accuracy (%)", grid: true },
    ],
    legends: [{ fill: "color", stroke: "color", title: "split", orient: "bottom-right" }],
    marks: [
      {
        type: "rule",
        from: { data: "best" },
        encode: {
          enter: {
            x: { scale: "x", field: "epoch" },
            y: { value: 0 },
            y2: { signal: "height" },
            stroke: { value: "#888" },
            strokeDash: { value: [4, 4] },
          },
        },
      },
      {
        type: "group",
        from: { facet: { name: "series", data: "points", groupby: "split" } },
        // One line per split, with a dot at each epoch: both at the same point, in the split's colour.
        marks: [
          seriesMark("line", { stroke: colour, strokeWidth: { value: 2 } }),
          seriesMark("symbol", { fill: colour, size: { value: 36 } }),
        ],
      },
    ],
  };
}

/**
 * Renders the paper's figure, train vs validation accuracy by epoch, with vega to SVG
 * and rasterises it to PNG with sharp.
 *
 * @param history - accuracies in [0, 1] per epoch.
 * @param bestEpoch - the epoch chosen by validation, drawn as a dashed rule.
 * @returns the SVG text and the PNG bytes.
 */
export async function renderAccuracyChart(
  history: EpochAccuracy[],
  bestEpoch?: number,
): Promise<{ svg: string; png: Buffer }> {
  const view = new vega.View(vega.parse(accuracySpec(history, bestEpoch)), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    const png = await sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
    return { svg, png };
  } finally {
    view.finalize();
  }
}
