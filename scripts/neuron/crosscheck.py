#!/usr/bin/env python3
"""Cross-check of Pitts.Neuro's Hodgkin-Huxley model against NEURON (Debian's python3-neuron).

Runs NEURON's built-in `hh` mechanism in a single compartment of area 100 um^2 at 6.3 C with el_hh = -54.387 mV,
rate tables off (usetable_hh = 0, so the rates are computed exactly, not interpolated), integrated with a fixed
step of 0.0005 ms by Crank-Nicolson (secondorder = 2), V taken every 0.01 ms, and writes to results.json beside this script:
  - the resting potential (after 2 s with no current),
  - spike times (time of each voltage peak) for constant currents switched on at t = 0 from rest,
  - spike times at 10 uA/cm^2 for 200 ms at 18.5 C (the Q10 = 3 temperature scaling),
  - the f-I curve 0..20 uA/cm^2 in steps of 0.5 over 1000 ms (rate = 1000 / mean ISI of the spikes in the
    second half of the run, 0 with fewer than two),
  - wall-clock times of a 1 s run at 10 uA/cm^2 with NEURON's fixed step (dt = 0.01 ms, V recorded every step)
    and with CVODE (at rtol = atol = 1e-9, and at NEURON's default tolerances), best of three, recording V at
    every step taken.
Spikes are peaks of V with a prominence of at least 20 mV (the same rule as Pitts.Neuro's SpikeDetector, coded
here independently), refined by a parabola through the three samples around the peak.

Usage: /usr/bin/python3 scripts/neuron/crosscheck.py   (takes about a minute)
"""
import json
import math
import os
import time

from neuron import h

CELSIUS = 6.3
WARM_CELSIUS = 18.5
EL = -54.387
AREA_UM2 = 100.0
RECORD_DT = 0.01
FINE_DT = 0.0005
PROMINENCE_MV = 20.0

h.load_file("stdrun.hoc")
soma = h.Section(name="soma")
soma.nseg = 1
soma.L = soma.diam = math.sqrt(AREA_UM2 / math.pi)  # side area pi*d*L = 100 um^2 = 1e-6 cm^2
soma.cm = 1.0
soma.insert("hh")
soma.el_hh = EL
soma.ena = 50.0
soma.ek = -77.0
h.usetable_hh = 0
h.celsius = CELSIUS
area_um2 = h.area(0.5, sec=soma)
assert abs(area_um2 - AREA_UM2) < 1e-9, area_um2

stim = h.IClamp(soma(0.5))
stim.delay = 0
stim.dur = 1e9
cvode = h.CVode()


def ua_cm2_to_na(i):
    # I [uA/cm^2] * area [cm^2] = uA; x 1000 = nA.
    return i * area_um2 * 1e-8 * 1e3


def run(current, duration, v0):
    """V on the grid k * RECORD_DT from a fixed-step run at FINE_DT with Crank-Nicolson (secondorder = 2).

    Fixed steps, because NEURON's recording at given times under CVODE was seen to skip samples."""
    stim.amp = ua_cm2_to_na(current)
    cvode.active(0)
    h.dt = FINE_DT
    h.steps_per_ms = 1.0 / FINE_DT
    h.secondorder = 2
    v = h.Vector()
    v.record(soma(0.5)._ref_v)  # every step
    tv = h.Vector()
    tv.record(h._ref_t)
    h.finitialize(v0)
    h.continuerun(duration + 3 * RECORD_DT)
    stride = int(round(RECORD_DT / FINE_DT))
    expected = int(round(duration / RECORD_DT)) + 1
    out = [v[k * stride] for k in range(expected)]
    assert all(abs(tv[k * stride] - k * RECORD_DT) < 1e-6 for k in range(expected)), "off-grid sample"
    return out


def relax(duration, v0):
    """The potential after `duration` ms with no current, starting from steady state at v0."""
    stim.amp = 0.0
    cvode.active(1)
    cvode.rtol(1e-9)
    cvode.atol(1e-9)
    h.finitialize(v0)
    h.continuerun(duration)
    return soma(0.5).v


def prominence(v, i, j):
    peak = v[i]
    left = peak
    k = i - 1
    while k >= 0 and v[k] <= peak:
        left = min(left, v[k])
        k -= 1
    right = peak
    k = j + 1
    while k < len(v) and v[k] <= peak:
        right = min(right, v[k])
        k += 1
    return peak - max(left, right)


