#!/usr/bin/env bash
# The browser tests drive Debian's headless Chromium through chromedriver. Installs both
# when they are missing and we may (root with apt-get, as in CI); else says what to do.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing chromium and chromium-driver for the browser tests..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq chromium chromium-driver </dev/null >/dev/null
    exit 0
fi
echo "error: the browser tests need /usr/bin/chromium and /usr/bin/chromedriver;" >&2
echo "       install them with: sudo apt-get install -y chromium chromium-driver" >&2
exit 1
