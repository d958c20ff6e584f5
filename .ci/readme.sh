#!/usr/bin/env bash
# The newcomer's path: the README's two commands, in order, in ONE fresh virtualenv,
# then the command line from a directory outside the checkout.
#
#   1. README command 1: pip install . && fastspin run (main job) && fastspin plot
#   2. README command 2's install: pip install -e ".[test]"   (replaces the regular copy)
#   3. from another directory: fastspin models, and a tiny sweep of an example spec
#
# Step 2 once left a site-packages/fastspin/ holding only Numba cache files, which
# shadowed the editable install as an empty namespace package (no models, no
# __version__).  This script fails if that, or anything else on the path, breaks.
#
# Numba's cache goes where a newcomer's would: NUMBA_CACHE_DIR is unset and the
# per-user cache directory is a fresh scratch one (XDG_CACHE_HOME), so the
# kernels compile cold, as on a first install.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scratch=$(mktemp -d "${TMPDIR:-/tmp}/fastspin-readme.XXXXXX")
outputs=(sis_phase.zarr sis_G0.png)
for name in "${outputs[@]}"; do
    if [ -e "$name" ]; then
        echo "readme.sh: $root/$name exists; move it away first (this script writes it)" >&2
        exit 2
    fi
done
cleanup() {
    rm -rf "$scratch"
    (cd "$root" && rm -rf "${outputs[@]}")
}
trap cleanup EXIT

unset NUMBA_CACHE_DIR FASTSPIN_NUMBA_CACHE_DIR PYTHONPATH
export XDG_CACHE_HOME="$scratch/cache"
python3 -m venv "$scratch/venv"
# shellcheck disable=SC1091
source "$scratch/venv/bin/activate"
python -m pip install --quiet --upgrade pip

echo "== README command 1 (regular install, main job, plot)"
start=$SECONDS
# (a failing && list does not stop a `set -e` script: test it)
if ! { pip install --quiet . && fastspin run examples/sis_phase_diagram.toml --out sis_phase.zarr && fastspin plot sis_phase.zarr --var G0 --x h --out sis_G0.png; }; then
    echo "readme.sh: FAIL: README command 1" >&2
    exit 1
fi
echo "   $((SECONDS - start)) s"

site=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
left=$(find "$site/fastspin" -name '*.nbi' -o -name '*.nbc' 2>/dev/null | wc -l)
echo "   Numba cache files inside the installed package: $left"
failed=0
if [ "$left" -ne 0 ]; then
    echo "readme.sh: FAIL: Numba wrote its cache into $site/fastspin" >&2
    failed=1  # go on: the next steps show what that breaks
fi

echo "== README command 2's install (editable, test extra)"
start=$SECONDS
pip install --quiet -e ".[test]"
echo "   $((SECONDS - start)) s"

echo "== the CLI from a directory outside the checkout"
mkdir -p "$scratch/elsewhere"
cd "$scratch/elsewhere"
python -c 'import fastspin; print("   fastspin", fastspin.__version__, "from", fastspin.__file__)' \
    || failed=1
models=$(fastspin models) || failed=1
for name in sis sis_merit fis macrospin; do
    if ! grep -q "^$name\b" <<<"$models"; then
        echo "readme.sh: FAIL: 'fastspin models' does not list model $name" >&2
        failed=1
    fi
done
echo "   fastspin models: $(grep -c '^[a-z_]\+  ' <<<"$models" || true) models listed"
start=$SECONDS
if fastspin run "$root/examples/sis_iv_curves.toml" --out x.zarr \
        && fastspin status x.zarr | grep -q "4/4 done" && fastspin verify x.zarr >/dev/null; then
    echo "   tiny sweep: $((SECONDS - start)) s"
else
    echo "readme.sh: FAIL: the tiny sweep from outside the checkout" >&2
    failed=1
fi
if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "readme.sh: the README sequence works"
