#!/usr/bin/env bash
# Debian packages the portal needs. Installs the missing ones when run as root; otherwise says what to install.
#   run:  CJK fonts and HarfBuzz subsetting for WeasyPrint PDFs (without libharfbuzz-subset0 a one-page
#         Chinese certificate takes ~12 s instead of ~0.2 s), Pango, gettext for compilemessages.
#   test: the same plus Chromium for the browser tests, poppler-utils (pdftoppm renders a certificate
#         page to PNG in tests/certification/test_certificate_render.py) and zbar-tools (zbarimg reads
#         the certificate's QR code back from that PNG).
set -euo pipefail
what=${1:-run}
packages=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext)
if [[ $what == test ]]; then
  packages+=(chromium poppler-utils zbar-tools)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "warning: not a Debian system; please install the equivalents of: ${missing[*]}" >&2
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "warning: missing Debian packages: ${missing[*]}" >&2
  echo "         run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
