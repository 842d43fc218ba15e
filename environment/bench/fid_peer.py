#!/usr/bin/python3
"""Reference peer for `ganlab bench --op fid`: the Frechet distance between the same two Gaussians
(mean and covariance written by the Java side as float64 .npy files) by scipy and numpy, timed the
same way, so the figures compare equal work on the same machine at the same time.

Routes, each timed from the statistics to the number:
* scipy: scipy.linalg.sqrtm(S1 @ S2) as in pytorch-fid and StyleGAN2-ADA's metric code (the value
  GAN Lab is checked against);
* numpy eigh: S1 = V diag(l) V^T, R = V diag(sqrt l) V^T, sum of sqrt of eigvalsh(R S2 R);
* numpy cholesky: S1 = L L^T, sum of sqrt of eigvalsh(L^T S2 L) (GAN Lab's route, on LAPACK).

    fid_peer.py DIR --repeat 3 --threads 2

DIR holds mu1.npy, cov1.npy, mu2.npy, cov2.npy. Prints one JSON line last. BLAS threads are set by the
caller through OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS before numpy loads.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np


def fid_scipy(mu1, s1, mu2, s2):
    import scipy.linalg
    covmean, _ = scipy.linalg.sqrtm(s1 @ s2, disp=False)
    return float(np.real(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)))


def fid_eigh(mu1, s1, mu2, s2):
    lam, v = np.linalg.eigh(s1)
    r = (v * np.sqrt(np.clip(lam, 0, None))) @ v.T
    ev = np.linalg.eigvalsh(r @ s2 @ r)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.sum(np.sqrt(np.clip(ev, 0, None))))


def fid_cholesky(mu1, s1, mu2, s2):
    lower = np.linalg.cholesky(s1)
    ev = np.linalg.eigvalsh(lower.T @ s2 @ lower)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.sum(np.sqrt(np.clip(ev, 0, None))))


def timed(fn, args, repeat):
    seconds = []
    value = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn(*args)
        seconds.append(time.perf_counter() - t0)
    return {"value": value, "seconds": seconds, "median": statistics.median(seconds)}


def blas_name():
    try:
        info = np.__config__.blas_opt_info  # numpy < 1.26
        return ",".join(info.get("libraries", [])) or "unknown"
    except AttributeError:
        return "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    load = lambda name: np.load(os.path.join(a.dir, name))
    args = (load("mu1.npy"), load("cov1.npy"), load("mu2.npy"), load("cov2.npy"))
    out = {"numpy": np.__version__, "blas": blas_name(), "threads": a.threads}
    try:
        import scipy
        out["scipy_version"] = scipy.__version__
        out["scipy"] = timed(fid_scipy, args, a.repeat)
    except ImportError as e:
        out["scipy_missing"] = str(e)
    out["numpy_eigh"] = timed(fid_eigh, args, a.repeat)
    out["numpy_cholesky"] = timed(fid_cholesky, args, a.repeat)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
