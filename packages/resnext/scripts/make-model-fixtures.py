#!/usr/bin/python3
"""Golden fixtures for @celeba/resnext's model tests, built with torchvision.

Usage (Debian's python3 with python3-torch and python3-torchvision):
  /usr/bin/python3 scripts/make-model-fixtures.py            # small models -> fixtures/
  /usr/bin/python3 scripts/make-model-fixtures.py --resnext50 OUTDIR
      # resnext50_32x4d in .pth (zip), legacy .pth and .safetensors + io.json, for the big test

Every model is built from torchvision.models.resnet.ResNet/_make_layer/Bottleneck/BasicBlock
(forward unchanged), initialised with a fixed seed, and its BatchNorm statistics are
calibrated on image-like inputs (cumulative average, momentum=None) so that outputs depend on
the input. Test inputs come from a closed-form formula (`test_input`) that the TypeScript tests
recompute, so no input tensors need to be committed.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models import resnet as tvr

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")


class SpecResNet(tvr.ResNet):
    """torchvision's ResNet with a configurable stem width and per-stage planes.

    torchvision hard-codes 64 and [64, 128, 256, 512]; everything else (blocks, _make_layer,
    init, forward) is torchvision's own code.
    """

    def __init__(self, block, layers, stem, planes, groups, width_per_group, num_classes):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = stem
        self.dilation = 1
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, stem, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, planes[0], layers[0])
        self.layer2 = self._make_layer(block, planes[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, planes[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, planes[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(planes[3] * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


def resnext_tiny(num_classes):
    # Must match ARCHITECTURES.resnext_tiny in src/architectures.ts.
    return SpecResNet(tvr.Bottleneck, [1, 1, 1, 1], 8, [8, 16, 32, 64], 4, 16, num_classes)


def resnet18_mini(num_classes):
    # resnet18's layout (BasicBlock, [2, 2, 2, 2]) at reduced width.
    return SpecResNet(tvr.BasicBlock, [2, 2, 2, 2], 8, [4, 8, 16, 32], 1, 64, num_classes)


def test_input(n, h, w):
    """NCHW float32; the TypeScript tests compute the same formula (test/golden-input.ts)."""
    ni, ci, hi, wi = np.meshgrid(
        np.arange(n), np.arange(3), np.arange(h), np.arange(w), indexing="ij"
    )
    ni = ni.astype(np.float64)
    ci = ci.astype(np.float64)
    hi = hi.astype(np.float64)
    wi = wi.astype(np.float64)
    x = (
        0.8 * np.sin(0.37 * hi * (ci + 1) / (ni + 1) + 0.23 * wi + ni)
        + 0.5 * np.cos(0.11 * wi * (ci + 2) - 0.19 * hi)
        + 0.1 * (ci - 1)
    )
    return torch.from_numpy(x.astype(np.float32))


def test_target(n, k):
    t = [[1.0 if (i * 7 + j * 3) % 5 < 2 else -1.0 for j in range(k)] for i in range(n)]
    return torch.tensor(t, dtype=torch.float32)


def calibrate(model, gen, shape, batches):
    """Randomise BN affine params and set running stats from image-like batches."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.normal_(0.0, 0.1, generator=gen)
                m.reset_running_stats()
                m.momentum = None
        model.train()
        n, c, h, w = shape
        for _ in range(batches):
            low = torch.randn(n, c, max(1, h // 8), max(1, w // 8), generator=gen)
            x = F.interpolate(low, size=(h, w), mode="bilinear", align_corners=False)
            x = x + 0.1 * torch.randn(n, c, h, w, generator=gen)
            model(x)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = 0.1
    model.eval()


ST_DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.float16: "F16"}


def write_safetensors(path, tensors, metadata=None):
    """A minimal safetensors writer (the pip module is not packaged for Debian)."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {
            "dtype": ST_DTYPES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    os.replace(tmp, path)


def nchw(nhw):
    n, h, w = nhw
    return [n, 3, h, w]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def small_model_fixtures(name, build, num_classes, eval_shape, train_shape, grads):
    torch.manual_seed(0)
    model = build(num_classes)
    gen = torch.Generator().manual_seed(1)
    calibrate(model, gen, (4, 3, eval_shape[1], eval_shape[2]), 4)
    sd = model.state_dict()
    write_safetensors(
        os.path.join(FIXTURES, f"{name}.safetensors"), sd, {"source": "make-model-fixtures.py"}
    )

    xe = test_input(*eval_shape)
    with torch.no_grad():
        eval_out = model(xe)

    # Train mode: a forward + MSE backward, gradients of layer4.* and fc.*, and BN stats after.
    model.train()
    xt = test_input(*train_shape)
    out = model(xt)
    loss = F.mse_loss(out, test_target(train_shape[0], num_classes))
    loss.backward()
    after = {}
    grad_tensors = {}
    for key, buf in model.named_buffers():
        after[f"after.{key}"] = buf
    if grads:
        for key, p in model.named_parameters():
            if key.startswith("layer4.") or key.startswith("fc."):
                grad_tensors[f"grad.{key}"] = p.grad
    write_safetensors(
        os.path.join(FIXTURES, f"{name}-train.safetensors"), {**grad_tensors, **after}
    )
    write_json(
        os.path.join(FIXTURES, f"{name}.json"),
        {
            "model": name,
            "numClasses": num_classes,
            "eval": {"inputShapeNCHW": nchw(eval_shape), "output": flat(eval_out)},
            "train": {
                "inputShapeNCHW": nchw(train_shape),
                "output": flat(out),
                "loss": float(loss),
            },
            "torch": torch.__version__,
        },
    )


def arch_shapes():
    """Per architecture: parameter count and a digest of every state_dict key and shape."""
    import hashlib

    import torchvision

    names = [
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
        "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
    ]
    out = {}
    builders = {n: getattr(torchvision.models, n) for n in names}
    builders["resnext_tiny"] = lambda: resnext_tiny(1000)
    builders["resnet18_mini"] = lambda: resnet18_mini(1000)
    for name, build in builders.items():
        with torch.device("meta") if hasattr(torch, "device") and hasattr(torch.device, "__enter__") else _nullctx():
            model = build()
        sd = model.state_dict()
        text = "".join(f"{k}\t{','.join(str(d) for d in v.shape)}\n" for k, v in sd.items())
        out[name] = {
            "keys": len(sd),
            "parameters": sum(p.numel() for p in model.parameters()),
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        }
    write_json(os.path.join(FIXTURES, "arch-shapes.json"), out)


class _nullctx:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def resnext50_fixtures(outdir):
    import torchvision

    torch.manual_seed(0)
    model = torchvision.models.resnext50_32x4d()
    gen = torch.Generator().manual_seed(1)
    calibrate(model, gen, (2, 3, 96, 80), 3)
    sd = model.state_dict()
    os.makedirs(outdir, exist_ok=True)
    torch.save(sd, os.path.join(outdir, "resnext50_32x4d.pth"))
    torch.save(
        sd,
        os.path.join(outdir, "resnext50_32x4d-legacy.pth"),
        _use_new_zipfile_serialization=False,
    )
    write_safetensors(os.path.join(outdir, "resnext50_32x4d.safetensors"), sd)
    shape = (1, 160, 128)
    with torch.no_grad():
        out = model(test_input(*shape))
    write_json(
        os.path.join(outdir, "io.json"),
        {"inputShapeNCHW": nchw(shape), "output": flat(out)},
    )


def main():
    torch.set_num_threads(1)
    if len(sys.argv) >= 3 and sys.argv[1] == "--resnext50":
        resnext50_fixtures(sys.argv[2])
        return
    os.makedirs(FIXTURES, exist_ok=True)
    arch_shapes()
    small_model_fixtures("resnext_tiny", resnext_tiny, 10, (2, 67, 53), (3, 48, 40), True)
    small_model_fixtures("resnet18_mini", resnet18_mini, 7, (2, 64, 48), (3, 40, 32), False)


if __name__ == "__main__":
    main()
