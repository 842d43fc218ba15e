#!/usr/bin/env bash
# GAN Lab tests: set everything up, then `mvn verify` - unit tests (surefire) and the notebooks
# executed headless in the smoke profile on the `ganlab` kernel (failsafe, NotebooksIT).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/environment/setup.sh" --no-build
cd "$ROOT"
exec mvn -B -Dstyle.color=never verify "$@"
