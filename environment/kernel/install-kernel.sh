#!/usr/bin/env bash
# Registers the Jupyter kernelspec `ganlab` (display name "GAN Lab (Java)") for the current user.
#
# Default engine: rapaio-jupyter-kernel (JShell based), whose jar Maven copied to
# lib/target/kernel/rapaio-jupyter-kernel.jar. The kernel starts with the library and all its
# dependencies on the class path (RJK_CLASSPATH) and runs init.jsh (common imports) first, so
# notebooks need no magic lines.
#
# IJava instead: GANLAB_KERNEL=ijava IJAVA_JAR=/path/to/ijava-1.3.0.jar environment/setup.sh
# registers the same `ganlab` kernelspec on IJava (IJAVA_CLASSPATH, IJAVA_STARTUP_SCRIPTS_PATH).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY=/usr/bin/python3
KERNEL="${GANLAB_KERNEL:-rapaio}"
HEAP="${GANLAB_KERNEL_HEAP:-6g}"
# A second checkout can register its own kernel name (GANLAB_KERNEL_NAME) and point the notebook
# runner at it with the same variable.
NAME="${GANLAB_KERNEL_NAME:-ganlab}"
say() { [ "${QUIET:-0}" = 1 ] || echo "[kernel] $*"; }
die() { echo "[kernel] ERROR: $*" >&2; exit 1; }

# The class path is the library jar alone: its manifest's Class-Path names every dependency in
# lib/target/lib/, and JShell follows it (checked). A list of jars in RJK_CLASSPATH does not work.
JAR="$ROOT/lib/target/ganlab.jar"
[ -f "$JAR" ] || say "note: $JAR appears after 'mvn package'"

# TCMalloc for the engine's memory (see NativeAllocator.java: 15% faster DCGAN step, flat RSS), when
# installed (setup.sh installs Debian's libtcmalloc-minimal4) and not turned off with GANLAB_ALLOCATOR=system.
TCMALLOC=""
if [ "${GANLAB_ALLOCATOR:-}" != system ]; then
  for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
    if [ -f "$d/libtcmalloc_minimal.so.4" ]; then TCMALLOC="$d/libtcmalloc_minimal.so.4"; break; fi
  done
  [ -n "$TCMALLOC" ] || say "note: TCMalloc not found (apt-get install libtcmalloc-minimal4); the kernel uses glibc malloc"
fi

SPEC="$ROOT/build/kernel/spec"
rm -rf "$SPEC"
mkdir -p "$SPEC"
JAVA_BIN="$(command -v java)" || die "java not found on PATH"
JVM_OPTS=("-Xmx$HEAP" "-Dai.djl.offline=true" "-Dganlab.home=$ROOT" "-Djava.awt.headless=true")

