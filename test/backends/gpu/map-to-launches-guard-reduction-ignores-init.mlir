// Regression test for --cnnc-gpu-map-to-launches. The bug was: a reduction whose payload does not read its init (here
// it yields the input: the last element along the reduction) crashes the
// pass: emitPoint passes a null accumulator as the scf.for iter_arg
// (segfault in scf::ForOp::build from scf::buildLoopNest).
// Correct: a launch whose loop result is stored into %y.
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches | FileCheck %s
// CHECK-LABEL: func.func @reduction_ignores_init
// CHECK:         gpu.launch
// CHECK:           scf.for
// CHECK:           memref.store
// CHECK:         } {cnnc.gpu_map = {{{.*}}points = 4 : i64
func.func @reduction_ignores_init(%x: memref<4x8xf32>, %y: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<4x8xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
