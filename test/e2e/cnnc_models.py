"""Models, inputs and references for cnnc's end-to-end tests and demo.

Everything is generated locally from a seed: torchvision architectures with
random weights (nothing is downloaded), BatchNorm layers given real running
statistics the way training would produce them (see DESIGN.md, "Testing"),
ONNX export with torch.onnx.export, and references from ONNX Runtime's CPU EP.

    model = build("mobilenet_v2", seed=0)
    path = export(model, "m.onnx", (1, 3, 224, 224), opset=13, keep_batchnorm=True)
    x = make_input((1, 3, 224, 224), seed=0)
    ref = ort_run(path, [x], threads=1)
    ok, stats = compare(out, ref[0])

Finding for Debian's torch 1.13: torch.onnx.export with the default
training=TrainingMode.EVAL runs the ONNX "eval peephole" pass, which folds every
BatchNorm that follows a Conv into the Conv's weights and bias (mobilenet_v2
exports 0 BatchNormalization nodes that way). The peephole runs only when
training is EVAL (or None), so keep_batchnorm=True exports with
training=TrainingMode.PRESERVE while the model is in eval mode: the graph keeps
one inference-form BatchNormalization node per BN layer. Constant folding
(do_constant_folding=True) stays on in both modes; it does not touch
BatchNormalization and still folds the exporter's Shape/Gather chains.

References come from ONNX Runtime's CPU EP at its default optimization level,
with one known-wrong rewrite (Pad+AveragePool fusion in ORT < 1.21) disabled.
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import time
import warnings
from typing import Dict, List, Sequence, Tuple, Union

import numpy as np

DEFAULT_RTOL = 1e-4
DEFAULT_ATOL = 1e-5

_BN_TYPES = None


def _bn_types():
    global _BN_TYPES
    if _BN_TYPES is None:
        import torch.nn as nn
        _BN_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
    return _BN_TYPES


def _construct(name: str, **kwargs):
    """Instantiates torchvision model `name` with random (non-pretrained) weights."""
    import torchvision.models as tvm

    if hasattr(tvm, "list_models"):  # torchvision >= 0.14
        known = set(tvm.list_models())
        if name in known:
            return tvm.get_model(name, weights=None, **kwargs)
    fn = tvm.__dict__.get(name)
    if fn is None or not callable(fn) or name.startswith("_"):
        raise ValueError(f"unknown torchvision model '{name}'")
    try:
        return fn(weights=None, **kwargs)  # torchvision >= 0.13
    except TypeError:
        return fn(pretrained=False, **kwargs)  # older torchvision


def randomize_zero_biases(model):
    """Redraws Conv/Linear biases that the architecture initialized to all zeros.

    torchvision zero-initializes most biases (SqueezeNet's convs, every
    classifier Linear), which would leave a compiler's bias handling untested
    and makes torch's exporter deduplicate the identical zero initializers into
    Identity nodes. They get torch's own default bias init instead:
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Uses torch's global RNG.
    """
    import math
    import torch
    import torch.nn as nn

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)) and m.bias is not None:
                if torch.count_nonzero(m.bias) == 0:
                    fan_in = m.weight[0].numel()
                    b = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
                    m.bias.uniform_(-b, b)
    return model


def calibrate_batchnorm(model, batches: int = 3, shape: Sequence[int] = (4, 3, 224, 224)):
    """Gives every BatchNorm layer random affine params and real running statistics.

    gamma ~ U[0.5, 1.5] and beta ~ 0.1 * N(0, 1) are drawn FIRST; then running
    mean/var become the exact average over `batches` random batches run in train
    mode (momentum=None is the cumulative average); then eval mode. Uses torch's
    global RNG (seed it before calling).

    Why gamma/beta come first: each layer's statistics must be those of the
    activations it sees at inference, which depend on every upstream gamma and
    beta. Calibrating with the default gamma=1/beta=0 and redrawing them
    afterwards leaves every downstream layer mis-normalized; the error compounds
    with depth (inception_v3's activations then grow ~300x to logits of 4e3,
    while with this order they stay O(10) through the whole network).
    """
    import torch

    bns = [m for m in model.modules() if isinstance(m, _bn_types())]
    saved = [(m, m.momentum) for m in bns]
    with torch.no_grad():
        for m in bns:
            if m.affine:
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 1.0).mul_(0.1)
            m.momentum = None
            m.reset_running_stats()
        model.train()
        for _ in range(batches):
            model(torch.randn(*shape))
    for m, momentum in saved:
        m.momentum = momentum
    model.eval()
    return model


def build(name: str, seed: int = 0, calib_size: int = 224, calib_batch: int = 4,
          calib_batches: int = 3, random_biases: bool = True, **kwargs):
    """Returns torchvision model `name` in eval mode, seeded, with calibrated BN.

    Any torchvision classification model name works (mobilenet_v2,
    squeezenet1_1, resnet50, shufflenet_v2_x1_0, ...); extra keyword arguments
    go to the model builder (e.g. num_classes=10). `calib_size` is the spatial
    size of the random calibration batches (inception_v3 needs >= 75).
    With random_biases, biases the architecture zero-initializes are drawn at
    random first (see randomize_zero_biases), before BN calibration.
    """
    import torch

    torch.manual_seed(seed)
    if name in ("googlenet", "inception_v3"):
        # Their builders turn on aux classifiers / transform_input only for
        # pretrained weights; keep the graph a plain classifier.
        kwargs.setdefault("aux_logits", False)
        kwargs.setdefault("init_weights", True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _construct(name, **kwargs)
    if random_biases:
        randomize_zero_biases(model)
    calibrate_batchnorm(model, calib_batches, (calib_batch, 3, calib_size, calib_size))
    return model


def export(model, path: str, input_shape: Sequence[int] = (1, 3, 224, 224), opset: int = 13,
           keep_batchnorm: bool = False, quiet: bool = True) -> str:
    """Exports `model` (eval mode) to ONNX at `path` with static shapes; returns `path`.

    The graph input is named "input", the (first) output "output". With
    keep_batchnorm=False torch folds every Conv->BatchNorm pair into the Conv;
    with keep_batchnorm=True the BatchNormalization nodes stay in the graph.
    """
    import torch

    model.eval()
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    dummy = torch.zeros(*input_shape, dtype=torch.float32)
    training = torch.onnx.TrainingMode.PRESERVE if keep_batchnorm else torch.onnx.TrainingMode.EVAL
    sink = io.StringIO()
    ctx = contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext()
    with warnings.catch_warnings(), ctx, torch.no_grad():
        if quiet:
            warnings.simplefilter("ignore")
        torch.onnx.export(
            model, dummy, path,
            input_names=["input"], output_names=["output"],
            opset_version=opset, training=training, do_constant_folding=True,
            export_params=True, verbose=False)
    return path


def op_counts(path: str) -> Dict[str, int]:
    """Counts the node op_types of the ONNX model at `path` (top-level graph)."""
    import onnx

    m = onnx.load(path, load_external_data=False)
    return dict(collections.Counter(n.op_type for n in m.graph.node))


def io_names(path: str) -> Tuple[List[str], List[str]]:
    """Returns (input names, output names) of the ONNX graph, initializers excluded."""
    import onnx

    m = onnx.load(path, load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    ins = [i.name for i in m.graph.input if i.name not in inits]
    outs = [o.name for o in m.graph.output]
    return ins, outs


def make_input(shape: Sequence[int], seed: int = 0) -> np.ndarray:
    """A standard-normal float32 array of `shape`, C-contiguous, from `seed`."""
    rng = np.random.default_rng(seed)
    return np.ascontiguousarray(rng.standard_normal(tuple(shape), dtype=np.float32))


def _ort_broken_optimizers() -> List[str]:
    """ORT graph rewrites that are known to change results in this ORT version.

    ONNX Runtime 1.20 fuses Pad + AveragePool(count_include_pad=0) into one
    AveragePool with pads but keeps count_include_pad=0, so border averages are
    divided by the wrong count (microsoft/onnxruntime#22177, fixed by #23190 in
    1.21). torch exports avg_pool2d(padding=p) as Pad + AveragePool, so
    inception_v3's reference would be off by ~10% with it on.
    """
    import onnxruntime as ort

    try:
        major, minor = (int(v) for v in ort.__version__.split(".")[:2])
    except ValueError:
        return ["Pad_Fusion"]
    return ["Pad_Fusion"] if (major, minor) < (1, 21) else []


def ort_session(path: str, threads: int = 1):
    """An ONNX Runtime CPU EP session: `threads` intra-op threads, 1 inter-op.

    Graph optimizations stay at ORT's default level (ORT_ENABLE_ALL), minus the
    rewrites listed by _ort_broken_optimizers().
    """
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.log_severity_level = 3
    return ort.InferenceSession(path, sess_options=so, providers=["CPUExecutionProvider"],
                                disabled_optimizers=_ort_broken_optimizers())


def ort_run(path: str, inputs: Union[Sequence[np.ndarray], Dict[str, np.ndarray]],
            threads: int = 1, session=None) -> List[np.ndarray]:
    """Runs the model with ONNX Runtime's CPU EP; inputs in graph order or by name."""
    sess = session or ort_session(path, threads)
    if not isinstance(inputs, dict):
        names = [i.name for i in sess.get_inputs()]
        if len(names) != len(inputs):
            raise ValueError(f"model has {len(names)} inputs, got {len(inputs)}")
        inputs = dict(zip(names, inputs))
    return [np.asarray(o) for o in sess.run(None, inputs)]


