#!/usr/bin/python3
"""Reference values for GAN Lab's metric tests, computed independently with numpy/scipy.

Run with Debian's interpreter (numpy 1.24, scipy 1.10):

    /usr/bin/python3 environment/reference/make_metric_fixtures.py lib/src/test/resources/metrics

Everything is drawn from numpy's PCG64 generator with fixed seeds, so a rerun rewrites identical
files. What it writes (all arrays as .npy, values as JSON):

* features_a.npy, features_b.npy (300x32 float64), features_small.npy (20x32: fewer samples than
  dimensions, a singular covariance), features_near.npy (200x32, overlapping a) and reference.json with FID from scipy.linalg.sqrtm (the
  StyleGAN2-ADA formula), the unbiased KID estimate over the full sets (polynomial kernel
  (x.y/d + 1)^3) and improved precision/recall with k = 3 from scipy.spatial.distance.cdist.
* features_same.npy (250x32): a fresh draw with a's mixing matrix and a's sample mean, and
  reference["pr_a_same"]: improved precision/recall of (a, same) for k = 1, 3, 5 (a set against an
  independent sample of nearly its own distribution: values below 1 that depend on k).
* msssim_*.npy image pairs (uint8, N=2,C,H,W) and their MS-SSIM from a numpy transcription of the
  algorithm of tf.image.ssim_multiscale (TensorFlow is not installed here; this follows TF's
  documented semantics and its source: Gaussian window 11 / sigma 1.5 built as a softmax of squared
  offsets, 'VALID' filtering, compensation 1, contrast-structure at every scale but the last, SSIM at
  the last, relu on both, 2x2 average pooling after SYMMETRIC padding of odd sizes, product of
  powers per channel, mean over channels). Images too small for five scales use GAN Lab's
  documented policy: as many scales as keep every scale at least 11 pixels, weights of those scales
  renormalised to sum to 1.
* pyramid_image.npy and pyramid_level{0,1,2}.npy: the Laplacian pyramid of ProGAN's SWD
  (5x5 binomial kernel, scipy.ndimage.convolve mode='mirror', decimation by 2) of one 3x64x64 image.
* swd_real.npy, swd_fake.npy (uint8, 3x3x32x32 each), swd_corners_{real,fake}_level{0,1}.npy (the
  top-left corners (y0, x0) of 128 7x7 neighbourhoods per image, drawn separately per set, as
  float64), swd_dirs_level{0,1}.npy (4 x 147 x 128 unit directions, float32) and reference["swd"]:
  ProGAN's sliced Wasserstein distance per level (descriptors normalised per channel and set, sorted
  projections, mean absolute difference), unscaled, in float64, plus the normalised descriptors of
  the real set at level 0 (swd_desc_real_level0.npy).
* reference["swd_1d"]: closed forms of the 1-D case (W1 of N(0,1) to N(mu,1) is |mu|; to N(0,s^2)
  is |1 - s| sqrt(2/pi)).
"""
import json
import os
import sys

import numpy as np
import scipy.linalg
import scipy.ndimage
import scipy.signal
from scipy.spatial.distance import cdist

OUT = sys.argv[1] if len(sys.argv) > 1 else "lib/src/test/resources/metrics"
os.makedirs(OUT, exist_ok=True)


def save(name, arr):
    np.save(os.path.join(OUT, name), arr)


# ---------------------------------------------------------------- FID / KID / PR
def fid_scipy(x, y):
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)   # unbiased (N-1)
    covmean, _ = scipy.linalg.sqrtm(s1 @ s2, disp=False)
    return float(np.real(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean)))


def mmd2_unbiased(x, y):
    d = x.shape[1]
    m = x.shape[0]
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                 + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * kxy.mean())


def precision_recall(real, fake, k=3):
    def coverage(manifold, probes):
        d = cdist(manifold, manifold)
        radii = np.sort(d, axis=1)[:, k]          # column 0 is the point itself
        dp = cdist(probes, manifold)
        return float(np.mean(np.any(dp <= radii[None, :], axis=1)))
    return coverage(real, fake), coverage(fake, real)


rng = np.random.default_rng(20240611)
d = 32
mix_a = rng.normal(size=(d, d)) / np.sqrt(d)
mix_b = rng.normal(size=(d, d)) / np.sqrt(d) + 0.3 * np.eye(d)
a = rng.normal(size=(300, d)) @ mix_a + rng.normal(size=d)
b = rng.normal(size=(300, d)) @ mix_b + rng.normal(size=d) * 0.5
small = rng.normal(size=(20, d)) @ mix_b
# Overlapping with a (same mixing, shifted mean), so precision and recall fall strictly inside (0, 1).
near = rng.normal(size=(200, d)) @ mix_a + (a.mean(0) + 0.15)
save("features_a.npy", a)
save("features_b.npy", b)
save("features_small.npy", small)
save("features_near.npy", near)
prec, rec = precision_recall(a, near)
reference = {
    "fid_a_b": fid_scipy(a, b),
    "fid_a_small": fid_scipy(a, small),
    "fid_a_a": fid_scipy(a, a),
    "kid_a_b_full_set": mmd2_unbiased(a, b),
    "precision_a_near": prec,
    "recall_a_near": rec,
}