def spikes(v, dt=RECORD_DT, min_prominence=PROMINENCE_MV):
    out = []
    n = len(v)
    i = 1
    while i < n - 1:
        if not v[i] > v[i - 1]:
            i += 1
            continue
        j = i
        while j + 1 < n and v[j + 1] == v[i]:
            j += 1
        if j + 1 >= n or not v[j + 1] < v[i]:
            i = j + 1
            continue
        p = prominence(v, i, j)
        if p >= min_prominence:
            t = (i + j) // 2 * dt
            peak = v[(i + j) // 2]
            if i == j:
                a, b, c = v[i - 1], v[i], v[i + 1]
                curv = a - 2 * b + c
                if curv < 0:
                    d = 0.5 * (a - c) / curv
                    t = i * dt + d * dt
                    peak = b - 0.25 * (a - c) * d
            out.append({"t": t, "peak": peak, "prominence": p})
        i = j + 1
    return out


def rate(times, start):
    late = [t for t in times if t >= start]
    if len(late) < 2:
        return 0.0
    return 1000.0 * (len(late) - 1) / (late[-1] - late[0])


def main():
    # Rest: relax from -65 mV for 2 s with no current, then start every run from that exact steady state.
    rest = relax(2000.0, -65.0)
    rest = relax(2000.0, rest)

    spike_runs = {}
    for current in (7.0, 10.0, 15.0):
        sp = spikes(run(current, 1000.0, rest))
        spike_runs[f"{current:g}"] = {
            "duration_ms": 1000.0,
            "times_ms": [s["t"] for s in sp],
            "peaks_mv": [s["peak"] for s in sp],
        }

    # Temperature: the same mechanism at 18.5 C (NEURON scales its rates by 3^((celsius - 6.3)/10)).
    h.celsius = WARM_CELSIUS
    warm_sp = spikes(run(10.0, 200.0, rest))
    h.celsius = CELSIUS
    warm = {"celsius": WARM_CELSIUS, "current_uA_cm2": 10.0, "duration_ms": 200.0,
            "times_ms": [s["t"] for s in warm_sp], "peaks_mv": [s["peak"] for s in warm_sp]}

    fi = []
    for k in range(41):
        current = round(0.5 * k, 12)
        times = [s["t"] for s in spikes(run(current, 1000.0, rest))]
        fi.append({"current_uA_cm2": current, "rate_hz": rate(times, 500.0), "spike_count": len(times)})

    timings = {}
    for name, use_cvode in (("fixed_dt_0.01_ms", False), ("cvode_rtol_1e-9", True), ("cvode_default_tol", True)):
        best = float("inf")
        for _ in range(3):
            stim.amp = ua_cm2_to_na(10.0)
            cvode.active(1 if use_cvode else 0)
            if name == "cvode_default_tol":
                cvode.rtol(0)
                cvode.atol(1e-3)
            elif use_cvode:
                cvode.rtol(1e-9)
                cvode.atol(1e-9)
            else:
                h.dt = 0.01
                h.steps_per_ms = 100
                h.secondorder = 0
            v = h.Vector()
            v.record(soma(0.5)._ref_v)  # every step (fixed) or every CVODE step
            t0 = time.perf_counter()
            h.finitialize(rest)
            h.continuerun(1000.0)
            best = min(best, time.perf_counter() - t0)
        timings[name] = round(best * 1000.0, 2)

    result = {
        "source": "NEURON " + h.nrnversion() + " hh mechanism, usetable_hh=0, fixed dt 0.0005 ms, secondorder=2",
        "celsius": CELSIUS,
        "el_hh_mv": EL,
        "gnabar_S_cm2": soma.gnabar_hh,
        "gkbar_S_cm2": soma.gkbar_hh,
        "gl_S_cm2": soma.gl_hh,
        "ena_mv": soma.ena,
        "ek_mv": soma.ek,
        "area_um2": area_um2,
        "record_dt_ms": RECORD_DT,
        "min_prominence_mv": PROMINENCE_MV,
        "rest_mv": rest,
        "spikes": spike_runs,
        "warm": warm,
        "fi": fi,
        "wall_ms_1s_at_10uA": timings,
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"rest {rest:.6f} mV; rate at 10: {fi[20]['rate_hz']:.4f} Hz; timings {timings}; wrote {out}")


if __name__ == "__main__":
    main()
