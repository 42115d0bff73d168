#!/bin/sh
# Installs Debian's LibreOffice Writer without its GUI for the test that prints the Word export
# (tests/test_report_pdf.py): about 86 MB to download, 260 MB installed (Debian 12).
set -e
if command -v soffice >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "LibreOffice fehlt. Bitte installieren: sudo apt-get install -y --no-install-recommends libreoffice-writer-nogui" >&2
  exit 1
fi
echo "Installing LibreOffice Writer for the Word export's render test …"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
  --no-install-recommends libreoffice-writer-nogui fonts-dejavu-core >/dev/null
