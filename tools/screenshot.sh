#!/usr/bin/env bash
# Screenshot built book pages the way a reader sees them, with headless Chromium.
#   tools/screenshot.sh PAGE.html [OUT.png] [WIDTHxHEIGHT]
# Serves book/_build/html on localhost (no file:// quirks) and writes a PNG.
# Needs Debian's chromium (apt-get install chromium); nothing is fetched from the web.
set -euo pipefail
page=${1:?usage: tools/screenshot.sh PAGE.html [OUT.png] [WIDTHxHEIGHT]}
out=${2:-/tmp/$(basename "${page%.html}").png}
size=${3:-1280x4000}
root="${BOOK_HTML:-$(cd "$(dirname "$0")/.." && pwd)/book/_build/html}"
[ -f "$root/$page" ] || { echo "no $root/$page: build the book first" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$root" >/dev/null 2>&1 &
server=$!
profile=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$profile"' EXIT
sleep 0.5
chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --disable-background-networking --disable-quic --no-first-run --disable-component-update \
  --disable-sync --user-data-dir="$profile" --hide-scrollbars --virtual-time-budget=5000 \
  --window-size="${size/x/,}" --screenshot="$out" "http://127.0.0.1:$port/$page" >/dev/null 2>&1
echo "$out"
