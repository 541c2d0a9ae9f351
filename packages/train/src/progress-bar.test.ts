import { describe, expect, it } from "vitest";
import { ProgressBar } from "./progress-bar";

function sink(isTTY: boolean) {
  const s = { out: "", isTTY, write: (t: string) => (s.out += t) };
  return s;
}

describe("ProgressBar", () => {
  it("is quiet when the stream is not a TTY", () => {
    const s = sink(false);
    const bar = new ProgressBar({ stream: s });
    bar.start("epoch 1/12", 10, 0);
    bar.update(5, 80, 0.25);
    bar.stop();
    expect(s.out).toBe("");
  });

  it("draws steps, images/s, loss and ETA on a TTY, throttled, with a final line", () => {
    const s = sink(true);
    const bar = new ProgressBar({ stream: s, intervalMs: 60_000 });
    bar.start("epoch 2/12", 10, 4);
    bar.update(5, 16, 0.5);
    bar.update(6, 32, 0.25);
    bar.stop("done");
    const lines = s.out.split("\r").filter(Boolean);
    expect(lines).toHaveLength(2); // the start and the forced final draw
    expect(lines[1]).toMatch(
      /^epoch 2\/12 \[=+ +\] 6\/10 \d+\.\d img\/s loss 0\.2500 ETA \d+m\d+s/,
    );
    expect(s.out.endsWith(" done\n")).toBe(true);
  });
});
