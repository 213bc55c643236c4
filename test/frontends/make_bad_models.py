"""Writes small ONNX models for cnnc-errors.test into a folder.

    python make_bad_models.py OUTDIR

good.onnx        Conv + Relu that imports (the control).
unsupported.onnx a node of the unknown op type "Foo".
bad_attr.onnx    a Relu with an attribute Relu does not have.
dynamic.onnx     a graph input with a symbolic batch dim "N".
fp16.onnx        a FLOAT16 initializer.
truncated.onnx   the first half of good.onnx's bytes.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv_relu(batch=1):
    """x[batch, 3, 8, 8] -> Conv(8 filters of 3x3, pads 1) -> Relu -> y."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(
        rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "w")
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv0",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["y"], name="relu0"),
    ]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 8, 8, 8])
    return nodes, [x], [y], [w]


def model(nodes, inputs, outputs, initializers=(), opset=13):
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                             producer_name="make_bad_models")


def main(outdir):
    os.makedirs(outdir, exist_ok=True)

    def save(name, m):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(m.SerializeToString())

    good = model(*conv_relu())
    onnx.checker.check_model(good)
    save("good.onnx", good)

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    save("unsupported.onnx",
         model([helper.make_node("Foo", ["x"], ["y"], name="foo0")], [x], [y]))
    save("bad_attr.onnx",
         model([helper.make_node("Relu", ["x"], ["y"], name="relu0", alpha=0.1)],
               [x], [y]))

    nodes, inputs, outputs, inits = conv_relu(batch="N")
    save("dynamic.onnx", model(nodes, inputs, outputs, inits))

    half = helper.make_tensor("h", TensorProto.FLOAT16, [4],
                              np.zeros(4, np.float16).tobytes(), raw=True)
    save("fp16.onnx",
         model([helper.make_node("Add", ["x", "h"], ["y"], name="add0")],
               [x], [y], [half]))

    data = good.SerializeToString()
    with open(os.path.join(outdir, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 2])


if __name__ == "__main__":
    main(sys.argv[1])
