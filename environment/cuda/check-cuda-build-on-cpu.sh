#!/usr/bin/env bash
# Checks that the CUDA build (mvn -Pcuda package: CUDA 12.1 libtorch + the CPU one beside it) runs on a
# machine without CUDA: `info` names the natives it loaded and why, and a short training run and
# sampling work on the CPU. Builds in a temporary copy of the committed tree, so lib/target stays as it is.
# Needs the 2.5 GB pytorch-native-cu121 jar from Maven (downloaded once into ~/.m2).
#
#   environment/cuda/check-cuda-build-on-cpu.sh [WORKDIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${1:-$(mktemp -d /tmp/ganlab-cuda-check.XXXXXX)}"
mkdir -p "$WORK/src"
say() { echo "[cuda-check] $*"; }

say "copying the committed tree to $WORK/src"
(cd "$ROOT" && git archive HEAD) | tar -x -C "$WORK/src"
say "mvn -Pcuda package -DskipTests"
(cd "$WORK/src" && mvn -q -B -Dstyle.color=never -Pcuda package -DskipTests)
JAR="$WORK/src/lib/target/ganlab.jar"
ls "$WORK/src/lib/target/lib" | grep pytorch-native | sed 's/^/[cuda-check] bundled: /'

say "ganlab info"
java -jar "$JAR" info | tee "$WORK/info.txt"
grep -q "natives     cpu libtorch (bundled: " "$WORK/info.txt" || { say "FAIL: info does not report the CPU natives"; exit 1; }

say "ganlab train (dcgan, 3 steps, CPU)"
java -jar "$JAR" train --model dcgan --data fashion-mnist --steps 3 --out "$WORK/run" \
  --set sampleEvery=3 --set eval.metrics= 2>&1 | tee "$WORK/train.txt"
grep -q '"finished"' "$WORK/run/status.json" || { say "FAIL: the run did not finish"; exit 1; }

say "ganlab sample"
java -jar "$JAR" sample --run "$WORK/run" --n 16 --out "$WORK/samples"
n=$(ls "$WORK/samples" | wc -l)
[ "$n" -ge 16 ] || { say "FAIL: $n samples written"; exit 1; }
say "OK: the CUDA build trained and sampled on the CPU ($n files in $WORK/samples)"
