"""Golden predictions for `reference predict --raw`: torchvision's own model on PNG images.

  /usr/bin/python3 scripts/torchvision-predict.py WEIGHTS.pth OUTDIR [COUNT] [WIDTH] [HEIGHT]

Writes COUNT seeded PNG images (lossless, so both sides decode the same pixels) to
OUTDIR/images and, in OUTDIR/predictions.json, torchvision's resnext50_32x4d outputs for them
after the seed's evaluation transform (ToTensor + ImageNet Normalize, no resize).
"""

import json
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms


def image(rng, width, height):
    # Smooth shapes plus noise: features vary across the image, so outputs differ per image.
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    channels = []
    for _ in range(3):
        fx, fy, phase = rng.uniform(0.02, 0.2), rng.uniform(0.02, 0.2), rng.uniform(0, 6.28)
        channels.append(0.5 + 0.35 * np.sin(fx * x + phase) * np.cos(fy * y))
    rgb = np.stack(channels, axis=-1) + rng.normal(0, 0.08, (height, width, 3))
    return Image.fromarray((np.clip(rgb, 0, 1) * 255).round().astype(np.uint8), "RGB")


def main():
    weights, outdir = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    width = int(sys.argv[4]) if len(sys.argv) > 4 else 128
    height = int(sys.argv[5]) if len(sys.argv) > 5 else 160
    torch.set_num_threads(1)
    model = torchvision.models.resnext50_32x4d()
    model.load_state_dict(torch.load(weights))
    model.eval()
    to_input = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]
    )
    rng = np.random.RandomState(5)
    os.makedirs(os.path.join(outdir, "images"), exist_ok=True)
    outputs = {}
    for i in range(count):
        name = f"{i:06d}.png"
        path = os.path.join(outdir, "images", name)
        image(rng, width, height).save(path)
        # Read back from the file, exactly as the CLI will.
        x = to_input(Image.open(path).convert("RGB")).unsqueeze(0)
        with torch.no_grad():
            outputs[name] = [float(v) for v in model(x)[0].tolist()]
    with open(os.path.join(outdir, "predictions.json"), "w") as f:
        json.dump({"torch": torch.__version__, "outputs": outputs}, f)


if __name__ == "__main__":
    main()
