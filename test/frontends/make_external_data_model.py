"""Models with external weights for external-data.test.

    python make_external_data_model.py make OUTDIR
    python make_external_data_model.py check OUTDIR

make   writes OUTDIR/good/model.onnx, a Conv + Relu whose weights and bias
       live in OUTDIR/good/weights.bin (saved by onnx.save_model with
       save_as_external_data), the input OUTDIR/x.npy, and
       OUTDIR/hostile/model.onnx, the same model with the weights' location
       edited to "../weights.bin" (a copy of the data file is put there, so
       only the path check can refuse it).
check  compares OUTDIR/y.npy (cnnc's output) with ONNX Runtime on the good
       model; prints OK, or a line saying why and exits 1.
"""

import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv_relu():
    """x[1, 3, 8, 8] -> Conv(8 filters of 3x3, pads 1, bias) -> Relu -> y."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(
        rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "w")
    b = numpy_helper.from_array(
        rng.standard_normal(8).astype(np.float32), "b")
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv0",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["y"], name="relu0"),
    ]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 8, 8])
    graph = helper.make_graph(nodes, "g", [x], [y], initializer=[w, b])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                             producer_name="make_external_data_model")


def make(outdir):
    good = os.path.join(outdir, "good")
    hostile = os.path.join(outdir, "hostile")
    os.makedirs(good, exist_ok=True)
    os.makedirs(hostile, exist_ok=True)

    model = conv_relu()
    onnx.checker.check_model(model)
    # size_threshold=0: the small bias goes to the file too (at an offset).
    onnx.save_model(model, os.path.join(good, "model.onnx"),
                    save_as_external_data=True, all_tensors_to_one_file=True,
                    location="weights.bin", size_threshold=0)

    x = np.random.default_rng(1).standard_normal((1, 3, 8, 8))
    np.save(os.path.join(outdir, "x.npy"), x.astype(np.float32))

    edited = onnx.load(os.path.join(good, "model.onnx"),
                       load_external_data=False)
    for entry in edited.graph.initializer[0].external_data:
        if entry.key == "location":
            entry.value = "../weights.bin"
    with open(os.path.join(hostile, "model.onnx"), "wb") as f:
        f.write(edited.SerializeToString())
    shutil.copyfile(os.path.join(good, "weights.bin"),
                    os.path.join(outdir, "weights.bin"))


def check(outdir):
    import onnxruntime as ort

    model = os.path.join(outdir, "good", "model.onnx")
    x = np.load(os.path.join(outdir, "x.npy"))
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    (ref,) = session.run(None, {"x": x})
    out = np.load(os.path.join(outdir, "y.npy"))
    if out.shape != ref.shape:
        print(f"MISMATCH: shape {out.shape}, expected {ref.shape}")
        return 1
    err = float(np.max(np.abs(out - ref)))
    if err > 1e-5 + 1e-4 * float(np.max(np.abs(ref))):
        print(f"MISMATCH: max|out - ref| = {err}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "check"):
        sys.exit(__doc__)
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(check(sys.argv[2]))
