#!/usr/bin/env bash
# The lab in Debian's Chromium against the published static build: page loads (cold and warm cache, bytes
# transferred) and the chapters' main actions, in the browser and natively. Numbers: docs/LAB.md.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish src/Pitts.Lab.Client -c Release --nologo -v q
dotnet run -c Release --project bench/LabBrowser -- artifacts/publish/Pitts.Lab.Client/release/wwwroot
