#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line "N passed, N failed" summing them all.
# Installs what the tests need first (see scripts/install-test-deps.sh). Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

if [ -x scripts/install-test-deps.sh ]; then
  scripts/install-test-deps.sh || { echo "test.sh: installing test dependencies failed"; echo "0 passed, 1 failed"; exit 1; }
fi

log=$(mktemp)
passed=0; failed=0; projects=0
# Adds the "Passed!/Failed! - Failed: F, Passed: P" summary lines of a dotnet test log to the totals.
count() {
  while read -r f p; do
    failed=$((failed + f)); passed=$((passed + p)); projects=$((projects + 1))
  done < <(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$1" \
            | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+).*/\1 \2/')
}

# Build everything in parallel, then run the test projects one after another (-m:1): the kernel tests use both
# cores, and beside them the browser tests' timing (pages opening while 20 trainings run) had the machine halved.
if ! dotnet build Pitts.slnx -c Release --nologo > "$log" 2>&1; then
  tail -n 40 "$log"; rm -f "$log"
  echo "test.sh: the build failed"; echo "0 passed, 1 failed"; exit 1
fi
dotnet test Pitts.slnx -c Release --nologo --no-build -m:1 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
count "$log"
runs=$projects

# The vector kernels have narrower fallbacks (Vector256 GEMM and small-GEMM blocks, no direct convolution, 128-bit
# pooling) that an AVX-512 machine never takes on its own: run their tests once more with AVX-512 switched off.
filter='FullyQualifiedName~Kernels|FullyQualifiedName~Conv|FullyQualifiedName~Pool|FullyQualifiedName~Attention|FullyQualifiedName~Determinism|FullyQualifiedName~BufferPool'
echo "without AVX-512: DOTNET_EnableAVX512=0 dotnet test tests/Pitts.Tests --filter '$filter'"
DOTNET_EnableAVX512=0 dotnet test tests/Pitts.Tests -c Release --nologo --no-build --filter "$filter" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count "$log"
# And with AVX2 off too: 128-bit vectors only, what ARM64 and WebAssembly SIMD offer (the Vector128 GEMM path).
echo "128-bit only: DOTNET_EnableAVX512=0 DOTNET_EnableAVX2=0 dotnet test tests/Pitts.Tests --filter '$filter'"
DOTNET_EnableAVX512=0 DOTNET_EnableAVX2=0 dotnet test tests/Pitts.Tests -c Release --nologo --no-build --filter "$filter" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count "$log"
projects=$runs
rm -f "$log"

# The benchmark runner is not a timed test: CI runs it once on tiny sizes to prove every workload still runs.
echo "bench smoke run: dotnet run -c Release --project bench/Pitts.Bench -- --smoke"
if dotnet run -c Release --project bench/Pitts.Bench -- --smoke > /dev/null; then
  passed=$((passed + 1))
else
  echo "bench smoke run FAILED"; failed=$((failed + 1)); status=1
fi

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # a build error or a crashed test host: count it so the summary cannot read as green
fi
echo "test projects: $projects"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
