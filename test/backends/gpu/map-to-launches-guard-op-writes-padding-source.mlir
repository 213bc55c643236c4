// Regression test for --cnnc-gpu-map-to-launches. The bug was: the conv accumulates into %s, the source of its own
// padded input (bufferization may reuse a dead input's buffer). With the
// padding fused, every invocation reads %s at its 3x3 neighbourhood, for
// all channels, while the other invocations store their results into %s:
// a race. The original program read the padded copy taken before.
// Correct: the conv's launch reads no element of %s inside its reduction
// loops (its own accumulator, read once before them, is fine).
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches | FileCheck %s
// CHECK-LABEL: func.func @op_writes_padding_source
// CHECK:         %[[S:.+]] = memref.alloc() : memref<1x3x8x8xf32>
// CHECK:         gpu.launch
// CHECK:           scf.for
// CHECK-NOT:       memref.load %[[S]][
// CHECK:           gpu.terminator
func.func @op_writes_padding_source(%x: memref<1x3x8x8xf32>, %w: memref<3x3x3x3xf32>, %y: memref<1x3x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %s = memref.alloc() : memref<1x3x8x8xf32>
  linalg.copy ins(%x : memref<1x3x8x8xf32>) outs(%s : memref<1x3x8x8xf32>)
  %pad = memref.alloc() : memref<1x3x10x10xf32>
  linalg.fill ins(%cst : f32) outs(%pad : memref<1x3x10x10xf32>)
  %sub = memref.subview %pad[0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1] : memref<1x3x10x10xf32> to memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  linalg.copy ins(%s : memref<1x3x8x8xf32>) outs(%sub : memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%pad, %w : memref<1x3x10x10xf32>, memref<3x3x3x3xf32>) outs(%s : memref<1x3x8x8xf32>)
  linalg.copy ins(%s : memref<1x3x8x8xf32>) outs(%y : memref<1x3x8x8xf32>)
  return
}
