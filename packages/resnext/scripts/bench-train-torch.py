#!/usr/bin/python3
"""PyTorch CPU reference for bench/train-step.bench.ts: one training step of the paper's setup.

Usage: /usr/bin/python3 scripts/bench-train-torch.py ARCH BATCH HEIGHT WIDTH RUNS
ARCH is resnext_tiny (this package's small ResNeXt) or a torchvision name. First 6 children
frozen, MSE on +-1 labels, Adamax, train mode, 1 thread (tfjs' cpu/wasm backends use one).
Prints one JSON object: {"threads": 1, "torch": version, "msPerStep": median}.
"""
import importlib.util
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
import torchvision


def build(arch, num_classes):
    if arch == "resnext_tiny":
        here = os.path.dirname(os.path.abspath(__file__))
        spec = importlib.util.spec_from_file_location("fixtures", os.path.join(here, "make-model-fixtures.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod.resnext_tiny(num_classes)
    return getattr(torchvision.models, arch)(num_classes=num_classes)


def main():
    arch, batch, h, w, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build(arch, 40).train()
    for child in list(model.children())[:6]:
        for p in child.parameters():
            p.requires_grad = False
    opt = torch.optim.Adamax([p for p in model.parameters() if p.requires_grad])
    x = torch.randn(batch, 3, h, w)
    y = torch.sign(torch.randn(batch, 40))

    def step():
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        opt.step()

    step()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"threads": 1, "torch": torch.__version__, "msPerStep": statistics.median(times)}))


if __name__ == "__main__":
    main()
