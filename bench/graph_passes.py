#!/usr/bin/env python3
"""Graph passes on vs off: latency of the same networks in one run.

For each network: export it (seeded random weights, calibrated BatchNorm kept,
batch 1, 224x224, opset 13), compile it twice with cnnc, with the graph passes
(default) and without (--no-graph-opt), check both against ONNX Runtime, print
`cnnc --stats`, then time the two artifacts and ONNX Runtime in interleaved
rounds (each round: warm-up, then `--reps` runs of each, one thread) and print
the median over all runs of each.

    bench/graph_passes.py [--bin-dir build/bin] [--out DIR] [--rounds 3] [--reps 30]
                          [--models shufflenet_v2_x1_0 mobilenet_v2 ...]
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
import cnnc_models  # noqa: E402

MODELS = ["shufflenet_v2_x1_0", "mobilenet_v2", "mobilenet_v3_large", "efficientnet_b0"]
VARIANTS = {"passes on": [], "passes off": ["--no-graph-opt"]}


def run(argv):
    res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        sys.exit(f"failed ({res.returncode}): {' '.join(argv)}\n{res.stdout}")
    return res.stdout


def cnnc_times(bench, so, x_path, reps):
    out = run([bench, so, f"--input=@{x_path}", "--warmup=5", f"--reps={reps}", "--threads=1"])
    return float(re.search(r"median_ms=([0-9.]+)", out).group(1))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "bin"))
    p.add_argument("--out", default="/tmp/cnnc-bench-graph-passes")
    p.add_argument("--models", nargs="+", default=MODELS)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--reps", type=int, default=30)
    args = p.parse_args(argv)
    tool = {t: os.path.join(args.bin_dir, t) for t in ("cnnc", "cnnc-run", "cnnc-bench")}
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name in args.models:
        wd = os.path.join(args.out, name)
        os.makedirs(wd, exist_ok=True)
        onnx_path = os.path.join(wd, "model.onnx")
        model = cnnc_models.build(name, seed=0)
        cnnc_models.export(model, onnx_path, (1, 3, 224, 224), 13, keep_batchnorm=True)
        x = cnnc_models.make_input((1, 3, 224, 224), 0)
        x_path = os.path.join(wd, "input.npy")
        np.save(x_path, x)
        ref = cnnc_models.ort_run(onnx_path, [x])[0]
        print(f"== {name}")
        print(run([tool["cnnc"], onnx_path, "--stats", "--emit=cnn-opt", "-o", os.devnull]).strip())
        sos = {}
        for variant, flags in VARIANTS.items():
            so = os.path.join(wd, variant.replace(" ", "-") + ".so")
            run([tool["cnnc"], onnx_path, "-o", so] + flags)
            y_path = os.path.join(wd, "output.npy")
            run([tool["cnnc-run"], so, f"--input=@{x_path}", f"--output=@{y_path}"])
            ok, stats = cnnc_models.compare(np.load(y_path), ref)
            print(f"{variant}: max abs error {stats['max_abs_err']:.1e} "
                  f"(bound {stats['bound']:.1e}) {'ok' if ok else 'MISMATCH'}")
            if not ok:
                sys.exit(1)
            sos[variant] = so
        times = {v: [] for v in list(VARIANTS) + ["ONNX Runtime"]}
        for _ in range(args.rounds):
            for variant, so in sos.items():
                times[variant].append(cnnc_times(tool["cnnc-bench"], so, x_path, args.reps))
            times["ONNX Runtime"].append(
                cnnc_models.ort_bench(onnx_path, [x], threads=1, warmup=5, reps=args.reps)["median_ms"])
        rows.append((name, {v: float(np.median(t)) for v, t in times.items()}))
    print(f"\nmedian latency in ms, batch 1, 224x224, 1 thread, {args.rounds} interleaved rounds of "
          f"{args.reps} runs, {os.cpu_count()} logical CPUs")
    print(f"{'network':22s} {'passes on':>10s} {'passes off':>11s} {'ONNX Runtime':>13s}")
    for name, t in rows:
        print(f"{name:22s} {t['passes on']:10.2f} {t['passes off']:11.2f} {t['ONNX Runtime']:13.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
