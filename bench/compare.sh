#!/usr/bin/env bash
# Runs the same workloads in Pitts, in PyTorch and in LibTorch (TorchSharp) on this machine, in the same run, on one
# and on two threads, and prints a Markdown table (speedup = the other engine's time / Pitts' time; above 1 means
# Pitts is faster) and writes JSON.
#
# usage: bench/compare.sh [--smoke] [--repeats N] [--threads "1 2"] [--no-libtorch] [--out FILE.json] [--nice N] [workload ...]
#   workloads: sgemm-256 sgemm-512 sgemm-1024 sgemm-2048 lecture-mlp universal-approx mlp-epoch cnn-epoch
#              rnn-seq attention (default: all)
#   --smoke    tiny sizes (seconds in total)
#   --threads  the thread counts to run every engine with (default "1 2"): Pitts --threads N, PyTorch
#              set_num_threads(N) with N OpenBLAS threads, LibTorch set_num_threads(N)
#   --no-libtorch  skip the LibTorch column (it needs TorchSharp-cpu, 600 MB from NuGet, on the first build)
#   --out      JSON results (default: $PITTS_ARTIFACTS/bench-compare.json)
#   --nice N   run every side at this nice level (negative needs root), to measure on a machine shared with other work
#   env PITTS_ARTIFACTS: build folder for the runners (default: artifacts)
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=()
nice=()
repeats=3
threads="1 2"
libtorch=1
out=""  # default: $PITTS_ARTIFACTS/bench-compare.json
workloads=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=(--smoke) ;;
    --repeats) repeats="$2"; shift ;;
    --out) out="$2"; shift ;;
    --nice) nice=(nice -n "$2"); shift ;;
    --threads) threads="$2"; shift ;;
    --no-libtorch) libtorch=0 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    *) workloads+=("$1") ;;
  esac
  shift
done
all=(sgemm-256 sgemm-512 sgemm-1024 sgemm-2048 lecture-mlp universal-approx mlp-epoch cnn-epoch rnn-seq attention)
if [ ${#workloads[@]} -eq 0 ]; then workloads=("${all[@]}"); fi
for w in "${workloads[@]}"; do
  case " ${all[*]} " in
    *" $w "*) ;;
    *) [[ "$w" =~ ^(sgemm|matmul)-[0-9]+$ ]] || { echo "compare.sh: unknown workload '$w'; known: ${all[*]}" >&2; exit 2; } ;;
  esac
done

