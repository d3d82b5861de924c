#!/usr/bin/env bash
# Vendor the front-end files Antragsraum serves itself (no CDN at runtime).
#
#   scripts/vendor-static.sh
#
# Fetches pinned npm packages with `npm pack` (registry only, no install, no
# lifecycle scripts), unpacks them in a temporary directory and copies only the
# files the pages load into static/vendor/<name>-<version>/, each with LICENSE
# and a VERSION file. Re-running replaces those directories; it is idempotent.
# Bumping a version means: change it here, run the script, update the paths in
# templates/base.html, delete the old directory.
set -euo pipefail

HTMX_VERSION="4.0.1"
KERN_VERSION="2.7.2"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fetch() { # fetch <package> <version> <dir>: npm pack + extract into <dir>/package
    local pkg="$1" version="$2" dir="$3"
    mkdir -p "$dir"
    local tarball
    tarball="$(cd "$dir" && npm pack --silent --ignore-scripts "${pkg}@${version}" | tail -n 1)"
    tar -xzf "$dir/$tarball" -C "$dir"
    # package.json must name exactly what we asked for
    node -e '
        const p = require(process.argv[1]);
        if (p.name !== process.argv[2] || p.version !== process.argv[3]) {
            console.error(`unexpected package ${p.name}@${p.version}`); process.exit(1);
        }' "$dir/package/package.json" "$pkg" "$version"
}

write_version() { # write_version <dest> <package> <version> <licence>
    cat >"$1/VERSION" <<EOF
package: $2
version: $3
licence: $4
source: npm pack $2@$3 (scripts/vendor-static.sh)
EOF
}

# --- htmx ---------------------------------------------------------------------
fetch htmx.org "$HTMX_VERSION" "$WORK/htmx"
SRC="$WORK/htmx/package"
DEST="$VENDOR/htmx-$HTMX_VERSION"
rm -rf "$DEST"
mkdir -p "$DEST/ext"
cp "$SRC/dist/htmx.min.js" "$DEST/htmx.min.js"
# htmx 4 ships its websocket support as an extension inside the same package.
cp "$SRC/dist/ext/hx-ws.min.js" "$DEST/ext/hx-ws.min.js"
cp "$SRC/LICENSE" "$DEST/LICENSE"
write_version "$DEST" htmx.org "$HTMX_VERSION" "0BSD (Zero-Clause BSD, see LICENSE)"

# --- KERN UX ------------------------------------------------------------------
fetch @kern-ux/native "$KERN_VERSION" "$WORK/kern"
SRC="$WORK/kern/package"
DEST="$VENDOR/kern-ux-native-$KERN_VERSION"
rm -rf "$DEST"
mkdir -p "$DEST/fonts"
cp "$SRC/dist/kern.min.css" "$DEST/kern.min.css"
cp "$SRC/dist/fonts/fira-sans.css" "$DEST/fonts/fira-sans.css"
cp "$SRC/LICENSE.md" "$DEST/LICENSE.md"
# Copy exactly the font files fira-sans.css references (relative url()s keep
# resolving because the directory layout fonts/fira-sans/... is preserved).
grep -o 'url("\?\./[^")]*"\?)' "$SRC/dist/fonts/fira-sans.css" \
    | sed -E 's/^url\("?\.\///; s/"?\)$//' \
    | sort -u \
    | while read -r rel; do
        mkdir -p "$DEST/fonts/$(dirname "$rel")"
        cp "$SRC/dist/fonts/$rel" "$DEST/fonts/$rel"
    done
# kern.min.css itself references only data: URIs (icons), no files; fail loudly
# should a future version start referencing files we did not copy.
if grep -o 'url([^)]*)' "$DEST/kern.min.css" | grep -v 'url(["'"'"']\?data:' | grep -q .; then
    echo "kern.min.css references files that are not vendored:" >&2
    grep -o 'url([^)]*)' "$DEST/kern.min.css" | grep -v 'url(["'"'"']\?data:' >&2
    exit 1
fi
write_version "$DEST" @kern-ux/native "$KERN_VERSION" "EUPL-1.2 (see LICENSE.md)"

echo "vendored into $VENDOR:"
(cd "$VENDOR" && find . -type f | sort | xargs du -h --apparent-size)
