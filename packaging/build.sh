#!/usr/bin/env bash
# Builds the one-folder app with PyInstaller (packaging/tlgui.spec), then checks it:
#
#   bash packaging/build.sh
#
# Uses the Python that runs it (PYTHON, default `python`): that environment's torch,
# PySide6, onnxruntime and weights packages go into the bundle, so build in one that has
# `pip install -e .` and `pip install pyinstaller` done, with CPU-only torch for a small bundle.
# Output: DIST (default dist/)/tlgui/tlgui; PyInstaller's work files in WORK (default build/).
# Ends with the built app's `--version` and `--self-test` (exit code 1 when it fails) and
# the bundle's size.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "${here}")"
python="${PYTHON:-python}"
dist="${DIST:-${root}/dist}"
work="${WORK:-${root}/build}"

if ! "${python}" -m PyInstaller --version >/dev/null 2>&1; then
    echo "build.sh: PyInstaller is not installed for ${python} (pip install pyinstaller)" >&2
    exit 2
fi
echo "build.sh: $("${python}" -c 'import sys, torch; print(f"Python {sys.version.split()[0]}, torch {torch.__version__}")') -> ${dist}/tlgui"
start=$(date +%s)
PYTHONWARNINGS=ignore "${python}" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "${dist}" --workpath "${work}" "${here}/tlgui.spec"
echo "build.sh: built in $(( $(date +%s) - start )) s"

app="${dist}/tlgui/tlgui"
"${app}" --version
"${app}" --self-test
du -sh "${dist}/tlgui"
