"""Writes a small Conv -> BatchNormalization -> Relu ONNX model (opset 13).

Usage: make_conv_bn_relu.py OUT.onnx [SIZE]   (input 1x3xSIZExSIZE, default 8)
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

size = int(sys.argv[2]) if len(sys.argv) > 2 else 8
rng = np.random.default_rng(0)
def init(name, *shape, positive=False):
    data = rng.random(shape, dtype=np.float32) + (0.5 if positive else -0.5)
    return numpy_helper.from_array(data.astype(np.float32), name)

nodes = [
    helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv1", pads=[1, 1, 1, 1]),
    helper.make_node("BatchNormalization", ["c", "g", "beta", "m", "v"], ["n"], name="bn1"),
    helper.make_node("Relu", ["n"], ["y"], name="relu1"),
]
graph = helper.make_graph(
    nodes, "conv_bn_relu",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, size, size])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, size, size])],
    [init("w", 4, 3, 3, 3), init("b", 4), init("g", 4, positive=True), init("beta", 4),
     init("m", 4), init("v", 4, positive=True)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.save(model, sys.argv[1])
