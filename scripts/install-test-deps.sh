#!/usr/bin/env bash
# Installs what the test suites need beyond the .NET SDK: Debian's Chromium for the lab's browser tests
# (Playwright drives it through its executable path; the Playwright browser download is never used), and
# Debian's python3-onnx, whose checker the ONNX export tests run (/usr/bin/python3).
# Idempotent and quiet: does nothing when both are there.
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
/usr/bin/python3 -c 'import onnx' >/dev/null 2>&1 || packages+=(python3-onnx)
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-test-deps: ${packages[*]} missing and this user cannot install them (run: apt-get install -y ${packages[*]})" >&2
    exit 1
  fi
fi

echo "install-test-deps: installing Debian's ${packages[*]} for the tests"
export DEBIAN_FRONTEND=noninteractive
# Another apt/dpkg may hold the lock for a while (e.g. on a shared machine): wait for it instead of failing.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for attempt in 1 2 3 4 5 6; do
  if $SUDO apt-get update -qq >"$log" 2>&1 && $SUDO apt-get install -y -qq "${packages[@]}" >>"$log" 2>&1; then
    break
  fi
  if [ "$attempt" -eq 6 ]; then cat "$log" >&2; echo "install-test-deps: apt-get install ${packages[*]} failed" >&2; exit 1; fi
  sleep 10
done

[ -x /usr/bin/chromium ] || { echo "install-test-deps: chromium installed but /usr/bin/chromium is missing" >&2; exit 1; }
