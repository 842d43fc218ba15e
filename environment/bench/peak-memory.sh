#!/usr/bin/env bash
# Peak resident memory of `ganlab train` per model and resolution (issue 18, item 4), next to the
# pre-run estimate (`ganlab train ... --estimate-memory`). Prints a markdown table on stdout.
#   environment/bench/peak-memory.sh [JAR] [ROWS...]     ROWS like "fastgan 256 8 3" (model, px, batch, steps;
#                                                         batch "-" = the model's own, per resolution for ProGAN;
#                                                         then any KEY=VALUE settings, e.g. sampleCount=8)
# How memory is measured: the training JVM itself (GANLAB_RELAUNCHED=1 with TCMalloc preloaded here, so
# no child JVM is started), its VmHWM (peak resident set, bytes the kernel counted as resident: Java
# heap, engine tensors, allocator caches) read from /proc/PID/status every 0.2 s; the last reading
# before exit is the peak. The JVM's heap is capped (-Xmx2g, JAVA_HEAP=1g to change) so it does not grow into the figure.
# Every run is capped: RLIMIT_AS (prlimit) and a watchdog that kills the run (its own pid) once VmRSS
# passes CAP_GB (default 10), so a run that would not fit never pushes other work into the OOM killer;
# such a row shows "> CAP (killed)". GB here are 10^9 bytes, as the estimate's (VmHWM is in KiB).
# The watchdog is a shell loop: under nice on a loaded machine it can lag (run it at normal priority there).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="${1:-$ROOT/lib/target/ganlab.jar}"
shift || true
CAP_GB="${CAP_GB:-10}"
JAVA_HEAP="${JAVA_HEAP:-2g}"   # the JVM heap cap of the measured runs (its heap grows to the cap before collecting)
WORK="${WORK:-$ROOT/build/bench/memory}"
IMAGES="$WORK/images-1024"
mkdir -p "$WORK"
if [ ! -d "$IMAGES" ]; then
  java "$ROOT/environment/bench/MakeImageFolder.java" \
    "$ROOT/data/node_modules/emoji-datasource-google/img/google/64" "$IMAGES" 40 1024 jpg >&2
fi
TCMALLOC="${GANLAB_TCMALLOC:-/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4}"
ROWS=("$@")
if [ ${#ROWS[@]} -eq 0 ]; then
  ROWS=("dcgan 64 - 3"
        "progan 64 - 3" "progan 128 - 3" "progan 256 - 2" "progan 512 - 2" "progan 1024 - 1"
        "fastgan 64 8 3" "fastgan 128 8 3" "fastgan 256 8 3" "fastgan 512 8 2" "fastgan 1024 8 1")
fi

# args for `ganlab train` of one row
train_args() {
  local model=$1 res=$2 batch=$3 steps=$4 out=$5
  shift 5
  local a=(train --model "$model" --data "folder:$IMAGES" --resolution "$res" --steps "$steps" --out "$out")
  for kv in "$@"; do a+=(--set "$kv"); done
  [ "$batch" != "-" ] && a+=(--batch "$batch")
  # ProGAN straight at the resolution (its per-resolution minibatch applies); no checkpoint mid-run
  [ "$model" = progan ] && a+=(--set "progan.startResolution=$res")
  echo "${a[@]}"
}

echo "| model | px | batch | steps | settings | estimate (GB) | peak VmHWM (GB) | estimate / peak |"
echo "|---|---:|---:|---:|---|---:|---:|---:|"
for row in "${ROWS[@]}"; do
  read -r model res batch steps sets <<<"$row"
  tag=$(echo "$model-$res-$batch-$sets" | tr -c 'a-zA-Z0-9-' '_')
  out="$WORK/run-$tag"
  rm -rf "$out"
  args=$(train_args "$model" "$res" "$batch" "$steps" "$out" $sets)
  est=$(java -Xmx"$JAVA_HEAP" -jar "$JAR" $args --estimate-memory 2>&1 | sed -n 's/.*needs about \([0-9.]*\) GB.*/\1/p' | head -1)
  rm -rf "$out"
  log="$WORK/run-$tag.log"
  env GANLAB_RELAUNCHED=1 LD_PRELOAD="$TCMALLOC" TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD=1099511627776 \
    GANLAB_MEMORY_AVAILABLE=1000 \
    prlimit --as=$(( (CAP_GB + 12) * 1024 * 1024 * 1024 )) \
    java -Xmx"$JAVA_HEAP" -jar "$JAR" $args >"$log" 2>&1 &
  pid=$!
  hwm=0; killed=""
  while kill -0 "$pid" 2>/dev/null; do
    if [ -r /proc/$pid/status ]; then
      h=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null)
      r=$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)
      [ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
      if [ -n "$r" ] && [ "$r" -gt $(( CAP_GB * 1000000000 / 1024 )) ]; then
        kill -9 "$pid"; killed=yes
      fi
    fi
    sleep 0.2
  done
  wait "$pid"; rc=$?
  b=$(grep -o '"batch" *: *[0-9]*' "$out/config.json" 2>/dev/null | grep -o '[0-9]*$')
  [ "$batch" = "-" ] && [ "$model" = progan ] && b=$(grep -A12 '"minibatch"' "$out/config.json" | grep -o "\"$res\" *: *[0-9]*" | grep -o '[0-9]*$')
  peak=$(awk -v k="$hwm" 'BEGIN {printf "%.1f", k * 1024 / 1e9}')
  if [ -n "$killed" ]; then
    peak="> $CAP_GB (killed)"; ratio="-"
  elif [ "$rc" -ne 0 ]; then
    peak="failed (exit $rc, see $log)"; ratio="-"
  else
    ratio=$(awk -v e="${est:-0}" -v p="$peak" 'BEGIN {if (p > 0 && e > 0) printf "%.2f", e / p; else print "-"}')
  fi
  echo "| $model | $res | ${b:-$batch} | $steps | ${sets:-defaults} | ${est:--} | $peak | $ratio |"
done
