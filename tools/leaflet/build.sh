#!/bin/sh
# Rebuild Sesim's trimmed Leaflet (plugins/map/static/vendor/leaflet/leaflet.js,
# leaflet-tiles.js and leaflet.css) from Leaflet's own source, in a temporary folder. A developer
# runs it after changing entry.mjs, tiles.mjs or build.mjs; installs and tests never do (no node).
#
#     sh tools/leaflet/build.sh
#
# Needs node and npm. The Leaflet tarball is checked against the sha256 in
# plugins/map/static/vendor/README.md, esbuild against package-lock.json.
set -eu
LEAFLET=leaflet@1.9.4
SHA256=84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/../../plugins/map/static/vendor/leaflet
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE/entry.mjs" "$HERE/tiles.mjs" \
   "$HERE/build.mjs" "$WORK/"
cd "$WORK"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
TARBALL=$(npm pack "$LEAFLET" --silent)
echo "$SHA256  $TARBALL" | sha256sum -c -
mkdir -p node_modules/leaflet
tar xzf "$TARBALL" -C node_modules/leaflet --strip-components=1
test -f node_modules/leaflet/src/Leaflet.js
node build.mjs "$OUT"
cd "$OUT" && sha256sum leaflet.js leaflet-tiles.js leaflet.css
