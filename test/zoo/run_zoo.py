#!/usr/bin/env python3
"""cnnc model zoo: every network below, compiled by cnnc and checked against ONNX Runtime.

    run_zoo.py --cnnc PATH --cnnc-run PATH --workdir DIR
               [--label light|heavy|all] [--only NAME ...] [--list] [--keep]
               [--cnnc-flag FLAG ...] [--target cpu|vulkan|cuda]
               [--heavy-size N] [--spirv-val PATH] [--ptxas PATH] [--compile-only]

For each network: build it (seeded random weights, calibrated BatchNorm; see
test/e2e/cnnc_models.py and zoo_models.py), export it to ONNX with torch at the
opset below (BatchNormalization nodes kept where the table says "kept", folded
into the convs by the exporter otherwise), compute the ONNX Runtime CPU
reference, compile with `cnnc --target=TARGET` (cpu by default), run with
`cnnc-run --device=TARGET`, and compare every output normwise: pass iff
max|out - ref| <= 1e-5 + 1e-4 * max|ref|.

--heavy-size N runs the heavy networks at NxN inputs (batch 1) instead of the
table's size, for a quick look (vgg16_bn exports only at 224).
--spirv-val PATH (vulkan) also dumps every kernel and checks each with
spirv-val; a kernel that fails makes the network FAIL. --ptxas PATH (cuda)
assembles every kernel's PTX for the chip the artifact targets (sm_90 by
default) with `ptxas -v`; a kernel that fails to assemble or spills registers
makes the network FAIL, and the line gives the most registers a kernel uses.
--compile-only stops after compiling (and checking the kernels): for a target
whose device this machine lacks, the line says so instead of claiming a run.

  network              source       batch  input     opset  BN     label
  -------------------  -----------  -----  --------  -----  -----  -----
  alexnet              torchvision  1      224       9      -      light
  vgg16_bn             torchvision  1      224       13     kept   heavy
  googlenet            torchvision  2      224       11     folded light
  inception_v3         torchvision  1      299       17     folded heavy
  resnet18             torchvision  2      160       17     kept   light
  resnet50             torchvision  1      224       11     folded heavy
  wide_resnet50_2      torchvision  1      224       13     folded heavy
  resnext50_32x4d      torchvision  1      224       17     kept   heavy
  densenet121          torchvision  1      224       9      kept   heavy
  squeezenet1_0        torchvision  2      224       9      -      light
  squeezenet1_1        torchvision  1      256       17     -      light
  mobilenet_v2         torchvision  1      224       11     kept   light
  mobilenet_v3_small   torchvision  4      224       17     folded light
  mobilenet_v3_large   torchvision  1      192       13     kept   light
  shufflenet_v2_x0_5   torchvision  3      224       9      folded light
  shufflenet_v2_x1_0   torchvision  1      192       13     kept   light
  mnasnet1_0           torchvision  1      224       17     folded light
  efficientnet_b0      torchvision  1      240       11     kept   light
  lenet5               zoo_models   8      32 (1ch)  9      -      light
  mobilenet_v1         zoo_models   1      224       13     kept   light
  shufflenet_v1_g3     zoo_models   1      224       11     folded light
  shufflenet_v1_g8     zoo_models   2      224       17     kept   light
  xception             zoo_models   1      299       13     folded light   (middle flow 4 repeats, paper 8)
  se_resnet18          zoo_models   2      224       17     kept   light
  alexnet_lrn          zoo_models   1      227       11     -      light

("-": the network has no BatchNorm; --list shows the export setting, "folded".)
The table is ZOO below; this docstring mirrors it and --list prints it from ZOO.

Heavy: the six big torchvision networks and anything measured above 60 s.
Measured on the 2-core CI-sized machine (build of 2026-11-25, serial, lit -j1):
light 177 s in all (slowest: shufflenet_v1_g8 33 s, 31 s of it compiling;
xception 33 s, 27 s of it building and calibrating the model), heavy 247 s
(wide_resnet50_2 66-75 s, densenet121 51-55 s, vgg16_bn 37-48 s, the others
about 30 s). Every network passes at that build, so nothing is marked xfail.

A network whose failure is a known cnnc gap is listed with `xfail=(pattern,
reason)`: when it fails and its log matches `pattern` it prints
`XFAIL name: reason` and does not count as a failure; when it fails another way
it is a FAIL; when it passes it is an XPASS, which counts as a failure so that
the list is updated. Nothing is skipped silently.

Output: one line per network (PASS/FAIL/XFAIL/XPASS, seconds, error and bound or
the reason), the tool logs of every failure, then a summary line. Exit status 1
if any network FAILs or XPASSes, 2 on bad usage, 0 otherwise.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import traceback
from typing import List, Optional, Tuple

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.insert(1, os.path.join(os.path.dirname(_HERE), "e2e"))

import numpy as np  # noqa: E402

import cnnc_models  # noqa: E402


class Net:
    def __init__(self, name, source, batch, size, opset, keep_bn, label,
                 xfail: Optional[Tuple[str, str]] = None, note=""):
        self.name, self.source, self.batch, self.size = name, source, batch, size
        self.opset, self.keep_bn, self.label, self.xfail, self.note = opset, keep_bn, label, xfail, note

    def channels(self):
        if self.source == "zoo":
            import zoo_models
            return zoo_models.input_channels(self.name)
        return 3

    def shape(self):
        return (self.batch, self.channels(), self.size, self.size)

    def resized(self, size):
        """This network at size x size, batch 1."""
        return Net(self.name, self.source, 1, size, self.opset, self.keep_bn,
                   self.label, self.xfail, self.note)


TV, ZOO_SRC = "torchvision", "zoo"
L, H = "light", "heavy"

# name, source, batch, size, opset, keep BatchNorm, label[, xfail=(log pattern, reason)]
ZOO: List[Net] = [
    Net("alexnet", TV, 1, 224, 9, False, L),
    Net("vgg16_bn", TV, 1, 224, 13, True, H),
    Net("googlenet", TV, 2, 224, 11, False, L),
    Net("inception_v3", TV, 1, 299, 17, False, H),
    Net("resnet18", TV, 2, 160, 17, True, L),
    Net("resnet50", TV, 1, 224, 11, False, H),
    Net("wide_resnet50_2", TV, 1, 224, 13, False, H),
    Net("resnext50_32x4d", TV, 1, 224, 17, True, H),
    Net("densenet121", TV, 1, 224, 9, True, H),
    Net("squeezenet1_0", TV, 2, 224, 9, False, L),
    Net("squeezenet1_1", TV, 1, 256, 17, False, L),
    Net("mobilenet_v2", TV, 1, 224, 11, True, L),
    Net("mobilenet_v3_small", TV, 4, 224, 17, False, L),
    Net("mobilenet_v3_large", TV, 1, 192, 13, True, L),
    Net("shufflenet_v2_x0_5", TV, 3, 224, 9, False, L),
    Net("shufflenet_v2_x1_0", TV, 1, 192, 13, True, L),
    Net("mnasnet1_0", TV, 1, 224, 17, False, L),
    Net("efficientnet_b0", TV, 1, 240, 11, True, L),
    Net("lenet5", ZOO_SRC, 8, 32, 9, False, L),
    Net("mobilenet_v1", ZOO_SRC, 1, 224, 13, True, L),
    Net("shufflenet_v1_g3", ZOO_SRC, 1, 224, 11, False, L),
    Net("shufflenet_v1_g8", ZOO_SRC, 2, 224, 17, True, L),
    Net("xception", ZOO_SRC, 1, 299, 13, False, L, note="middle flow 4 repeats (paper 8)"),
    Net("se_resnet18", ZOO_SRC, 2, 224, 17, True, L),
    Net("alexnet_lrn", ZOO_SRC, 1, 227, 11, False, L),
]


def format_table(nets):
    rows = [f"{'network':<20} {'source':<12} {'batch':>5} {'input':>9} {'opset':>5}  "
            f"{'BN':<6} {'label':<6} expected"]
    for n in nets:
        shape = "x".join(str(d) for d in n.shape()[1:])
        bn = "kept" if n.keep_bn else "folded"
        exp = f"XFAIL: {n.xfail[1]}" if n.xfail else "PASS"
        if n.note:
            exp += f" ({n.note})"
        rows.append(f"{n.name:<20} {n.source:<12} {n.batch:>5} {shape:>9} {n.opset:>5}  "
                    f"{bn:<6} {n.label:<6} {exp}")
    return "\n".join(rows)


class Failure(Exception):
    """A network failed; `summary` is one line, `log` the full tool output."""

    def __init__(self, summary, log=""):
        super().__init__(summary)
        self.summary, self.log = summary, log


def _first_error_line(text):
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        if re.search(r"\berror\b", ln, re.I):
            return ln
    return lines[0] if lines else "(no output)"


def run_tool(argv, what, timeout):
    cmd = " ".join(shlex.quote(a) for a in argv)
    t0 = time.time()
    try:
        res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=timeout)
    except FileNotFoundError:
        raise Failure(f"{what}: {argv[0]}: not found")
    except subprocess.TimeoutExpired as e:
        err = e.stderr if isinstance(e.stderr, str) else (e.stderr or b"").decode(errors="replace")
        raise Failure(f"{what} timed out after {timeout}s", f"$ {cmd}\n{err}")
    if res.returncode != 0:
        sig = f" (signal {-res.returncode})" if res.returncode < 0 else ""
        log = f"$ {cmd}\nexit status {res.returncode}{sig}\n--- stderr\n{res.stderr}"
        if res.stdout:
            log += f"--- stdout\n{res.stdout}"
        raise Failure(f"{what} exit {res.returncode}{sig}: {_first_error_line(res.stderr + res.stdout)}",
                      log)
    return time.time() - t0


def build_model(net, seed):
    if net.source == ZOO_SRC:
        import zoo_models
        return zoo_models.build(net.name, seed, calib_size=net.size)
    return cnnc_models.build(net.name, seed, calib_size=net.size)


def check(net, args):
    """Runs one network; returns (stats dict, times dict) or raises Failure."""
    wd = os.path.join(os.path.abspath(args.workdir), net.name)
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    onnx_path, so_path, in_path = (os.path.join(wd, f) for f in ("model.onnx", "model.so", "input.npy"))
    times = {}
    shape = net.shape()

    t0 = time.time()
    try:
        model = build_model(net, args.seed)
        cnnc_models.export(model, onnx_path, shape, net.opset, keep_batchnorm=net.keep_bn)
        has_bn = any(isinstance(m, cnnc_models._bn_types()) for m in model.modules())
        del model
        gc.collect()
        ops = cnnc_models.op_counts(onnx_path)
        if net.keep_bn and has_bn and not ops.get("BatchNormalization"):
            raise Failure("harness: keep_bn but the export has no BatchNormalization node")
        times["export"] = time.time() - t0
        t0 = time.time()
        x = cnnc_models.make_input(shape, args.seed)
        np.save(in_path, x)
        refs = cnnc_models.ort_run(onnx_path, [x], threads=args.ort_threads)
        n_out = len(cnnc_models.io_names(onnx_path)[1])
        times["ref"] = time.time() - t0
    except Failure:
        raise
    except Exception:
        raise Failure("harness: export or reference failed: " +
                      traceback.format_exc().strip().splitlines()[-1], traceback.format_exc())

    dump = ["--dump-dir", os.path.join(wd, "dump")] if args.spirv_val or args.ptxas else []
    times["compile"] = run_tool([args.cnnc, onnx_path, "-o", so_path, f"--target={args.target}"]
                                + dump + args.cnnc_flag, "cnnc", args.timeout)
    if not os.path.isfile(so_path):
        raise Failure(f"cnnc exited 0 but wrote no {so_path}")
    if args.spirv_val:
        kernels = sorted(f for f in os.listdir(dump[1]) if f.endswith(".spv"))
        if not kernels:
            raise Failure("no kernels dumped")
        for k in kernels:
            run_tool([args.spirv_val, "--target-env", "vulkan1.1", os.path.join(dump[1], k)],
                     f"spirv-val {k}", args.timeout)
        times["kernels-valid"] = len(kernels)
    if args.ptxas:
        kernels = sorted(f for f in os.listdir(dump[1]) if f.endswith(".ptx"))
        if not kernels:
            raise Failure("no kernels dumped")
        most = 0
        for k in kernels:
            path = os.path.join(dump[1], k)
            with open(path) as f:
                chip = re.search(r"^\.target (sm_\w+)", f.read(), re.M)
            argv = [args.ptxas, "-v", f"-arch={chip.group(1) if chip else 'sm_90'}", path,
                    "-o", os.devnull]
            res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 universal_newlines=True, timeout=args.timeout)
            if res.returncode != 0:
                raise Failure(f"ptxas rejected {k}", res.stdout)
            spill = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", res.stdout)
            if spill and (int(spill.group(1)) or int(spill.group(2))):
                raise Failure(f"{k} spills registers: {spill.group(0)}", res.stdout)
            regs = re.search(r"Used (\d+) registers", res.stdout)
            most = max(most, int(regs.group(1)) if regs else 0)
        times["kernels-assembled"] = len(kernels)
        times["max-registers"] = most
    if args.compile_only:
        if not args.keep:
            shutil.rmtree(wd, ignore_errors=True)
        return None, times
    out_paths = [os.path.join(wd, f"output{i}.npy") for i in range(n_out)]
    argv = [args.cnnc_run, so_path, f"--device={args.target}", f"--input=@{in_path}"]
    argv += [f"--output=@{p}" for p in out_paths]
    times["run"] = run_tool(argv, "cnnc-run", args.timeout)

    if n_out != len(refs):
        raise Failure(f"mismatch: {n_out} outputs, reference has {len(refs)}")
    worst = None
    lines = []
    for i, (p, r) in enumerate(zip(out_paths, refs)):
        if not os.path.isfile(p):
            raise Failure(f"cnnc-run exited 0 but wrote no {p}")
        try:
            o = np.load(p, allow_pickle=False)
        except Exception as e:
            raise Failure(f"cannot read {p}: {e}")
        ok, st = cnnc_models.compare(o, r)
        lines.append(cnnc_models.format_compare(i, ok, st))
        if not ok:
            why = f" ({st['reason']})" if st.get("reason") else ""
            raise Failure(f"mismatch output {i}: max_abs_err={st['max_abs_err']:.3e} > "
                          f"bound={st['bound']:.3e} (max_abs_ref={st['max_abs_ref']:.3e}){why}",
                          "\n".join(lines))
        if worst is None or st["max_abs_err"] / st["bound"] > worst["max_abs_err"] / worst["bound"]:
            worst = st
    if not args.keep:
        shutil.rmtree(wd, ignore_errors=True)
    return worst, times


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cnnc", help="path of the cnnc compiler")
    p.add_argument("--cnnc-run", help="path of cnnc-run")
    p.add_argument("--workdir", help="directory for the models, inputs and outputs")
    p.add_argument("--label", choices=("light", "heavy", "all"), default="all")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run just these networks (any label)")
    p.add_argument("--list", action="store_true", help="print the table and exit")
    p.add_argument("--keep", action="store_true", help="keep the files of passing networks")
    p.add_argument("--cnnc-flag", action="append", default=[], metavar="FLAG",
                   help="extra cnnc flag, e.g. --cnnc-flag=--no-graph-opt (repeatable)")
    p.add_argument("--target", choices=("cpu", "vulkan", "cuda"), default="cpu",
                   help="cnnc target, and the cnnc-run device")
    p.add_argument("--heavy-size", type=int, metavar="N",
                   help="run the heavy networks at NxN, batch 1")
    p.add_argument("--spirv-val", metavar="PATH",
                   help="check every kernel with this spirv-val (vulkan)")
    p.add_argument("--ptxas", metavar="PATH",
                   help="assemble every kernel's PTX with this ptxas (cuda)")
    p.add_argument("--compile-only", action="store_true",
                   help="compile and check the kernels, do not run (no device)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ort-threads", type=int, default=1)
    p.add_argument("--timeout", type=int, default=1200, help="seconds allowed for each tool run")
    args = p.parse_args(argv)
    if not args.list and not (args.cnnc and args.cnnc_run and args.workdir):
        p.error("--cnnc, --cnnc-run and --workdir are required")
    return args


def main(argv=None):
    args = parse_args(argv)
    known = {n.name: n for n in ZOO}
    if args.only:
        unknown = [n for n in args.only if n not in known]
        if unknown:
            print(f"error: unknown network(s): {', '.join(unknown)}; known: {', '.join(known)}")
            return 2
        nets = [known[n] for n in args.only]
    else:
        nets = [n for n in ZOO if args.label == "all" or n.label == args.label]
    if args.heavy_size:
        nets = [n.resized(args.heavy_size) if n.label == H else n for n in nets]
    if args.list:
        print(format_table(nets))
        return 0
    os.makedirs(args.workdir, exist_ok=True)

    counts = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0}
    failed, xfailed, logs = [], [], []
    t_all = time.time()
    print(f"cnnc zoo: {len(nets)} network(s) on {args.target}, "
          f"label {args.label if not args.only else 'only'}, "
          f"cnnc flags {' '.join(args.cnnc_flag) or '(none)'}, "
          f"bound max|out-ref| <= {cnnc_models.DEFAULT_ATOL:g} + {cnnc_models.DEFAULT_RTOL:g}*max|ref|",
          flush=True)
    for net in nets:
        t0 = time.time()
        desc = f"{net.name:<20} {'x'.join(map(str, net.shape())):<14} opset {net.opset:<2} " \
               f"{'bn-kept ' if net.keep_bn else 'bn-folded'}"
        try:
            worst, times = check(net, args)
            err = None
        except Failure as f:
            err = f
        except KeyboardInterrupt:
            raise
        except Exception:
            err = Failure("harness: " + traceback.format_exc().strip().splitlines()[-1],
                          traceback.format_exc())
        dt = time.time() - t0
        gc.collect()
        if err is None:
            phases = " ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                              for k, v in times.items())
            if worst is None:
                detail = f"compiled, not run (--compile-only)  [{phases}]"
            else:
                detail = (f"max_abs_err={worst['max_abs_err']:.3e} bound={worst['bound']:.3e} "
                          f"max_abs_ref={worst['max_abs_ref']:.3e}  [{phases}]")
            if net.xfail:
                status = "XPASS"
                detail += f"  (expected to fail: {net.xfail[1]}; remove its xfail)"
                failed.append(net.name)
            else:
                status = "PASS"
        else:
            detail = err.summary
            text = err.summary + "\n" + err.log
            if net.xfail and re.search(net.xfail[0], text):
                status = "XFAIL"
                xfailed.append(net.name)
            else:
                status = "FAIL"
                if net.xfail:
                    detail += f"  (expected failure '{net.xfail[0]}' not seen)"
                failed.append(net.name)
            if status == "FAIL" or args.keep:
                logs.append((net.name, err.log))
        counts[status] += 1
        print(f"{status:<5} {desc} {dt:7.1f}s  {detail}", flush=True)
        if status == "XFAIL":
            print(f"XFAIL {net.name}: {net.xfail[1]}", flush=True)

    for name, log in logs:
        if log:
            print(f"\n===== {name} log =====\n{log.rstrip()}")
    total = time.time() - t_all
    print(f"\nsummary: {len(nets)} networks in {total:.1f}s: {counts['PASS']} passed, "
          f"{counts['FAIL']} failed, {counts['XFAIL']} expected failures, "
          f"{counts['XPASS']} unexpected passes")
    if xfailed:
        print("expected failures (XFAIL): " + ", ".join(xfailed))
    if failed:
        print("FAILED (FAIL/XPASS): " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
