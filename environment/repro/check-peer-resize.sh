#!/usr/bin/env bash
# Checks that the Python peer resizes Fashion-MNIST exactly as GAN Lab does (area filter, rounded to
# 8 bits): the first 500 test images at 16, 20, 32 and 64 px through peer_data.resize_area and through
# dev.ganlab.data.Images.resize of the built jar, compared byte for byte.
#   environment/repro/check-peer-resize.sh      (needs lib/target/ganlab.jar and python3 with numpy)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
/usr/bin/python3 - "$ROOT" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1] + "/environment/bench")
import peer_data as P
x = P.read_idx_images("test")[:500]
open("in.bin", "wb").write(x.tobytes())
for s in (16, 20, 32, 64):
    open(f"py{s}.bin", "wb").write(P.resize_area(x, s).tobytes())
EOF
cat > Check.java <<'EOF'
import dev.ganlab.data.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

public class Check {
    public static void main(String[] a) throws Exception {
        byte[] in = Files.readAllBytes(Path.of("in.bin"));
        for (int s : new int[] {16, 20, 32, 64}) {
            byte[] out = new byte[500 * s * s];
            for (int i = 0; i < 500; i++) {
                byte[] r = Images.resize(Arrays.copyOfRange(in, i * 784, (i + 1) * 784), 1, 28, 28, s, s,
                        Images.Filter.AREA);
                System.arraycopy(r, 0, out, i * s * s, s * s);
            }
            Files.write(Path.of("java" + s + ".bin"), out);
        }
    }
}
EOF
java -cp "$ROOT/lib/target/ganlab.jar:$ROOT/lib/target/lib/*" Check.java
/usr/bin/python3 - <<'EOF'
import numpy as np
bad = 0
for s in (16, 20, 32, 64):
    p = np.fromfile(f"py{s}.bin", np.uint8).astype(int)
    j = np.fromfile(f"java{s}.bin", np.uint8).astype(int)
    diff = int((p != j).sum())
    bad += diff
    print(f"{s:3d} px: {p.size:8d} bytes, {diff} differ (max |difference| {int(np.abs(p - j).max())})")
raise SystemExit(1 if bad else 0)
EOF
