#!/usr/bin/python3
"""Reference for `pnpm bench`: Pillow's decode, Image.open(f).convert("RGB"), one thread.

Usage: /usr/bin/python3 bench/pil_decode.py <celeba root> <count> <repeats>
Prints one JSON line: {"images_per_cpu_s": R, "pillow": version}. The files are read into memory first,
so only decoding is timed (CPU time, the median of the repeats), as on the Node side.
"""
import io
import json
import os
import statistics
import sys
import time

from PIL import Image


def main():
    root, count, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    folder = os.path.join(root, "img_align_celeba")
    names = sorted(os.listdir(folder))[:count]
    blobs = []
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            blobs.append(f.read())
    for blob in blobs[:20]:
        Image.open(io.BytesIO(blob)).convert("RGB")
    rates = []
    for _ in range(repeats):
        start = time.process_time()
        for blob in blobs:
            Image.open(io.BytesIO(blob)).convert("RGB").tobytes()
        rates.append(len(blobs) / (time.process_time() - start))
    print(json.dumps({"images_per_cpu_s": statistics.median(rates), "pillow": Image.__version__}))


if __name__ == "__main__":
    main()
