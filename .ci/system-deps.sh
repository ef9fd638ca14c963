#!/bin/sh
# Install the Debian/Ubuntu packages Energize needs when they are missing and we may:
#   runtime: the libraries Qt's offscreen and xcb platforms load;
#   test:    the above plus the real test peers (Mosquitto, PostgreSQL), Xvfb, poppler-utils,
#            openssl (test certificates) and binutils (PyInstaller builds the frozen app).
# Without apt-get, or without root or sudo, it lists what is missing and carries on.
set -eu
profile=${1:-runtime}

runtime="libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 \
libglib2.0-0 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1"
test_peers="mosquitto postgresql xvfb poppler-utils openssl binutils"  # binutils: PyInstaller
python_venv="python3-venv python3-pip"

want="$runtime"
[ "$profile" = "test" ] && want="$want $test_peers"
python3 -m venv --help >/dev/null 2>&1 && python3 -c "import ensurepip" 2>/dev/null \
  || want="$want $python_venv"

command -v dpkg-query >/dev/null 2>&1 || { echo "system-deps: not a Debian/Ubuntu system;" \
  "install the equivalents of: $want"; exit 0; }

missing=""
for pkg in $want; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"
else
  echo "system-deps: missing packages:$missing"
  echo "system-deps: no root or passwordless sudo; install them with: sudo apt-get install$missing"
  exit 0
fi
echo "system-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || true
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The test fixtures start their own PostgreSQL and Mosquitto on free loopback ports;
# the distribution's default services are not needed.
if [ "$profile" = "test" ]; then
  for svc in postgresql mosquitto; do
    command -v service >/dev/null 2>&1 && $sudo service "$svc" stop >/dev/null 2>&1 || true
  done
fi
