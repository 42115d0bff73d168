#!/bin/sh
# Installs PostgreSQL's server binaries for the tests; they start a throwaway cluster themselves
# (tests/pgcluster.py) and never touch a system cluster.
set -e
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "PostgreSQL fehlt. Bitte installieren: sudo apt-get install -y postgresql" >&2
  exit 1
fi
echo "Installing PostgreSQL for the tests …"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