# A separate generator, so that the draws above (and the files made from them) stay as they were.
pr_rng = np.random.default_rng(53)
same = pr_rng.normal(size=(250, d)) @ mix_a + a.mean(0)
save("features_same.npy", same)
reference["pr_a_same"] = {}
for k in (1, 3, 5):
    def coverage_k(manifold, probes, k=k):
        dm = cdist(manifold, manifold)
        radii = np.sort(dm, axis=1)[:, k]
        return float(np.mean(np.any(cdist(probes, manifold) <= radii[None, :], axis=1)))
    reference["pr_a_same"]["k%d" % k] = {"precision": coverage_k(a, same), "recall": coverage_k(same, a)}

# ---------------------------------------------------------------- MS-SSIM (tf.image.ssim_multiscale)
TF_WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])


def tf_gauss(size=11, sigma=1.5):
    coords = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = coords ** 2 * (-0.5 / sigma ** 2)
    g2 = g[None, :] + g[:, None]
    e = np.exp(g2 - g2.max())
    return e / e.sum()


def ssim_per_channel(x, y, max_val=255.0, k1=0.01, k2=0.03):
    """x, y: (H, W) float64 for one channel. Returns (ssim, cs) means over the valid map."""
    kern = tf_gauss()

    def reducer(z):
        return scipy.signal.convolve2d(z, kern, mode="valid")   # kernel is symmetric

    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mean0, mean1 = reducer(x), reducer(y)
    num0 = mean0 * mean1 * 2.0
    den0 = mean0 ** 2 + mean1 ** 2
    luminance = (num0 + c1) / (den0 + c1)
    num1 = reducer(x * y) * 2.0
    den1 = reducer(x * x + y * y)
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    return float(np.mean(luminance * cs)), float(np.mean(cs))


def tf_downsample(z):
    h, w = z.shape
    z = np.pad(z, ((0, h % 2), (0, w % 2)), mode="symmetric")
    return 0.25 * (z[0::2, 0::2] + z[1::2, 0::2] + z[0::2, 1::2] + z[1::2, 1::2])


def scales_for(h, w, filt=11):
    s = 0
    while s < 5 and min(h, w) >= filt:
        s += 1
        h, w = (h + 1) // 2, (w + 1) // 2
    return s


def ms_ssim(img1, img2):
    """img: (C, H, W) uint8."""
    c, h, w = img1.shape
    s = scales_for(h, w)
    weights = TF_WEIGHTS[:s] if s == 5 else TF_WEIGHTS[:s] / TF_WEIGHTS[:s].sum()
    per_channel = []
    for ch in range(c):
        x = img1[ch].astype(np.float64)
        y = img2[ch].astype(np.float64)
        terms = []
        for k in range(s):
            if k > 0:
                x, y = tf_downsample(x), tf_downsample(y)
            ssim, cs = ssim_per_channel(x, y)
            terms.append(max(cs, 0.0) if k < s - 1 else max(ssim, 0.0))
        per_channel.append(np.prod(np.array(terms) ** weights))
    return float(np.mean(per_channel)), s


def smooth_image(rng, c, h, w):
    z = rng.normal(size=(c, h, w))
    z = scipy.ndimage.gaussian_filter(z, sigma=(0, 3, 3))
    z = (z - z.min()) / (z.max() - z.min())
    return np.clip(np.round(z * 235 + 10), 0, 255)


img_rng = np.random.default_rng(7)
pairs = {}
for name, (c, h, w) in {"rgb192": (3, 192, 192), "rgb64": (3, 64, 64), "grey28": (1, 28, 28),
                        "grey45x37": (1, 45, 37)}.items():
    base = smooth_image(img_rng, c, h, w)
    noisy = np.clip(base + img_rng.normal(scale=12.0, size=base.shape), 0, 255)
    pert = np.clip(np.round(0.85 * noisy + 20), 0, 255)
    pair = np.stack([base, pert]).astype(np.uint8)
    save("msssim_%s.npy" % name, pair)
    value, s = ms_ssim(pair[0], pair[1])
    pairs[name] = {"msssim": value, "scales": s}
# A pair whose structure is anti-correlated: contrast-structure goes negative and is clipped at 0.
base = smooth_image(img_rng, 1, 192, 192)
inv = np.stack([base, 255 - base]).astype(np.uint8)
save("msssim_inverted192.npy", inv)
value, s = ms_ssim(inv[0], inv[1])
pairs["inverted192"] = {"msssim": value, "scales": s}
reference["msssim"] = pairs

