"""Golden fixture for one training step of resnext_tiny, the paper's procedure in PyTorch.

Run: /usr/bin/python3 scripts/make-step-fixture.py   (from packages/train; needs packages/resnext/scripts)

The architecture comes from packages/resnext/scripts/make-model-fixtures.py (torchvision's own
ResNet/Bottleneck code at reduced width). Initial weights and inputs are closed-form formulas
(also implemented in test/step-fixture.ts) so that only the weights after the step are stored:
fixtures/resnext-tiny-step.safetensors (+ .json with losses and outputs).

Procedure (the paper's): model.train(); first 6 children frozen (requires_grad=False, BN still in
train mode so their running stats update); Adamax(lr=0.002) over the unfrozen parameters;
two steps of MSE loss on +-1 targets.
"""
import importlib.util
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "make_model_fixtures", os.path.join(HERE, "..", "..", "resnext", "scripts", "make-model-fixtures.py")
)
mmf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mmf)

NUM_CLASSES = 40
N, H, W = 4, 48, 40


def init_value(key, index, shape):
    """Closed-form initial value of state_dict entry number `index` (float64, then float32)."""
    size = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(size, dtype=np.float64)
    s = np.sin(0.7 * i + 1.3 * index + 0.5)
    if key.endswith("num_batches_tracked"):
        return np.zeros(shape, dtype=np.int64)
    if key.endswith("running_mean"):
        v = 0.1 * s
    elif key.endswith("running_var"):
        v = 1.0 + 0.25 * (s + 1.0)
    elif len(shape) == 1 and key.endswith("weight"):
        v = 1.0 + 0.2 * s
    elif key.endswith("bias"):
        v = 0.05 * s
    else:
        fan_in = int(np.prod(shape[1:]))
        v = math.sqrt(3.0 / fan_in) * s
    return v.astype(np.float32).reshape(shape)


def main():
    model = mmf.resnext_tiny(NUM_CLASSES)
    sd = model.state_dict()
    init = {k: torch.from_numpy(init_value(k, idx, list(t.shape))) for idx, (k, t) in enumerate(sd.items())}
    model.load_state_dict(init)
    for child in list(model.children())[:6]:
        for p in child.parameters():
            p.requires_grad = False
    model.train()
    x = mmf.test_input(N, H, W)
    y = mmf.test_target(N, NUM_CLASSES)
    opt = torch.optim.Adamax([p for p in model.parameters() if p.requires_grad], lr=0.002)
    losses, outputs = [], []
    for _ in range(2):
        opt.zero_grad()
        out = model(x)
        loss = F.mse_loss(out, y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
        outputs.append(mmf.flat(out))
    out_dir = os.path.join(HERE, "..", "fixtures")
    mmf.write_safetensors(
        os.path.join(out_dir, "resnext-tiny-step.safetensors"),
        model.state_dict(),
        {"source": "scripts/make-step-fixture.py", "torch": torch.__version__},
    )
    trainable = [k for k, p in model.named_parameters() if p.requires_grad]
    mmf.write_json(
        os.path.join(out_dir, "resnext-tiny-step.json"),
        {
            "numClasses": NUM_CLASSES,
            "inputShapeNCHW": [N, 3, H, W],
            "frozenChildren": 6,
            "lr": 0.002,
            "losses": losses,
            "outputs": outputs,
            "trainable": trainable,
            "torch": torch.__version__,
        },
    )
    print("losses", losses, "trainable", len(trainable))


if __name__ == "__main__":
    main()
