#!/usr/bin/env bash
# Installs what the test suites need beyond the .NET SDK, from Debian:
# - chromium for the lab's browser tests (Playwright drives it through its executable path; the Playwright browser
#   download is never used);
# - python3-torch for the PyTorch interop tests (pitts export --pytorch runs under /usr/bin/python3);
# - python3-onnx, whose checker the ONNX export tests run (/usr/bin/python3).
# Idempotent and quiet: installs only the packages whose files are missing, and does nothing when none is.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
{ [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1; } || missing+=(python3-torch python3-numpy)
{ [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import onnx' >/dev/null 2>&1; } || missing+=(python3-onnx)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-test-deps: ${missing[*]} missing and this user cannot install them (run: apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
fi

echo "install-test-deps: installing Debian's ${missing[*]} for the tests"
export DEBIAN_FRONTEND=noninteractive
# Another apt/dpkg may hold the lock for a while (e.g. on a shared machine): wait for it instead of failing.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for attempt in 1 2 3 4 5 6; do
  if $SUDO apt-get update -qq >"$log" 2>&1 && $SUDO apt-get install -y -qq "${missing[@]}" >>"$log" 2>&1; then
    break
  fi
  if [ "$attempt" -eq 6 ]; then cat "$log" >&2; echo "install-test-deps: apt-get install ${missing[*]} failed" >&2; exit 1; fi
  sleep 10
done

[ -x /usr/bin/chromium ] || { echo "install-test-deps: chromium installed but /usr/bin/chromium is missing" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || { echo "install-test-deps: python3-torch installed but /usr/bin/python3 cannot import torch" >&2; exit 1; }
/usr/bin/python3 -c 'import onnx' >/dev/null 2>&1 || { echo "install-test-deps: python3-onnx installed but /usr/bin/python3 cannot import onnx" >&2; exit 1; }
