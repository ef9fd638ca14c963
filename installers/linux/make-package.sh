#!/bin/sh
# Linux package of the PyInstaller build: dist/Energize-VERSION-linux-x86_64.tar.gz (install.sh
# inside puts it under ~/.local or /opt with the menu entry, icon, MIME type and AppStream
# metadata), and an AppImage when appimagetool is on the PATH.
set -eu
cd "$(dirname "$0")/../.."
version=$(python3 installers/stamp.py)
test -x dist/energize/energize || { echo "missing dist/energize: run make dist" >&2; exit 1; }
name="Energize-$version-linux-$(uname -m)"
stage=$(mktemp -d)/$name
mkdir -p "$stage"
cp -R dist/energize "$stage/energize"
cp installers/linux/energize.desktop installers/linux/energize-workspace.xml \
   installers/linux/install.sh resources/icons/energize.svg "$stage/"
python3 installers/stamp.py appstream "$stage/io.energize.Desktop.metainfo.xml" >/dev/null
tar -C "$(dirname "$stage")" -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"
if command -v appimagetool >/dev/null; then
  appdir=$(dirname "$stage")/Energize.AppDir
  mkdir -p "$appdir/usr/share/metainfo"
  cp -R dist/energize "$appdir/usr/bin"
  cp installers/linux/energize.desktop resources/icons/energize.svg "$appdir/"
  cp "$stage/io.energize.Desktop.metainfo.xml" "$appdir/usr/share/metainfo/"
  printf '#!/bin/sh\nexec "$(dirname "$0")/usr/bin/energize" "$@"\n' > "$appdir/AppRun"
  chmod +x "$appdir/AppRun"
  ARCH=$(uname -m) appimagetool "$appdir" "dist/$name.AppImage"
  echo "dist/$name.AppImage"
fi
