#!/bin/sh
# The Debian packages `make run` / `make test` need from the system (OpenCV's libraries,
# Chromium for the browser tests). Installs the missing ones when it can (root, or sudo
# without a password); otherwise stops at once with the command to run.
# Usage: tools/system-packages.sh PACKAGE...
set -e
if ! command -v dpkg >/dev/null 2>&1; then
  echo "Not a Debian-based system: make sure these are installed: $*" >&2
  exit 0
fi
missing=""
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "These Debian packages are needed:$missing" >&2
  echo "Install them, then run the command again:  sudo apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
echo "Installing Debian packages:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
