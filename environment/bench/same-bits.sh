#!/usr/bin/env bash
# Checks that two builds train bit for bit alike: a few tiny runs (FastGAN with DiffAugment, SLE and the
# decoders; DCGAN with R1, drift, L2, instance noise, feature matching, historical averaging and the replay
# buffer; ProGAN with WGAN-GP) with each jar, then the final checkpoints' bytes (but the header's wall-clock
# seconds) and metrics.csv (but its time columns) compared.
# Used for the memory scopes of issue 18.4, which must not change a single result bit.
#   environment/bench/same-bits.sh OLD.jar NEW.jar [WORKDIR]
set -uo pipefail
OLD="$1"; NEW="$2"; WORK="${3:-/tmp/ganlab-same-bits}"
rm -rf "$WORK"; mkdir -p "$WORK"
RUNS=(
  "fastgan|--model fastgan --data emoji:smileys --resolution 64 --batch 4 --steps 3 --set fastgan.gWidth=8 --set fastgan.dWidth=8 --set fastgan.decoderWidth=8 --set sampleCount=4 --set logEvery=1"
  "dcgan-tricks|--model dcgan --data synthetic:8?perMode=40 --batch 16 --steps 3 --penalty r1 --set dcgan.gWidth=16 --set dcgan.dWidth=8 --set dcgan.latentDim=8 --set drift=0.001 --set discriminatorL2=0.1 --set tricks.instanceNoise=0.1 --set tricks.featureMatching=1 --set tricks.historicalAveraging=0.01 --set tricks.replayBuffer=64 --set sampleCount=4 --set logEvery=1"
  "progan-gp|--model progan --data emoji:smileys --resolution 16 --steps 3 --set progan.fmapBase=64 --set progan.startResolution=16 --set sampleCount=4 --set logEvery=1"
)
status=0
for r in "${RUNS[@]}"; do
  name="${r%%|*}"; args="${r#*|}"
  for side in old new; do
    jar=$OLD; [ $side = new ] && jar=$NEW
    GANLAB_MEMORY_AVAILABLE=1000 java -Xmx2g -jar "$jar" train $args --out "$WORK/$side-$name" >"$WORK/$side-$name.log" 2>&1 \
      || { echo "$name: $side run failed (see $WORK/$side-$name.log)"; status=1; }
  done
  # metrics.csv without its wall-clock columns
  strip() { python3 -c "
import csv,sys
rows=list(csv.reader(open(sys.argv[1])))
keep=[i for i,h in enumerate(rows[0]) if not any(w in h for w in ('time','sec','wall','img_s','images_per'))]
print('\n'.join(','.join(r[i] for i in keep) for r in rows))" "$1"; }
  # checkpoint files: equal but for the header's wall-clock "seconds" (it differs between any two runs, and
  # with it the header's length); the weights and optimiser states after the header byte for byte
  same_checkpoints() { python3 - "$1" "$2" <<'PY'
import json, os, sys
def parts(p):
    b = open(p, 'rb').read()
    i = b.index(b'{')
    head, end = json.JSONDecoder().raw_decode(b[i:].decode('latin-1'))
    head.pop('seconds', None)
    return b[:8], head, b[i + end:]
old, new = sys.argv[1], sys.argv[2]
names = sorted(f for f in os.listdir(old) if not f.endswith('.json'))
ok = names == sorted(f for f in os.listdir(new) if not f.endswith('.json'))
ok = ok and all(parts(os.path.join(old, f)) == parts(os.path.join(new, f)) for f in names)
sys.exit(0 if ok and names else 1)
PY
  }
  if same_checkpoints "$WORK/old-$name/checkpoints" "$WORK/new-$name/checkpoints" \
     && cmp -s <(strip "$WORK/old-$name/metrics.csv") <(strip "$WORK/new-$name/metrics.csv"); then
    echo "$name: same bits (checkpoint files and metrics.csv)"
  else
    echo "$name: DIFFERENT"; status=1
  fi
done
exit $status
