#!/usr/bin/python3
"""Reference for `pnpm bench`: a torchvision DataLoader with PIL and the paper's training transforms.

Usage: /usr/bin/python3 bench/torch_loader.py <celeba root> <batch size> <num_workers> <epochs>
Prints one JSON line: {"images": N, "seconds": S, "images_per_s": R, ...}. Timing starts when the first
batch arrives (worker start-up excluded), as the Node side does.
"""
import json
import os
import sys
import time

import torch
import torchvision.transforms as T
from PIL import Image
from torch.utils.data import DataLoader, Dataset


class CelebA(Dataset):
    def __init__(self, root):
        with open(os.path.join(root, "list_attr_celeba.txt")) as f:
            lines = f.read().split("\n")
        rows = [line.split() for line in lines[2:] if line.strip()]
        self.images = os.path.join(root, "img_align_celeba")
        self.ids = [r[0] for r in rows]
        self.labels = torch.tensor([[int(v) for v in r[1:]] for r in rows], dtype=torch.float32)
        # The paper's pipeline: flip, resize to 220x270 (w x h), random crop back to 178x218, tensor, normalise.
        self.transform = T.Compose(
            [
                T.RandomHorizontalFlip(),
                T.Resize((270, 220)),
                T.RandomCrop((218, 178)),
                T.ToTensor(),
                T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
            ]
        )

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        img = Image.open(os.path.join(self.images, self.ids[i])).convert("RGB")
        return self.transform(img), self.labels[i]


def main():
    root, batch_size, workers, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.manual_seed(0)
    loader = DataLoader(CelebA(root), batch_size=batch_size, shuffle=True, num_workers=workers)
    images = 0
    seconds = 0.0
    for _ in range(epochs):
        start = None
        for x, _y in loader:
            if start is None:
                start = time.perf_counter()
                continue
            images += x.shape[0]
        seconds += time.perf_counter() - start
    print(
        json.dumps(
            {
                "images": images,
                "seconds": seconds,
                "images_per_s": images / seconds,
                "num_workers": workers,
                "torch": torch.__version__,
                "torchvision": __import__("torchvision").__version__,
                "pillow": Image.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
