#!/bin/sh
# Build dist/Energize-VERSION.dmg from the PyInstaller bundle (run on macOS after
# `pyinstaller build.spec`, which writes dist/Energize.app with the workspace document type
# and the version from pyproject.toml). Signing and notarisation: see SIGNING.md; set
# CODESIGN_IDENTITY to sign before the image is made.
set -eu
cd "$(dirname "$0")/../.."
version=$(python3 installers/stamp.py)
app=dist/Energize.app
test -d "$app" || { echo "missing $app: run pyinstaller build.spec first" >&2; exit 1; }
"$app/Contents/MacOS/energize" --selftest
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --deep --force --options runtime --timestamp \
    --entitlements installers/macos/entitlements.plist --sign "$CODESIGN_IDENTITY" "$app"
fi
staging=$(mktemp -d)
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "Energize $version" -srcfolder "$staging" -ov -format UDZO \
  "dist/Energize-$version.dmg"
rm -rf "$staging"
echo "dist/Energize-$version.dmg"
