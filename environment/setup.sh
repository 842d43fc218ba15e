#!/usr/bin/env bash
# GAN Lab set-up: everything both README commands need, idempotent (a second run only checks).
#
#   1. Debian packages: Jupyter (notebook, nbconvert, nbclient), the Fashion-MNIST data set, TCMalloc.
#   2. npm packages: the Noto emoji images (data/) and plotly.js for offline figures (environment/).
#   3. The library: mvn package -> lib/target/ganlab.jar (+ lib/target/lib/, lib/target/kernel/).
#      On a machine with an NVIDIA GPU the build uses the cuda profile (CUDA 12.1 libtorch).
#   4. The Jupyter kernelspec `ganlab` ("GAN Lab (Java)") on the rapaio-jupyter-kernel, or on IJava
#      when GANLAB_KERNEL=ijava and IJAVA_JAR point at an installed IJava jar.
#
# Options: --no-build (skip step 3; the test command builds through `mvn verify`), --quiet.
# Environment: GANLAB_MAVEN_PROFILE=cpu|cuda overrides the GPU detection of step 3.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD=1
QUIET=0
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    --quiet) QUIET=1 ;;
    *) echo "setup.sh: unknown option '$arg' (known: --no-build, --quiet)" >&2; exit 2 ;;
  esac
done

say() { [ "$QUIET" = 1 ] || echo "[setup] $*"; }
die() { echo "[setup] ERROR: $*" >&2; exit 1; }

# --- 1. Debian packages -------------------------------------------------------------------------
# libtcmalloc-minimal4: the allocator the kernel and the command line run the engine with (lib/BENCHMARKS.md).
APT_PACKAGES=(jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel dataset-fashion-mnist
  libtcmalloc-minimal4)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
    SUDO=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || die "apt-get update failed (is the Debian package mirror reachable?)"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
else
  say "Debian packages present"
fi
# Jupyter from Debian runs under the system interpreter; a python3 earlier on PATH may lack it.
PY=/usr/bin/python3
"$PY" -c "import nbclient, nbconvert, jupyter_client" 2>/dev/null \
  || die "$PY cannot import nbclient/nbconvert/jupyter_client after installing ${APT_PACKAGES[*]}"

# --- 2. npm packages ----------------------------------------------------------------------------
npm_install() {  # folder package version
  local dir="$1" pkg="$2" version="$3" have=""
  if [ -f "$dir/node_modules/$pkg/package.json" ]; then
    have=$(node -p "require('$dir/node_modules/$pkg/package.json').version" 2>/dev/null || true)
  fi
  if [ "$have" = "$version" ]; then
    say "npm $pkg@$version present"
    return
  fi
  command -v npm >/dev/null || die "npm is needed to install $pkg@$version (apt-get install npm)"
  say "installing npm $pkg@$version into ${dir#$ROOT/}/node_modules"
  (cd "$dir" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@$version" >/dev/null) \
    || die "npm install $pkg@$version failed"
}
npm_install "$ROOT/data" emoji-datasource-google 16.0.0
npm_install "$ROOT/environment" plotly.js-dist-min 2.35.2
[ -f "$ROOT/data/node_modules/emoji-datasource-google/LICENSE" ] \
  || die "emoji-datasource-google installed without its LICENSE file"

# --- 3. The library -----------------------------------------------------------------------------
PROFILE_ARGS=()
case "${GANLAB_MAVEN_PROFILE:-auto}" in
  cuda) PROFILE_ARGS=(-Pcuda) ;;
  cpu) ;;
  auto) if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then PROFILE_ARGS=(-Pcuda); fi ;;
  *) die "GANLAB_MAVEN_PROFILE='${GANLAB_MAVEN_PROFILE}': use cpu, cuda or auto" ;;
esac
if [ "$BUILD" = 1 ]; then
  say "building the library: mvn ${PROFILE_ARGS[*]:-} package -DskipTests"
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never "${PROFILE_ARGS[@]}" package -DskipTests) || die "mvn package failed"
  [ -f "$ROOT/lib/target/ganlab.jar" ] || die "mvn package did not produce lib/target/ganlab.jar"
fi

# --- 4. Jupyter kernelspec ----------------------------------------------------------------------
QUIET="$QUIET" "$ROOT/environment/kernel/install-kernel.sh"
say "done"
