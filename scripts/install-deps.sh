#!/usr/bin/env bash
# Installs the system packages phusong needs, only those missing (idempotent).
# Usage: scripts/install-deps.sh [--qgis]
set -euo pipefail
# GDAL for the GIS crate; cmake, a C++ compiler and libclang (bindgen) to build HiGHS from source
# for the plan's MILP (crate highs → highs-sys).
# chromium renders report.html to PNG in the report test (headless, no GPU).
pkgs=(libgdal-dev gdal-bin pkg-config cmake g++ clang libclang-dev chromium)
# QGIS for the project tests; poppler-utils (pdftoppm) to render the exported layout PDF.
if [ "${1:-}" = "--qgis" ]; then pkgs+=(qgis python3-qgis poppler-utils); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
