#!/bin/sh
# Installs Debian's Chromium for the browser tests (Playwright drives it; it never downloads one).
set -e
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Chromium fehlt. Bitte installieren: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "Installing Chromium for the browser tests …"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