case "$KERNEL" in
  rapaio)
    KJAR="$ROOT/lib/target/kernel/rapaio-jupyter-kernel.jar"
    # The patch classes compile against the kernel's own classes. The test command registers the
    # kernel before its build has copied the jar to lib/target/kernel, so resolve the same artifact
    # into build/kernel for compiling; the kernelspec runs the build's copy.
    KJAR_COMPILE="$KJAR"
    if [ ! -f "$KJAR" ]; then
      say "note: $KJAR appears after 'mvn package' (Maven resolves io.github.padreati:rapaio-jupyter-kernel)"
      KVERSION=$(sed -n 's:.*<rapaio.kernel.version>\(.*\)</rapaio.kernel.version>.*:\1:p' "$ROOT/pom.xml")
      [ -n "$KVERSION" ] || die "rapaio.kernel.version not found in $ROOT/pom.xml"
      KJAR_COMPILE="$ROOT/build/kernel/rapaio-jupyter-kernel.jar"
      if [ ! -f "$KJAR_COMPILE" ]; then
        (cd "$ROOT" && mvn -q -B -N -Dstyle.color=never dependency:copy \
            -Dartifact="io.github.padreati:rapaio-jupyter-kernel:$KVERSION" \
            -DoutputDirectory="$ROOT/build/kernel" -Dmdep.stripVersion=true) \
          || die "could not resolve io.github.padreati:rapaio-jupyter-kernel:$KVERSION to compile the kernel patch"
      fi
    fi
    # Our replacements for three kernel classes are compiled here (against the kernel's jar) and put
    # before it on the class path: the channel loop thread (start-up races, patch/.../LoopThread.java),
    # the channels' per-request state and the JShell execution control (interrupts, issue 15:
    # patch/.../Channels.java, patch/.../RapaioExecutionControl.java).
    PATCH_SRC="$ROOT/environment/kernel/patch"
    PATCH_OUT="$ROOT/build/kernel/patch-classes"
    JAVAC="$(command -v javac)" || die "javac not found on PATH (a JDK 17 is needed, not only a JRE)"
    rm -rf "$PATCH_OUT"
    mkdir -p "$PATCH_OUT"
    (cd "$PATCH_SRC" && find . -name '*.java' -print0 | xargs -0 "$JAVAC" --release 17 -nowarn -cp "$KJAR_COMPILE" -d "$PATCH_OUT") \
      || die "could not compile the kernel patch in $PATCH_SRC"
    ARGV=("$JAVA_BIN" "${JVM_OPTS[@]}" -cp "$PATCH_OUT:$KJAR" org.rapaio.jupyter.kernel.MainApp "{connection_file}")
    ENV_JSON=$("$PY" - "$ROOT" "$JAR" <<'PYEOF'
import json, sys
root, jar = sys.argv[1], sys.argv[2]
print(json.dumps({
    "RJK_CLASSPATH": jar,
    "RJK_INIT_SCRIPT": root + "/environment/kernel/init.jsh",
    "RJK_COMPILER_OPTIONS": "",
    "RJK_TIMEOUT_MILLIS": "-1",
    "RJK_MIMA_CACHE": root + "/build/kernel/mima_cache",
    "GANLAB_HOME": root,
    "DJL_OFFLINE": "true",
}))
PYEOF
)
    ;;
  ijava)
    [ -n "${IJAVA_JAR:-}" ] && [ -f "$IJAVA_JAR" ] || die "GANLAB_KERNEL=ijava needs IJAVA_JAR=/path/to/ijava-*.jar (IJava is not served by the registries this project uses; install it yourself)"
    ARGV=("$JAVA_BIN" "${JVM_OPTS[@]}" -jar "$IJAVA_JAR" "{connection_file}")
    ENV_JSON=$("$PY" - "$ROOT" "$JAR" <<'PYEOF'
import json, sys
root, jar = sys.argv[1], sys.argv[2]
print(json.dumps({
    "IJAVA_CLASSPATH": jar,
    "IJAVA_STARTUP_SCRIPTS_PATH": root + "/environment/kernel/init.jsh",
    "GANLAB_HOME": root,
    "DJL_OFFLINE": "true",
}))
PYEOF
)
    ;;
  *) die "GANLAB_KERNEL='$KERNEL': use rapaio (default) or ijava" ;;
esac

"$PY" - "$SPEC" "$NAME" "$ENV_JSON" "$TCMALLOC" "${ARGV[@]}" <<'PYEOF'
import json, sys
spec, name, env, tcmalloc, argv = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], sys.argv[5:]
if tcmalloc:
    env["LD_PRELOAD"] = tcmalloc
    env["TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD"] = str(1 << 40)
with open(spec + "/kernel.json", "w") as f:
    json.dump({"argv": argv, "display_name": "GAN Lab (Java)", "language": "java",
               "interrupt_mode": "message", "env": env}, f, indent=2)
from jupyter_client.kernelspec import KernelSpecManager
dest = KernelSpecManager().install_kernel_spec(spec, kernel_name=name, user=True)
print(dest)
PYEOF
say "registered kernelspec $NAME ($KERNEL${TCMALLOC:+, TCMalloc})"
