"""Generates the golden fixtures of @celeba/train with PyTorch (Debian's torch 1.13).

Run: /usr/bin/python3 scripts/make-fixtures.py   (from packages/train)
Writes fixtures/losses.json and fixtures/optimizers.json (small, committed).
The resnext_tiny training-step fixture is made by scripts/make-step-fixture.py.
"""
import json
import os

import torch

torch.manual_seed(0)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")
os.makedirs(OUT, exist_ok=True)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def losses():
    cases = []
    for name, shape, scale in [("small", (4, 5), 1.0), ("wide", (3, 40), 3.0), ("extreme", (2, 6), 40.0)]:
        scores = (torch.randn(*shape) * scale).float()
        targets = torch.where(torch.rand(*shape) < 0.4, 1.0, -1.0).float()
        case = {"name": name, "shape": list(shape), "scores": flat(scores), "targets": flat(targets)}
        fns = {
            "mse": lambda s, t: torch.nn.MSELoss()(s, t),
            "l1": lambda s, t: torch.nn.L1Loss()(s, t),
            "bce": lambda s, t: torch.nn.BCEWithLogitsLoss()(s, (t + 1) / 2),
        }
        for key, fn in fns.items():
            s = scores.clone().requires_grad_(True)
            loss = fn(s, targets)
            loss.backward()
            case[key] = float(loss)
            case[key + "_grad"] = flat(s.grad)
        cases.append(case)
    return cases


def run_optimizer(cls, kwargs, steps=6, zero_step=3):
    torch.manual_seed(1)
    shapes = [(3, 4), (5,)]
    params = [torch.randn(*s).float().requires_grad_(True) for s in shapes]
    init = [flat(p) for p in params]
    opt = cls(params, **kwargs)
    grads_log, after = [], []
    for step in range(steps):
        grads = []
        for p in params:
            g = torch.zeros_like(p) if step == zero_step else torch.randn_like(p) * (0.1 + step)
            p.grad = g.clone()
            grads.append(flat(g))
        opt.step()
        grads_log.append(grads)
        after.append([flat(p) for p in params])
    state = []
    for p in params:
        st = opt.state[p]
        state.append({k: (float(v) if v.dim() == 0 else flat(v)) for k, v in st.items() if torch.is_tensor(v)})
    return {
        "config": kwargs,
        "shapes": [list(s) for s in shapes],
        "init": init,
        "grads": grads_log,
        "after": after,
        "state": state,
    }


def optimizers():
    return {
        "adamax": [
            run_optimizer(torch.optim.Adamax, {}),
            run_optimizer(torch.optim.Adamax, {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.05}),
        ],
        "adam": [
            run_optimizer(torch.optim.Adam, {}),
            run_optimizer(torch.optim.Adam, {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.05, "amsgrad": True}),
        ],
        "sgd": [
            run_optimizer(torch.optim.SGD, {"lr": 0.1}),
            run_optimizer(torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
            run_optimizer(torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
            run_optimizer(torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.02}),
        ],
    }


def dump(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump({"torch": torch.__version__, **obj}, f, separators=(",", ":"))
        f.write("\n")


dump("losses.json", {"cases": losses()})
dump("optimizers.json", optimizers())
print("wrote fixtures/losses.json, fixtures/optimizers.json")
