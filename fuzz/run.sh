#!/usr/bin/env bash
# Fuzzes every reader of Pitts with afl++ through SharpFuzz, one target at a time, for a bounded time each, and
# prints executions, coverage paths (afl's corpus count), crashes and hangs per target.
#
#   fuzz/run.sh [SECONDS] [TARGET...]       default: 600 s each for safetensors checkpoint idx npy npz csv onnx
#   FUZZ_CPU=1 fuzz/run.sh 60 csv           pin afl-fuzz and the harness to this core (default 1)
#   FUZZ_SAVE=1 fuzz/run.sh ...             also refresh fuzz/corpus/TARGET from afl's queue (small inputs only)
#
# Needs afl++ (apt-get install afl++); installs SharpFuzz.CommandLine 2.3.0 into fuzz/.tools. Findings go to
# fuzz/out/TARGET (ignored by git); crashes are copied to fuzz/out/crashes/TARGET for triage:
#   dotnet fuzz/out/bin/Pitts.Fuzz.dll TARGET FILE     (runs one file outside afl and prints the exception)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors checkpoint idx npy npz csv onnx)
cpu=${FUZZ_CPU:-1}
command -v afl-fuzz >/dev/null || { echo "run.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 2; }

if [ ! -x fuzz/.tools/sharpfuzz ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path fuzz/.tools >/dev/null
fi
dotnet publish fuzz/Pitts.Fuzz -c Release -o fuzz/out/bin --nologo -v quiet >/dev/null
# Instrument the libraries themselves (not the harness, Google.Protobuf or the framework): afl sees the branches of Pitts' readers.
# (It says "already instrumented" when publish left the previous, instrumented copy in place.)
for dll in Pitts.dll Pitts.Onnx.dll; do fuzz/.tools/sharpfuzz "fuzz/out/bin/$dll" >/dev/null || true; done

export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export DOTNET_TieredPGO=0 DOTNET_gcServer=0
printf '%-12s %8s %12s %8s %8s %6s\n' target seconds executions paths crashes hangs
for t in "${targets[@]}"; do
  [ -d "fuzz/seeds/$t" ] || { echo "run.sh: no seeds for target '$t' (fuzz/seeds/$t)" >&2; exit 2; }
  out="fuzz/out/$t"
  rm -rf "$out"
  dict=(); [ -f "fuzz/dict/$t.dict" ] && dict=(-x "fuzz/dict/$t.dict")
  taskset -c "$cpu" afl-fuzz -V "$secs" -t 5000 -m none "${dict[@]}" -i "fuzz/seeds/$t" -o "$out" \
    -- dotnet fuzz/out/bin/Pitts.Fuzz.dll "$t" > "fuzz/out/$t.log" 2>&1 || true
  stats="$out/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then echo "$t: afl-fuzz did not start, see fuzz/out/$t.log" >&2; tail -5 "fuzz/out/$t.log" >&2; continue; fi
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  printf '%-12s %8s %12s %8s %8s %6s\n' "$t" "$(get run_time)" "$(get execs_done)" "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)"
  mkdir -p "fuzz/out/crashes/$t"
  find "$out/default/crashes" -type f -name 'id:*' -exec cp {} "fuzz/out/crashes/$t/" \; 2>/dev/null || true
  if [ "${FUZZ_SAVE:-0}" = 1 ]; then
    # The replay test runs fuzz/corpus through every reader: keep it small (inputs up to 4 KB, 120 per target).
    rm -rf "fuzz/corpus/$t" && mkdir -p "fuzz/corpus/$t"
    find "$out/default/queue" -maxdepth 1 -type f -name 'id:*' -size -4k | sort | tail -n 120 | while read -r f; do
      cp "$f" "fuzz/corpus/$t/$(sha1sum "$f" | cut -c1-16)"
    done
  fi
done