# What the PyTorch side needs: Debian's torch, the BLAS its package recommends (OpenBLAS, pthread build), and the data.
need=()
/usr/bin/python3 -c "import torch" 2>/dev/null || need+=(python3-torch)
[ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ] || need+=(libopenblas0-pthread)
[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
if [ ${#need[@]} -gt 0 ]; then
  echo "compare.sh: installing ${need[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -q "${need[@]}" >&2 || { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q "${need[@]}" >&2; }
fi

art="${PITTS_ARTIFACTS:-artifacts}"
echo "compare.sh: building bench/Pitts.Bench (Release) into $art" >&2
dotnet build -c Release bench/Pitts.Bench --artifacts-path "$art" -nologo -v q >&2
runner="$art/bin/Pitts.Bench/release/Pitts.Bench.dll"
[ -n "$out" ] || out="$art/bench-compare.json"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# LibTorch (TorchSharp-cpu 0.107.0): its build restores 600 MB of packages the first time and patches the copied
# libLibTorchSharp.so so that it loads on Debian 12 (see docs/BENCHMARKS.md). Skipped with a note when either fails.
ltrunner="$art/bin/Pitts.Bench.LibTorch/release/Pitts.Bench.LibTorch.dll"
libtorch_note=""
if [ "$libtorch" -eq 1 ]; then
  echo "compare.sh: building bench/Pitts.Bench.LibTorch (Release) into $art" >&2
  if ! dotnet build -c Release bench/Pitts.Bench.LibTorch --artifacts-path "$art" -nologo -v q > "$tmp/libtorch-build.log" 2>&1; then
    libtorch_note="LibTorch column skipped: bench/Pitts.Bench.LibTorch did not build ($(grep -m1 -E 'error' "$tmp/libtorch-build.log" || tail -n 1 "$tmp/libtorch-build.log"))"
  elif ! dotnet "$ltrunner" --smoke --repeats 1 sgemm-256 > /dev/null 2> "$tmp/libtorch-load.log"; then
    libtorch_note="LibTorch column skipped: the runner did not load ($(grep -m1 -iE 'exception|error' "$tmp/libtorch-load.log" || tail -n 1 "$tmp/libtorch-load.log"))"
  fi
  [ -z "$libtorch_note" ] || { echo "compare.sh: $libtorch_note" >&2; libtorch=0; }
else
  libtorch_note="LibTorch column skipped (--no-libtorch)"
fi

# Interleave the engines workload by workload and thread count by thread count, so that load from other
# processes hits all of them alike.
for w in "${workloads[@]}"; do
  for t in $threads; do
    echo "compare.sh: $w, $t thread(s)" >&2
    "${nice[@]}" dotnet "$runner" "${smoke[@]}" --repeats "$repeats" --threads "$t" "$w" > "$tmp/pitts-$w-$t.json"
    # PyTorch at its best: OpenBLAS picks its own kernels for this CPU (no OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
    # override), and the pthread OpenBLAS even when another libblas.so.3 is the default.
    blasdir=/usr/lib/x86_64-linux-gnu/openblas-pthread
    "${nice[@]}" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$blasdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      /usr/bin/python3 bench/torch_bench.py "${smoke[@]}" --repeats "$repeats" --threads "$t" "$w" > "$tmp/torch-$w-$t.json"
    if [ "$libtorch" -eq 1 ]; then
      "${nice[@]}" dotnet "$ltrunner" "${smoke[@]}" --repeats "$repeats" --threads "$t" "$w" > "$tmp/libtorch-$w-$t.json"
    fi
  done
done

/usr/bin/python3 - "$tmp" "$out" "$threads" "$libtorch_note" "${workloads[@]}" <<'PY'
import json, os, platform, subprocess, sys, datetime
tmp, out, threads, libtorch_note, names = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4], sys.argv[5:]
def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()
rows, meta = [], {}
def load(path):
    return json.load(open(path)) if os.path.exists(path) else None
for n in names:
    for th in threads:
        p = load(os.path.join(tmp, f"pitts-{n}-{th}.json"))
        t = load(os.path.join(tmp, f"torch-{n}-{th}.json"))
        lt = load(os.path.join(tmp, f"libtorch-{n}-{th}.json"))
        meta = {"pitts_runtime": p["runtime"], "torch_version": t["version"], "torch_config": t["config"],
                "torch_parallel": t["parallel"], "torch_blas": t["blas"]}
        if lt:
            meta.update({"libtorch_version": lt["version"], "torchsharp_version": lt["torchsharp"]})
        pr, tr = p["results"][0], t["results"][0]
        row = {"workload": n, "threads": int(th), "pitts": pr, "pytorch": tr, "speedup": tr["seconds"] / pr["seconds"]}
        if lt:
            row["libtorch"] = lt["results"][0]
            row["speedup_libtorch"] = row["libtorch"]["seconds"] / pr["seconds"]
        rows.append(row)
def cell(r):
    if r is None:
        return "-"
    s = f"{r['seconds'] * 1e3:.3f} ms" if r["seconds"] < 1 else f"{r['seconds']:.3f} s"
    return s + (f" ({r['gflops']:.0f} GFLOP/s)" if "gflops" in r else "")
doc = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
       "cpu": cpu(), "cores": os.cpu_count(), "load_average": os.getloadavg(),
       "smoke": rows[0]["pitts"]["smoke"] if rows else False, **meta, "libtorch_note": libtorch_note, "rows": rows}
lt_text = f", LibTorch {meta['libtorch_version']} (TorchSharp {meta['torchsharp_version']})" if "libtorch_version" in meta else ""
print(f"Date {doc['date']}, CPU {doc['cpu']}, {doc['cores']} cores, load average {doc['load_average'][0]:.2f}, "
      f"{meta.get('pitts_runtime', '')}, PyTorch {meta.get('torch_version', '')} (BLAS: OpenBLAS pthread via "
      f"{meta.get('torch_blas', '')}){lt_text}\n")
def cpu_time(r):
    c = None if r is None else r.get("cpu_seconds")
    return "" if c is None else (f"{c * 1e3:.3f} ms" if c < 1 else f"{c:.3f} s")
print("| workload | threads | Pitts | PyTorch | LibTorch | vs PyTorch | vs LibTorch | Pitts CPU | PyTorch CPU | LibTorch CPU |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    lt = r.get("libtorch")
    vs_lt = f"{r['speedup_libtorch']:.2f}x" if lt else "-"
    print(f"| {r['workload']} | {r['threads']} | {cell(r['pitts'])} | {cell(r['pytorch'])} | {cell(lt)} | {r['speedup']:.2f}x | "
          f"{vs_lt} | {cpu_time(r['pitts'])} | {cpu_time(r['pytorch'])} | {cpu_time(lt)} |")
print("\nvs X = X's wall time / Pitts' wall time (above 1: Pitts faster). threads: Pitts --threads N, PyTorch "
      "set_num_threads(N) with N OpenBLAS threads, LibTorch set_num_threads(N). CPU = process CPU seconds of all "
      "threads (least over the repeats), a load-robust second view.")
if libtorch_note:
    print(f"\n{libtorch_note}")
if out:
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)
    print(f"\n(JSON written to {out})", file=sys.stderr)
PY
