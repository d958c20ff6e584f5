#!/usr/bin/env bash
# Build the documentation site (docs/) with warnings as errors, in the current virtualenv.
# Installs the docs extra, executes every tutorial afresh, draws the gallery and fails
# on any Sphinx warning, on a tutorial cell that raises, and on a public name without
# documentation (docs/_ext/apicheck.py).  Usage: bash .ci/docs.sh  (after .ci/run's venv
# is active, so NUMBA_CACHE_DIR and the installed fastspin are the ones the tests used).
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet -e ".[docs]"

# a fresh build: no page, notebook or gallery figure is reused from an earlier one
rm -rf docs/_build docs/api/generated
start=$(date +%s)
FASTSPIN_DOCS_EXECUTE=force python -m sphinx -j auto -W --keep-going -b html docs docs/_build/html
echo "docs: built in $(( $(date +%s) - start )) s; open docs/_build/html/index.html"
