"""Python peer of `ganlab bench --op loader`: images/s of a PIL + torch DataLoader pipeline on a folder
of PNG/JPEG files, doing what GAN Lab's loader does per image: decode, convert to RGB, resize to the
training size (area filter: PIL's BOX, which averages the covered pixels as Images.Filter.AREA),
random horizontal flip, scale to [-1, 1] as float32 CHW, and batch.

    /usr/bin/python3 environment/bench/loader_peer.py --folder DIR --size 256 --batch 32 --workers 2 \
        --threads 2 [--images N]

The first batch (worker start-up) is not timed; the timed part is the rest of one pass over the files
in a seeded shuffled order. Prints one JSON line: images, seconds, imagesPerSecond, workers, versions.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

try:
    from PIL import Image
except ImportError:
    sys.exit("PIL is missing: apt-get install python3-pil (environment/bench/run-benchmarks.sh installs it)")
import torch
from torch.utils.data import DataLoader, Dataset


class FolderImages(Dataset):
    def __init__(self, files, size, seed):
        self.files = files
        self.size = size
        self.seed = seed

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        with Image.open(self.files[i]) as img:
            img = img.convert("RGB")
            if img.size != (self.size, self.size):
                img = img.resize((self.size, self.size), Image.BOX)
            a = np.asarray(img, dtype=np.uint8)
        if (hash((self.seed, i)) & 1) == 1:
            a = a[:, ::-1]
        x = torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))).float()
        return x.mul_(2.0 / 255.0).sub_(1.0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--folder", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--images", type=int, default=0, help="at most this many files (0 = all)")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    files = sorted(os.path.join(a.folder, f) for f in os.listdir(a.folder)
                   if f.lower().endswith((".png", ".jpg", ".jpeg")))
    if a.images:
        files = files[:a.images]
    if len(files) < 2 * a.batch:
        sys.exit(f"{a.folder}: {len(files)} files, need at least two batches of {a.batch}")
    g = torch.Generator()
    g.manual_seed(a.seed)
    loader = DataLoader(FolderImages(files, a.size, a.seed), batch_size=a.batch, shuffle=True, generator=g,
                        num_workers=a.workers, drop_last=True, persistent_workers=False)
    it = iter(loader)
    first = next(it)
    assert first.shape == (a.batch, 3, a.size, a.size), first.shape
    t0 = time.perf_counter()
    n = 0
    for b in it:
        n += b.shape[0]
    dt = time.perf_counter() - t0
    import PIL
    print(json.dumps({"images": n, "seconds": dt, "imagesPerSecond": n / dt, "workers": a.workers,
                      "batch": a.batch, "size": a.size, "torch": torch.__version__, "pil": PIL.__version__}))


if __name__ == "__main__":
    main()
