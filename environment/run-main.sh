#!/usr/bin/env bash
# GAN Lab main job: set everything up, then execute every stage notebook headless.
#   quick profile on a CPU (minutes), full profile when a GPU is present (GANLAB_PROFILE overrides).
#   Executed notebooks and HTML exports: build/notebooks/; training runs: build/runs/<profile>/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/environment/setup.sh"
PROFILE="${GANLAB_PROFILE:-}"
if [ -z "$PROFILE" ]; then
  if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then PROFILE=full; else PROFILE=quick; fi
fi
echo "[main] executing notebooks with profile '$PROFILE'"
exec /usr/bin/python3 "$ROOT/environment/run_notebooks.py" --profile "$PROFILE" --jobs auto "$@" "$ROOT"/notebooks/[0-9][0-9]-*.ipynb