def ort_bench(path: str, inputs: Sequence[np.ndarray], threads: int = 1, warmup: int = 10,
              reps: int = 50) -> Dict[str, float]:
    """Times ONNX Runtime on `inputs`: median/p10/p90/min latency in ms over `reps`."""
    sess = ort_session(path, threads)
    feed = dict(zip([i.name for i in sess.get_inputs()], inputs))
    for _ in range(warmup):
        sess.run(None, feed)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        sess.run(None, feed)
        times.append((time.perf_counter() - t0) * 1e3)
    t = np.array(times)
    return {"median_ms": float(np.median(t)), "p10_ms": float(np.percentile(t, 10)),
            "p90_ms": float(np.percentile(t, 90)), "min_ms": float(t.min()), "reps": reps}


def compare(out: np.ndarray, ref: np.ndarray, rtol: float = DEFAULT_RTOL,
            atol: float = DEFAULT_ATOL) -> Tuple[bool, Dict[str, object]]:
    """Normwise check: ok iff max|out - ref| <= atol + rtol * max|ref|.

    Fails on a shape mismatch and on any non-finite value in `out` that is not
    identical in `ref`. Returns (ok, stats) with shape, max_abs_err,
    max_abs_ref, bound and a reason when not ok.
    """
    out = np.asarray(out)
    ref = np.asarray(ref)
    stats: Dict[str, object] = {"shape": list(ref.shape), "out_shape": list(out.shape),
                                "max_abs_err": float("nan"), "max_abs_ref": float("nan"),
                                "bound": float("nan"), "reason": ""}
    if out.shape != ref.shape:
        stats["reason"] = f"shape {list(out.shape)} != reference shape {list(ref.shape)}"
        return False, stats
    o = out.astype(np.float64)
    r = ref.astype(np.float64)
    finite_ref = np.isfinite(r)
    max_ref = float(np.max(np.abs(r[finite_ref]))) if finite_ref.any() else 0.0
    bound = atol + rtol * max_ref
    stats["max_abs_ref"] = max_ref
    stats["bound"] = bound
    if o.size == 0:
        stats["max_abs_err"] = 0.0
        return True, stats
    same_nonfinite = ~finite_ref & ((o == r) | (np.isnan(o) & np.isnan(r)))
    bad = (~np.isfinite(o) | ~finite_ref) & ~same_nonfinite
    if bad.any():
        stats["max_abs_err"] = float("inf")
        stats["reason"] = f"{int(bad.sum())} non-finite value(s) differ"
        return False, stats
    diff = np.where(finite_ref, np.abs(o - np.where(finite_ref, r, 0.0)), 0.0)
    err = float(np.max(diff))
    stats["max_abs_err"] = err
    return err <= bound, stats


def format_compare(index: int, ok: bool, stats: Dict[str, object]) -> str:
    """One report line, e.g. 'output 0: shape [1, 1000] max_abs_err=... OK'."""
    line = (f"output {index}: shape {stats['shape']} max_abs_err={stats['max_abs_err']:.3e} "
            f"max_abs_ref={stats['max_abs_ref']:.3e} bound={stats['bound']:.3e} "
            f"{'OK' if ok else 'MISMATCH'}")
    if stats.get("reason"):
        line += f" ({stats['reason']})"
    return line
