#!/usr/bin/python3
"""PyTorch counterpart of bench/peak-rss-child.ts: peak RSS of a training epoch.

Usage: /usr/bin/python3 bench/peak-rss-torch.py ARCH BATCH HEIGHT WIDTH STEPS
ARCH is resnext_tiny (@celeba/resnext's small ResNeXt) or a torchvision name. First 6 children
frozen, MSE on +-1 labels, Adamax, train mode, 1 thread, a fresh random batch each step.
Prints one JSON line: {"maxRSSKiB", "baselineKiB", "msPerStep", "torch"}.
"""
import importlib.util
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F
import torchvision


def build(arch, num_classes):
    """The model as @celeba/resnext's scripts/bench-train-torch.py builds it (one definition of resnext_tiny)."""
    here = os.path.dirname(os.path.abspath(__file__))
    bench = os.path.join(here, "..", "..", "resnext", "scripts", "bench-train-torch.py")
    spec = importlib.util.spec_from_file_location("bench_train_torch", bench)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build(arch, num_classes)


def main():
    arch, batch, h, w, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    # The runtime's own footprint (Python, torch) before any model exists; ru_maxrss is KiB on Linux.
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    model = build(arch, 40).train()
    for child in list(model.children())[:6]:
        for p in child.parameters():
            p.requires_grad = False
    opt = torch.optim.Adamax([p for p in model.parameters() if p.requires_grad])
    times = []
    for _ in range(steps):
        x = torch.randn(batch, 3, h, w)
        y = torch.sign(torch.randn(batch, 40))
        t0 = time.perf_counter()
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        opt.step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "maxRSSKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "baselineKiB": baseline,
        "msPerStep": statistics.median(times),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
