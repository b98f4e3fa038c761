#!/usr/bin/env bash
# Rebuilds gateway/console/static/vendor/ from the versions pinned in package.json and
# package-lock.json: `npm ci`, copy the built files the console serves plus each package's
# LICENSE, and write VENDOR.json (file, package, version, SPDX licence, SHA-256 of every .js/.css).
# The output is committed, so `make run` needs no Node and no request leaves our origin.
# Needs node and npm, and access to the npm registry. Usage: bash gateway/console/assets/vendor.sh
set -euo pipefail
cd "$(dirname "$0")"
ASSETS="$PWD"
OUT="$(cd .. && pwd)/static/vendor"

# package  path inside the package  name in static/vendor
FILES=(
  "echarts   dist/echarts.min.js  echarts.min.js"
  "leaflet   dist/leaflet.js      leaflet.js"
  "leaflet   dist/leaflet.css     leaflet.css"
  "htmx.org  dist/htmx.min.js     htmx.min.js"
)
PACKAGES=(echarts leaflet htmx.org)

npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

# The folder belongs to this script: start from empty so nothing stale survives.
rm -rf "$OUT"
mkdir -p "$OUT"

for entry in "${FILES[@]}"; do
  read -r pkg src dest <<<"$entry"
  install -m 0644 "node_modules/$pkg/$src" "$OUT/$dest"
done
for pkg in "${PACKAGES[@]}"; do
  install -m 0644 "node_modules/$pkg/LICENSE" "$OUT/$pkg.LICENSE.txt"
done
# Apache-2.0 asks redistributors to pass on the NOTICE; echarts.min.js also bundles zrender and d3 code
# under their own licences, which echarts ships in licenses/.
install -m 0644 node_modules/echarts/NOTICE "$OUT/echarts.NOTICE.txt"
for bundled in node_modules/echarts/licenses/LICENSE-*; do
  install -m 0644 "$bundled" "$OUT/echarts.$(basename "$bundled").txt"
done
if [[ -f node_modules/zrender/LICENSE ]]; then
  install -m 0644 node_modules/zrender/LICENSE "$OUT/echarts.LICENSE-zrender.txt"
fi

# VENDOR.json: one entry per copied .js/.css, sorted by file name, stable formatting.
printf '%s\n' "${FILES[@]}" | node -e '
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const [assets, out] = process.argv.slice(1);
const pinned = JSON.parse(fs.readFileSync(path.join(assets, "package.json"), "utf8")).dependencies;
const lines = fs.readFileSync(0, "utf8").split("\n").filter((l) => l.trim());
const entries = lines.map((line) => {
  const [pkg, , dest] = line.trim().split(/\s+/);
  const meta = JSON.parse(fs.readFileSync(path.join(assets, "node_modules", pkg, "package.json"), "utf8"));
  if (meta.version !== pinned[pkg]) {
    throw new Error(`${pkg}: installed ${meta.version} but package.json pins ${pinned[pkg]}`);
  }
  if (typeof meta.license !== "string" || !meta.license) {
    throw new Error(`${pkg}: package.json has no SPDX "license" string`);
  }
  const sha256 = crypto.createHash("sha256").update(fs.readFileSync(path.join(out, dest))).digest("hex");
  return { file: dest, package: pkg, version: meta.version, license: meta.license, sha256 };
});
entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
fs.writeFileSync(path.join(out, "VENDOR.json"), JSON.stringify(entries, null, 2) + "\n");
' "$ASSETS" "$OUT"

echo "vendor.sh: wrote $(ls "$OUT" | wc -l) files to $OUT"
