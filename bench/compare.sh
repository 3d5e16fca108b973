#!/usr/bin/env bash
# Runs the same workloads in Pitts and in PyTorch on this machine, in the same run, and prints a Markdown table
# (workload, Pitts, PyTorch, speedup = PyTorch time / Pitts time; above 1 means Pitts is faster) and writes JSON.
#
# usage: bench/compare.sh [--smoke] [--repeats N] [--out FILE.json] [--nice N] [workload ...]
#   workloads: sgemm-256 sgemm-512 sgemm-1024 sgemm-2048 lecture-mlp universal-approx mlp-epoch cnn-epoch
#              rnn-seq attention (default: all)
#   --smoke    tiny sizes (seconds in total), for CI
#   --out      JSON results (default: $PITTS_ARTIFACTS/bench-compare.json)
#   --nice N   run both sides at this nice level (negative needs root), to measure on a machine shared with other work
#   env PITTS_ARTIFACTS: build folder for the runner (default: artifacts)
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=()
nice=()
repeats=3
out=""  # default: $PITTS_ARTIFACTS/bench-compare.json
workloads=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=(--smoke) ;;
    --repeats) repeats="$2"; shift ;;
    --out) out="$2"; shift ;;
    --nice) nice=(nice -n "$2"); shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
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
# Interleave the two sides workload by workload, so that load from other processes hits both alike.
for w in "${workloads[@]}"; do
  echo "compare.sh: $w" >&2
  "${nice[@]}" dotnet "$runner" "${smoke[@]}" --repeats "$repeats" "$w" > "$tmp/pitts-$w.json"
  # PyTorch at its best: OpenBLAS picks its own kernels for this CPU (no OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
  # override), one intra-op thread, and the pthread OpenBLAS even when another libblas.so.3 is the default.
  blasdir=/usr/lib/x86_64-linux-gnu/openblas-pthread
  "${nice[@]}" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$blasdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    /usr/bin/python3 bench/torch_bench.py "${smoke[@]}" --repeats "$repeats" "$w" > "$tmp/torch-$w.json"
done

/usr/bin/python3 - "$tmp" "$out" "${workloads[@]}" <<'PY'
import json, os, platform, subprocess, sys, datetime
tmp, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()
rows, meta = [], {}
for n in names:
    p = json.load(open(os.path.join(tmp, f"pitts-{n}.json")))
    t = json.load(open(os.path.join(tmp, f"torch-{n}.json")))
    meta = {"pitts_runtime": p["runtime"], "torch_version": t["version"], "torch_config": t["config"],
            "torch_parallel": t["parallel"], "torch_blas": t["blas"]}
    pr, tr = p["results"][0], t["results"][0]
    rows.append({"workload": n, "pitts": pr, "pytorch": tr, "speedup": tr["seconds"] / pr["seconds"]})
def cell(r):
    s = f"{r['seconds'] * 1e3:.3f} ms" if r["seconds"] < 1 else f"{r['seconds']:.3f} s"
    return s + (f" ({r['gflops']:.0f} GFLOP/s)" if "gflops" in r else "")
doc = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
       "cpu": cpu(), "cores": os.cpu_count(), "smoke": rows[0]["pitts"]["smoke"] if rows else False, **meta, "rows": rows}
print(f"Date {doc['date']}, CPU {doc['cpu']}, {doc['cores']} cores, {meta.get('pitts_runtime', '')}, PyTorch {meta.get('torch_version', '')} (BLAS: OpenBLAS pthread via {meta.get('torch_blas', '')})\n")
def cpu(r):
    c = r.get("cpu_seconds")
    return "" if c is None else (f"{c * 1e3:.3f} ms" if c < 1 else f"{c:.3f} s")
def cpu_ratio(row):
    p, t = row["pitts"].get("cpu_seconds"), row["pytorch"].get("cpu_seconds")
    return f"{t / p:.2f}x" if p and t else ""
print("| workload | Pitts | PyTorch | speedup | Pitts CPU | PyTorch CPU | CPU ratio |")
print("|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['workload']} | {cell(r['pitts'])} | {cell(r['pytorch'])} | {r['speedup']:.2f}x | {cpu(r['pitts'])} | {cpu(r['pytorch'])} | {cpu_ratio(r)} |")
print("\nspeedup = PyTorch wall time / Pitts wall time (above 1: Pitts faster). CPU = process CPU seconds of all threads "
      "(least over the repeats), a load-robust second view; CPU ratio = PyTorch CPU / Pitts CPU.")
if out:
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)
    print(f"\n(JSON written to {out})", file=sys.stderr)
PY
