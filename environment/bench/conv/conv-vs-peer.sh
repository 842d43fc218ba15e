#!/usr/bin/env bash
# One convolution, GAN Lab's engine (DJL 0.29 + libtorch 2.3.1, ConvBench.java) against Debian's python3-torch
# (convbench.py): ProGAN's 512 -> 512 3x3 layer at batch 16, forward and both backward passes, 2 threads, TCMalloc
# on both sides. Prints a markdown section: the medians of alternating rounds, then, from oneDNN's verbose log of
# one run each, the time per primitive kind (the convolution kernels themselves against the layout reorders
# around them), and the minor page faults per repetition (the difference of a 9- and a 3-repetition run).
#   environment/bench/conv/conv-vs-peer.sh [JAR_DIR]        JAR_DIR: the folder of ganlab.jar (its lib/ is used)
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
JARDIR="${1:-$ROOT/lib/target}"
CP=$(ls "$JARDIR"/lib/*.jar | tr '\n' ':')
TCMALLOC="${GANLAB_TCMALLOC:-/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4}"
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
ENV=(env OMP_NUM_THREADS=2 GANLAB_THREADS=2 LD_PRELOAD="$TCMALLOC")
java_run() { "${ENV[@]}" "$@" java -Xms1g -Xmx1g -Dai.djl.offline=true -cp "$CP" "$HERE/ConvBench.java" 16 512 "$R" "$REPS" 2>&1 | grep -a "medians"; }
py_run() { "${ENV[@]}" "$@" /usr/bin/python3 "$HERE/convbench.py" 16 512 "$R" "$REPS" 2>&1 | grep -a "medians"; }
echo "### One convolution: GAN Lab's engine against the peer's"
echo
echo "\`environment/bench/conv/conv-vs-peer.sh\`: conv 3x3, 512 -> 512 channels, batch 16, 2 threads, TCMalloc both"
echo "sides; three rounds, Java then Python, medians of 7-9 repetitions each."
echo '```'
for round in 1 2 3; do
  for R in 32 16 8; do
    REPS=9; [ "$R" = 32 ] && REPS=7
    java_run
    py_run
  done
done
echo '```'
echo
echo "oneDNN's own log (ONEDNN_VERBOSE=1) of one run at 32 px (2 warm-up and 5 timed repetitions), summed per primitive (ms, count):"
echo '```'
R=32; REPS=5
for side in java py; do
  echo "$side:"
  if [ $side = java ]; then cmd=(java -Xms1g -Xmx1g -Dai.djl.offline=true -cp "$CP" "$HERE/ConvBench.java" 16 512 $R $REPS)
  else cmd=(/usr/bin/python3 "$HERE/convbench.py" 16 512 $R $REPS); fi
  "${ENV[@]}" ONEDNN_VERBOSE=1 DNNL_VERBOSE=1 "${cmd[@]}" 2>&1 | grep -a ",exec," \
    | awk -F, '{ kind = ($0 ~ /,reorder,/) ? "reorder (layout conversion)" : "convolution";
                 for (i = 1; i <= NF; i++) if ($i ~ /^(forward_training|backward_data|backward_weights)$/) kind = kind " " $i;
                 t[kind] += $NF; n[kind]++ }
               END { for (k in t) printf "  %9.1f ms %3d  %s\n", t[k], n[k], k }' | sort -k3
done
echo '```'
echo
echo "Minor page faults per repetition (run with 9 repetitions minus run with 3, divided by 6):"
echo '```'
for side in java py; do
  f=()
  for REPS in 3 9; do
    R=32
    if [ $side = java ]; then cmd=(java -Xms1g -Xmx1g -Dai.djl.offline=true -cp "$CP" "$HERE/ConvBench.java" 16 512 $R $REPS)
    else cmd=(/usr/bin/python3 "$HERE/convbench.py" 16 512 $R $REPS); fi
    /usr/bin/time -o "$TMP" -f "%R" "${ENV[@]}" "${cmd[@]}" >/dev/null 2>&1
    f+=("$(tail -1 "$TMP")")
  done
  echo "  $side: $(( (${f[1]} - ${f[0]}) / 6 )) faults per repetition (runs: ${f[0]}, ${f[1]})"
done
echo '```'
