#!/usr/bin/env python3
"""cnnc demo: compile a torchvision CNN, check it against ONNX Runtime, time both.

Exports the model (seeded random weights, calibrated BatchNorm kept as
BatchNormalization nodes) to OUT/model.onnx, compiles it with cnnc for the CPU,
runs it with cnnc-run on a seeded input, compares with ONNX Runtime's CPU EP
(normwise: max|out - ref| <= atol + rtol * max|ref|), then times cnnc-bench and
ONNX Runtime side by side in this run with the same thread count, warm-up and
repetitions. Exit status: 0 MATCH, 1 MISMATCH, 2 a tool failed.
"""

import argparse
import os
import platform
import re
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))

import numpy as np  # noqa: E402

import cnnc_models  # noqa: E402

BENCH_RE = re.compile(r"median_ms=([0-9.eE+-]+)")


def run(argv, what):
    print("$ " + " ".join(shlex.quote(a) for a in argv), flush=True)
    try:
        res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True)
    except OSError as e:
        print(f"demo: {what}: cannot run {argv[0]}: {e.strerror}", file=sys.stderr)
        sys.exit(2)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        print(f"demo: {what} failed with exit status {res.returncode}", file=sys.stderr)
        sys.exit(2)
    return res


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="mobilenet_v2", help="torchvision model name")
    p.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "bin"),
                   help="directory with cnnc, cnnc-run, cnnc-bench (default: build/bin)")
    p.add_argument("--out", default=os.path.join(ROOT, "out", "demo"),
                   help="directory for the model, artifact and arrays (default: out/demo)")
    p.add_argument("--reps", type=int, default=50, help="timed repetitions (default 50)")
    p.add_argument("--warmup", type=int, default=10, help="untimed warm-up runs (default 10)")
    p.add_argument("--threads", type=int, default=1, help="threads for cnnc and ORT (default 1)")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rtol", type=float, default=cnnc_models.DEFAULT_RTOL)
    p.add_argument("--atol", type=float, default=cnnc_models.DEFAULT_ATOL)
    args = p.parse_args()

    tools = {t: os.path.join(args.bin_dir, t) for t in ("cnnc", "cnnc-run", "cnnc-bench")}
    for t, path in tools.items():
        if not os.access(path, os.X_OK):
            print(f"demo: {path} not found; build first (bash scripts/build.sh)", file=sys.stderr)
            sys.exit(2)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    onnx_path = os.path.join(out, "model.onnx")
    so_path = os.path.join(out, "model.so")
    in_path = os.path.join(out, "input.npy")
    for f in os.listdir(out):  # nothing from an earlier run may be reused
        if f in ("model.onnx", "model.so", "input.npy") or (f.startswith("output") and f.endswith(".npy")):
            os.remove(os.path.join(out, f))

    shape = (args.batch, 3, args.size, args.size)
    t0 = time.time()
    model = cnnc_models.build(args.model, args.seed, calib_size=args.size)
    cnnc_models.export(model, onnx_path, shape, args.opset, keep_batchnorm=True)
    ops = cnnc_models.op_counts(onnx_path)
    print(f"exported {args.model} to {onnx_path}: {sum(ops.values())} nodes "
          f"({ops.get('Conv', 0)} Conv, {ops.get('BatchNormalization', 0)} BatchNormalization) "
          f"in {time.time() - t0:.1f}s", flush=True)

    x = cnnc_models.make_input(shape, args.seed)
    np.save(in_path, x)
    refs = cnnc_models.ort_run(onnx_path, [x], threads=args.threads)
    out_paths = [os.path.join(out, f"output{i}.npy") for i in range(len(refs))]

    t0 = time.time()
    run([tools["cnnc"], onnx_path, "-o", so_path, "--target=cpu"], "cnnc")
    compile_s = time.time() - t0
    run([tools["cnnc-run"], so_path, "--device=cpu", f"--input=@{in_path}"]
        + [f"--output=@{q}" for q in out_paths], "cnnc-run")
    outs = []
    for q in out_paths:
        if not os.path.isfile(q):
            print(f"demo: cnnc-run wrote no {q}", file=sys.stderr)
            sys.exit(2)
        outs.append(np.load(q, allow_pickle=False))

    results = [cnnc_models.compare(o, r, args.rtol, args.atol) for o, r in zip(outs, refs)]
    match = len(outs) == len(refs) and all(ok for ok, _ in results)

    bench = run([tools["cnnc-bench"], so_path, "--device=cpu", f"--input=@{in_path}",
                 f"--warmup={args.warmup}", f"--reps={args.reps}", f"--threads={args.threads}"],
                "cnnc-bench")
    m = BENCH_RE.search(bench.stdout)
    if not m:
        print(f"demo: cannot parse cnnc-bench output: {bench.stdout.strip()!r}", file=sys.stderr)
        sys.exit(2)
    cnnc_ms = float(m.group(1))
    ort = cnnc_models.ort_bench(onnx_path, [x], threads=args.threads, warmup=args.warmup,
                                reps=args.reps)
    ort_ms = ort["median_ms"]

    top_cnnc = [int(i) for i in np.asarray(outs[0]).reshape(args.batch, -1).argmax(axis=1)] \
        if np.asarray(outs[0]).size == np.asarray(refs[0]).size else ["n/a"]
    top_ort = [int(i) for i in np.asarray(refs[0]).reshape(args.batch, -1).argmax(axis=1)]
    print()
    print("cnnc demo")
    print(f"  machine          {cpu_name()}, {os.cpu_count()} logical CPUs")
    print(f"  model            {args.model} (seed {args.seed}, opset {args.opset}, "
          f"{ops.get('BatchNormalization', 0)} BatchNormalization nodes)")
    print(f"  input shape      {list(shape)}")
    print(f"  compile time     {compile_s:.1f} s")
    for i, (ok, st) in enumerate(results):
        print(f"  output {i}         shape {st['shape']}  max abs error {st['max_abs_err']:.3e}  "
              f"bound {st['bound']:.3e} ({args.atol:g} + {args.rtol:g} * max|ref| {st['max_abs_ref']:.3e})"
              + (f"  [{st['reason']}]" if st["reason"] else ""))
    print(f"  top-1 class      cnnc {top_cnnc}  ORT {top_ort}")
    print(f"  latency (median of {args.reps} after {args.warmup} warm-up, {args.threads} thread"
          f"{'s' if args.threads != 1 else ''})")
    print(f"    cnnc           {cnnc_ms:.3f} ms")
    print(f"    ONNX Runtime   {ort_ms:.3f} ms")
    print(f"    ratio          {ort_ms / cnnc_ms:.2f}x (ORT time / cnnc time; > 1 means cnnc is faster)"
          if cnnc_ms > 0 else "    ratio          n/a")
    print(f"  result           {'MATCH' if match else 'MISMATCH'}")
    return 0 if match else 1


if __name__ == "__main__":
    sys.exit(main())
