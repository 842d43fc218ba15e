# One convolution with gradients through Debian's python3-torch, timed: the peer of ConvBench.java (conv-vs-peer.sh).
import sys, time, torch
torch.set_num_threads(2)
n, c, r, reps = map(int, sys.argv[1:5])
x = torch.randn(n, c, r, r, requires_grad=True)
w = (torch.randn(c, c, 3, 3) * 0.01).requires_grad_()
fw, al = [], []
for i in range(reps + 2):
    t0 = time.perf_counter()
    y = torch.nn.functional.conv2d(x, w, padding=1)
    float(y[0, 0, 0, 0])
    t1 = time.perf_counter()
    y.sum().backward()
    float(w.grad[0, 0, 0, 0]); w.grad = None; x.grad = None
    t2 = time.perf_counter()
    if i >= 2:
        fw.append((t1 - t0) * 1e3); al.append((t2 - t0) * 1e3)
fw.sort(); al.sort()
print(f"torch {torch.__version__} n={n} c={c} r={r}: forward {fw[reps//2]:.1f} ms, forward+backward {al[reps//2]:.1f} ms (medians of {reps})")