# ---------------------------------------------------------------- ProGAN SWD Laplacian pyramid
BINOMIAL = np.float64([[1, 4, 6, 4, 1], [4, 16, 24, 16, 4], [6, 24, 36, 24, 6],
                       [4, 16, 24, 16, 4], [1, 4, 6, 4, 1]]) / 256.0


def pyr_down(img):
    return np.stack([scipy.ndimage.convolve(ch, BINOMIAL, mode="mirror")[::2, ::2] for ch in img])


def pyr_up(img):
    c, h, w = img.shape
    up = np.zeros((c, 2 * h, 2 * w))
    up[:, ::2, ::2] = img
    return np.stack([scipy.ndimage.convolve(ch, BINOMIAL * 4.0, mode="mirror") for ch in up])


pyr_img = smooth_image(img_rng, 3, 64, 64) + img_rng.integers(0, 10, size=(3, 64, 64))
pyr_img = np.clip(pyr_img, 0, 255).astype(np.uint8)
save("pyramid_image.npy", pyr_img)
levels = [pyr_img.astype(np.float64)]
for _ in range(2):
    levels.append(pyr_down(levels[-1]))
    levels[-2] = levels[-2] - pyr_up(levels[-1])
for i, lv in enumerate(levels):
    save("pyramid_level%d.npy" % i, lv)

# ---------------------------------------------------------------- ProGAN SWD end to end (fixed draws)
NHOOD = 7
NHOODS_PER_IMAGE = 128


def laplacian_pyramid(img, levels):
    gauss = [img.astype(np.float64)]
    for _ in range(levels - 1):
        gauss.append(pyr_down(gauss[-1]))
    return [gauss[i] - pyr_up(gauss[i + 1]) for i in range(levels - 1)] + [gauss[-1]]


def swd_descriptors(images, level, levels, corners):
    """corners: (N * 128, 2) top-left (y0, x0); returns normalised (N * 128, C * 49) float64."""
    desc = []
    for i, img in enumerate(images):
        lv = laplacian_pyramid(img, levels)[level]
        for y0, x0 in corners[i * NHOODS_PER_IMAGE:(i + 1) * NHOODS_PER_IMAGE]:
            desc.append(lv[:, y0:y0 + NHOOD, x0:x0 + NHOOD])
    desc = np.stack(desc)                                   # (neighbourhood, channel, 7, 7)
    desc = desc - desc.mean(axis=(0, 2, 3), keepdims=True)
    desc = desc / desc.std(axis=(0, 2, 3), keepdims=True)
    return desc.reshape(desc.shape[0], -1)


def sliced_wasserstein(a, b, dirs):
    results = []
    for d in dirs.astype(np.float64):                       # (components, directions)
        pa = np.sort(a @ d, axis=0)
        pb = np.sort(b @ d, axis=0)
        results.append(np.mean(np.abs(pa - pb)))
    return float(np.mean(results))


swd_rng = np.random.default_rng(31)
swd_real = np.stack([smooth_image(swd_rng, 3, 32, 32) for _ in range(3)]).astype(np.uint8)
swd_fake = np.stack([np.clip(smooth_image(swd_rng, 3, 32, 32) + swd_rng.normal(scale=20.0, size=(3, 32, 32)),
                             0, 255) for _ in range(3)]).astype(np.uint8)
save("swd_real.npy", swd_real)
save("swd_fake.npy", swd_fake)
swd_levels = []
for level in range(2):
    side = 32 >> level
    corners = {}
    for name in ("real", "fake"):
        corners[name] = swd_rng.integers(0, side - NHOOD + 1, size=(3 * NHOODS_PER_IMAGE, 2))
        save("swd_corners_%s_level%d.npy" % (name, level), corners[name].astype(np.float64))
    dirs = swd_rng.normal(size=(4, 3 * NHOOD * NHOOD, 128))
    dirs = (dirs / np.sqrt(np.sum(dirs ** 2, axis=1, keepdims=True))).astype(np.float32)
    save("swd_dirs_level%d.npy" % level, dirs)
    da = swd_descriptors(swd_real, level, 2, corners["real"])
    db = swd_descriptors(swd_fake, level, 2, corners["fake"])
    if level == 0:
        save("swd_desc_real_level0.npy", da)
    swd_levels.append(sliced_wasserstein(da, db, dirs))
reference["swd"] = {"per_level": swd_levels}
reference["swd_1d"] = {"mean_shift_0.7": 0.7, "scale_1.5": 0.5 * float(np.sqrt(2 / np.pi))}

with open(os.path.join(OUT, "reference.json"), "w") as f:
    json.dump(reference, f, indent=2, sort_keys=True)
print(json.dumps(reference, indent=2, sort_keys=True))
