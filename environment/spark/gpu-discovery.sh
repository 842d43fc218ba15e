#!/usr/bin/env bash
# Spark resource discovery script for NVIDIA GPUs (GAN Lab sweeps on Spark, README "Sweeps on Spark").
# Spark runs it on each worker/executor that is given
#   spark.worker.resource.gpu.discoveryScript / spark.executor.resource.gpu.discoveryScript = <this file>
# and reads one JSON object from its standard output: {"name": "gpu", "addresses": ["0", "1", ...]},
# the CUDA device indices nvidia-smi lists. A task given spark.task.resource.gpu.amount=1 receives one of
# these addresses and GAN Lab trains on it (GANLAB_DEVICE=gpu:<address>).
#
# CUDA_VISIBLE_DEVICES, when set, limits the list to those indices (a node shared with other jobs).
# A node without a working NVIDIA driver is an error (exit 1, the reason on stderr): Spark then says the
# executor could not discover its GPUs, instead of scheduling GPU tasks on a node that has none.
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-discovery.sh: nvidia-smi not found on $(hostname): no NVIDIA driver on this node" >&2
  exit 1
fi
if ! indices=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1); then
  echo "gpu-discovery.sh: nvidia-smi failed on $(hostname): ${indices}" >&2
  exit 1
fi
addresses=()
for i in $indices; do
  i="${i//[[:space:]]/}"
  [ -n "$i" ] || continue
  if [ -n "${CUDA_VISIBLE_DEVICES:-}" ] && [[ ",${CUDA_VISIBLE_DEVICES}," != *",$i,"* ]]; then
    continue
  fi
  addresses+=("\"$i\"")
done
if [ "${#addresses[@]}" -eq 0 ]; then
  echo "gpu-discovery.sh: nvidia-smi lists no usable GPU on $(hostname)" >&2
  exit 1
fi
(IFS=,; echo "{\"name\": \"gpu\", \"addresses\": [${addresses[*]}]}")
