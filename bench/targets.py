#!/usr/bin/env python3
"""The same networks on every target in one run: cnnc on the CPU, cnnc on a
Vulkan device, ONNX Runtime on the CPU.

For each network: export it (seeded random weights, calibrated BatchNorm kept,
batch 1, opset 13), compile it for each target, check each artifact against
ONNX Runtime, then time them in interleaved rounds (warm-up, then `--reps`
runs of each). The Vulkan row also gives the sum of the kernels' device time
(timestamp queries, `cnnc-bench --profile`) and the number of dispatches.
On a machine whose only Vulkan device is lavapipe the Vulkan figures are
those of Mesa's CPU rasterizer, not of a GPU.

    bench/targets.py [--bin-dir build/bin] [--out DIR] [--rounds 3] [--reps 10]
                     [--size 224] [--device vulkan] [--models mobilenet_v2 ...]
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

MODELS = ["mobilenet_v2", "shufflenet_v2_x1_0", "squeezenet1_1", "resnet18"]


def run(argv):
    res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        sys.exit(f"failed ({res.returncode}): {' '.join(argv)}\n{res.stdout}")
    return res.stdout


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "bin"))
    p.add_argument("--out", default="/tmp/cnnc-bench-targets")
    p.add_argument("--models", nargs="+", default=MODELS)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--device", default="vulkan", help="cnnc-run device for the Vulkan artifact")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--reps", type=int, default=10)
    args = p.parse_args(argv)
    tool = {t: os.path.join(args.bin_dir, t) for t in ("cnnc", "cnnc-run", "cnnc-bench")}
    devices = run([tool["cnnc-run"], "--list-devices"])
    vulkan = next((l for l in devices.splitlines() if l.startswith(args.device)), None)
    if vulkan is None:
        sys.exit(f"no Vulkan device '{args.device}':\n{devices}")
    print(f"Vulkan device: {vulkan}")
    shape = (1, 3, args.size, args.size)
    rows = []
    for name in args.models:
        wd = os.path.join(args.out, name)
        os.makedirs(wd, exist_ok=True)
        onnx_path = os.path.join(wd, "model.onnx")
        cnnc_models.export(cnnc_models.build(name, seed=0, calib_size=args.size), onnx_path,
                           shape, 13, keep_batchnorm=True)
        x = cnnc_models.make_input(shape, 0)
        x_path = os.path.join(wd, "input.npy")
        np.save(x_path, x)
        ref = cnnc_models.ort_run(onnx_path, [x])[0]
        sos = {}
        for target, device in (("cpu", "cpu"), ("vulkan", args.device)):
            so = os.path.join(wd, f"{target}.so")
            run([tool["cnnc"], onnx_path, "-o", so, f"--target={target}"])
            y_path = os.path.join(wd, f"{target}.npy")
            run([tool["cnnc-run"], so, f"--device={device}", f"--input=@{x_path}",
                 f"--output=@{y_path}"])
            ok, stats = cnnc_models.compare(np.load(y_path), ref)
            print(f"{name} {target}: max abs error {stats['max_abs_err']:.1e} "
                  f"(bound {stats['bound']:.1e}) {'ok' if ok else 'MISMATCH'}", flush=True)
            if not ok:
                sys.exit(1)
            sos[device] = so
        times = {"cpu": [], args.device: [], "ort": [], "kernels": []}
        dispatches = 0
        for _ in range(args.rounds):
            for device, so in sos.items():
                flags = ["--profile"] if device != "cpu" else ["--threads=1"]
                out = run([tool["cnnc-bench"], so, f"--device={device}", f"--input=@{x_path}",
                           "--warmup=2", f"--reps={args.reps}"] + flags)
                times[device].append(float(re.search(r"median_ms=([0-9.]+)", out).group(1)))
                total = re.search(r"total gpu_ms=([0-9.]+) dispatches=(\d+)", out)
                if total:
                    times["kernels"].append(float(total.group(1)))
                    dispatches = int(total.group(2))
            times["ort"].append(cnnc_models.ort_bench(onnx_path, [x], threads=1, warmup=2,
                                                      reps=args.reps)["median_ms"])
        rows.append((name, {k: float(np.median(v)) for k, v in times.items()}, dispatches))
    print(f"\nmedian latency in ms, batch 1, {args.size}x{args.size}, {args.rounds} interleaved "
          f"rounds of {args.reps} runs; CPU and ONNX Runtime 1 thread")
    print(f"{'network':20s} {'cnnc cpu':>9s} {'cnnc vulkan':>12s} {'kernels':>8s} "
          f"{'dispatches':>10s} {'ORT cpu':>8s}")
    for name, t, n in rows:
        print(f"{name:20s} {t['cpu']:9.2f} {t[args.device]:12.2f} {t['kernels']:8.2f} "
              f"{n:10d} {t['ort']:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
