#!/bin/sh
# Install the unpacked Energize tarball: for this user (~/.local) or, as root, for everyone
# (/opt/energize). Adds the menu entry, icon, the workspace MIME type (double-click opens it)
# and AppStream metadata, then runs the app's self-test. `install.sh --uninstall` removes it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" = 0 ]; then prefix=/usr/local; app=/opt/energize; else
  prefix="$HOME/.local"; app="$HOME/.local/lib/energize"; fi
share="$prefix/share"
if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$app" "$prefix/bin/energize" "$share/applications/energize.desktop" \
    "$share/icons/hicolor/scalable/apps/energize.svg" "$share/mime/packages/energize-workspace.xml" \
    "$share/metainfo/io.energize.Desktop.metainfo.xml"
  command -v update-mime-database >/dev/null && update-mime-database "$share/mime" || true
  echo "Energize removed"; exit 0
fi
mkdir -p "$app" "$prefix/bin" "$share/applications" "$share/icons/hicolor/scalable/apps" \
  "$share/mime/packages" "$share/metainfo"
cp -R "$here/energize/." "$app/"
ln -sf "$app/energize" "$prefix/bin/energize"
sed "s|^Exec=energize|Exec=$app/energize|" "$here/energize.desktop" > "$share/applications/energize.desktop"
cp "$here/energize.svg" "$share/icons/hicolor/scalable/apps/"
cp "$here/energize-workspace.xml" "$share/mime/packages/"
cp "$here/io.energize.Desktop.metainfo.xml" "$share/metainfo/"
command -v update-mime-database >/dev/null && update-mime-database "$share/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$share/applications" || true
"$app/energize" --selftest
echo "Energize installed in $app"
