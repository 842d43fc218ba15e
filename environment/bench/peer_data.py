"""Data and image files for the Python DCGAN peer (dcgan_peer.py --train / --sample), written to
match what GAN Lab does with the same files:

* Fashion-MNIST from the Debian package's idx files (dev.ganlab.data.IdxReader, Datasets.loadIdx);
* resizing to another square size with GAN Lab's area filter (dev.ganlab.data.Images.resize with
  Filter.AREA: separable, rows then columns, each output pixel the overlap-weighted mean of the input
  pixels it covers, rounded half up to 8 bits) - used only when the size differs from 28;
* scaling to [-1, 1] as ImageDataset.copyScaled: v * (2 / 255) - 1 in float32;
* the data order as BatchSampler: the epochs concatenated, each a fresh seeded permutation (the
  permutations themselves come from NumPy, not from GAN Lab's SplittableRandom: same law, other draw);
* generated images back to 8 bits as ImageDataset.fromTensor: round((x + 1) * 127.5) half up,
  clamped to 0..255, written as 8-bit grey PNG files, which `ganlab metrics --fake DIR` reads.
"""
import gzip
import os
import struct
import zlib

import numpy as np

FASHION_MNIST = os.environ.get("GANLAB_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")


def _open(path):
    for p in (path, path + ".gz"):
        if os.path.exists(p):
            return gzip.open(p, "rb") if p.endswith(".gz") else open(p, "rb")
    raise SystemExit(f"no idx file {path}[.gz] (install dataset-fashion-mnist or set GANLAB_FASHION_MNIST)")


def read_idx_images(split="train", folder=FASHION_MNIST):
    """The split's images as uint8 (N, H, W)."""
    prefix = {"train": "train", "test": "t10k"}[split]
    with _open(os.path.join(folder, prefix + "-images-idx3-ubyte")) as fh:
        magic, n, h, w = struct.unpack(">IIII", fh.read(16))
        if magic != 0x803:
            raise SystemExit(f"{folder}/{prefix}-images-idx3-ubyte: magic 0x{magic:08x} is not an idx image file")
        data = np.frombuffer(fh.read(n * h * w), dtype=np.uint8)
    if data.size != n * h * w:
        raise SystemExit(f"{folder}/{prefix}-images-idx3-ubyte: truncated ({data.size} of {n * h * w} bytes)")
    return data.reshape(n, h, w)


def _area_weights(n_in, n_out):
    """(n_out, n_in) matrix of GAN Lab's area-filter weights along one axis."""
    m = np.zeros((n_out, n_in), dtype=np.float64)
    scale = n_in / n_out
    for i in range(n_out):
        a, b = i * scale, (i + 1) * scale
        j0, j1 = int(np.floor(a)), min(n_in, int(np.ceil(b)))
        for j in range(j0, j1):
            m[i, j] = max(0.0, min(b, j + 1) - max(a, j))
        m[i] /= m[i].sum()
    return m.astype(np.float32)


def resize_area(images, size):
    """uint8 (N, H, W) -> uint8 (N, size, size) with GAN Lab's area filter, rounding half up."""
    n, h, w = images.shape
    if h == size and w == size:
        return images
    wx, wy = _area_weights(w, size), _area_weights(h, size)
    x = images.astype(np.float32)
    rows = x @ wx.T                          # (N, H, size): rows first, as GAN Lab
    out = np.einsum("yh,nhx->nyx", wy, rows)  # then columns
    return np.clip(np.floor(out + 0.5), 0, 255).astype(np.uint8)


def to_symmetric(images):
    """uint8 (N, H, W) -> float32 (N, 1, H, W) in [-1, 1], as ImageDataset.copyScaled."""
    return (images.astype(np.float32) * np.float32(2.0 / 255.0) - np.float32(1.0))[:, None]


class EpochOrder:
    """Which image sits at each absolute position: epochs concatenated, each a seeded permutation."""

    def __init__(self, n, seed):
        self.n, self.seed = n, seed
        self._epoch, self._perm = -1, None

    def indices(self, position, count):
        out = np.empty(count, dtype=np.int64)
        for k in range(count):
            p = position + k
            epoch = p // self.n
            if epoch != self._epoch:
                self._perm = np.random.default_rng([self.seed, epoch]).permutation(self.n)
                self._epoch = epoch
            out[k] = self._perm[p % self.n]
        return out


def to_uint8(x):
    """float (N, 1, H, W) in [-1, 1] -> uint8 (N, H, W), as ImageDataset.fromTensor."""
    q = np.floor((np.asarray(x, dtype=np.float32)[:, 0] + np.float32(1)) * np.float32(127.5) + np.float32(0.5))
    return np.clip(np.nan_to_num(q, nan=0.0), 0, 255).astype(np.uint8)


def write_png(path, grey):
    """One uint8 (H, W) array as an 8-bit greyscale PNG."""
    h, w = grey.shape
    raw = b"".join(b"\x00" + grey[y].tobytes() for y in range(h))  # filter type 0 on every row

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    with open(path, "wb") as fh:
        fh.write(png)


def grid(images, cols=8, pad=2, background=255):
    """uint8 (N, H, W) -> one uint8 picture of the images in rows of `cols`, `pad` pixels apart."""
    n, h, w = images.shape
    rows = (n + cols - 1) // cols
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad), background, dtype=np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        out[pad + r * (h + pad):pad + r * (h + pad) + h, pad + c * (w + pad):pad + c * (w + pad) + w] = images[i]
    return out
