#!/usr/bin/env bash
# Copies KaTeX's browser files from the npm package `katex` (pinned below) into wwwroot/lib/katex, so the lab
# renders maths offline with no CDN. The copied files are committed; run this only to change the version.
# Needs npm (it uses `npm pack`, which fetches the package tarball from the npm registry).
set -euo pipefail
VERSION=0.16.22
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/wwwroot/lib/katex"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "katex@$VERSION" >/dev/null && tar -xzf "katex-$VERSION.tgz")
rm -rf "$dest"
mkdir -p "$dest/fonts"
cp "$tmp/package/dist/katex.min.js" "$tmp/package/dist/katex.min.css" "$dest/"
cp "$tmp/package/dist/fonts/"*.woff2 "$dest/fonts/"   # every browser the lab supports reads woff2
cp "$tmp/package/LICENSE" "$dest/LICENSE"
echo "katex $VERSION (npm package katex, MIT licence), copied by src/Pitts.Lab.Client/scripts/update-katex.sh" > "$dest/VERSION"
echo "KaTeX $VERSION copied to $dest"
