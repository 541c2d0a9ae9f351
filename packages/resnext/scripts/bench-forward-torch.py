#!/usr/bin/python3
"""PyTorch CPU reference for bench/forward.bench.ts: resnext50_32x4d eval forward images/s.

Usage: /usr/bin/python3 scripts/bench-forward-torch.py HEIGHT WIDTH BATCH[,BATCH...] RUNS
Prints one JSON object: {"threads": n, "torch": version, "imagesPerSecond": {batch: value}}.
"""
import json
import statistics
import sys
import time

import torch
import torchvision


def main():
    h, w = int(sys.argv[1]), int(sys.argv[2])
    batches = [int(b) for b in sys.argv[3].split(",")]
    runs = int(sys.argv[4])
    torch.manual_seed(0)
    model = torchvision.models.resnext50_32x4d(num_classes=40).eval()
    out = {}
    with torch.no_grad():
        for b in batches:
            x = torch.randn(b, 3, h, w)
            model(x)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                model(x)
                times.append(time.perf_counter() - t0)
            out[str(b)] = b / statistics.median(times)
    print(json.dumps({"threads": torch.get_num_threads(), "torch": torch.__version__,
                      "imagesPerSecond": out}))


if __name__ == "__main__":
    main()
