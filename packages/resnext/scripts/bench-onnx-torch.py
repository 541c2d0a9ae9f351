#!/usr/bin/python3
"""PyTorch side of bench/onnx.bench.ts: torchvision's resnext50_32x4d (seeded, 40 classes, eval),
its weights as a .pth for our exporter, torchvision's own torch.onnx.export of it, and PyTorch
CPU's eval-forward images/s at each thread count and batch size.

Usage: /usr/bin/python3 scripts/bench-onnx-torch.py OUT_DIR HEIGHT WIDTH BATCHES THREADS RUNS
  (BATCHES and THREADS comma-separated). Writes OUT_DIR/resnext50_32x4d.pth and
  OUT_DIR/torchvision.onnx; prints one JSON object:
  {"torch": version, "imagesPerSecond": {"THREADS": {"BATCH": value}}}.
"""
import json
import os
import statistics
import sys
import time

import torch
import torchvision


def main():
    out_dir = sys.argv[1]
    h, w = int(sys.argv[2]), int(sys.argv[3])
    batches = [int(b) for b in sys.argv[4].split(",")]
    threads = [int(t) for t in sys.argv[5].split(",")]
    runs = int(sys.argv[6])
    torch.manual_seed(0)
    model = torchvision.models.resnext50_32x4d(num_classes=40).eval()
    torch.save(model.state_dict(), os.path.join(out_dir, "resnext50_32x4d.pth"))
    # What a torchvision user gets: eval-mode export (BatchNorm folded by constant folding),
    # dynamic batch, opset 13 like ours.
    torch.onnx.export(
        model,
        torch.randn(1, 3, h, w),
        os.path.join(out_dir, "torchvision.onnx"),
        opset_version=13,
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        do_constant_folding=True,
    )
    ips = {}
    with torch.no_grad():
        for t in threads:
            torch.set_num_threads(t)
            ips[str(t)] = {}
            for b in batches:
                x = torch.randn(b, 3, h, w)
                model(x)
                times = []
                for _ in range(runs):
                    t0 = time.perf_counter()
                    model(x)
                    times.append(time.perf_counter() - t0)
                ips[str(t)][str(b)] = b / statistics.median(times)
    print(json.dumps({"torch": torch.__version__, "imagesPerSecond": ips}))


if __name__ == "__main__":
    main()
