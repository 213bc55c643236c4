// Regression test for --cnnc-gpu-map-to-launches. The bug was: an op with two outputs (a linalg.generic with two
// inits, which upstream element-wise fusion makes when it keeps a
// producer's result) becomes a launch that stores only the first:
// emitPoint stores results[0] into init 0, and %z is never written.
// No error is reported.
// Correct: both outputs are stored (or the pass refuses the op).
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches | FileCheck %s
// CHECK-LABEL: func.func @two_outputs
// CHECK-SAME:    %[[Y:[^:]+]]: memref<1x4x8x8xf32>, %[[Z:[^:]+]]: memref<1x4x8x8xf32>)
// CHECK:         gpu.launch
// CHECK-DAG:       memref.store %{{.+}}, %[[Y]][
// CHECK-DAG:       memref.store %{{.+}}, %[[Z]][
// CHECK:           gpu.terminator
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @two_outputs(%x: memref<1x4x8x8xf32>, %y: memref<1x4x8x8xf32>, %z: memref<1x4x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : memref<1x4x8x8xf32>) outs(%y, %z : memref<1x4x8x8xf32>, memref<1x4x8x8xf32>) {
  ^bb0(%in: f32, %o1: f32, %o2: f32):
    %r = arith.maximumf %in, %cst : f32
    %n = arith.negf %in : f32
    linalg.yield %r, %n : f32, f32
  }
  return
}
