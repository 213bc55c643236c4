// Regression test for --cnnc-gpu-map-to-launches. The bug was: a consumer is fused although it writes a buffer that the
// op reads at other points. Here a 1x1 conv reads %t (all 8 channels of a
// pixel) and the relu after it writes %t. Fused, the invocation of
// (channel c, pixel p) stores relu(conv) into t[c, p] while the
// invocations of the other channels of p may still be reading t[c, p]: a
// race, and wrong results. planFusion checks that the consumer's inputs
// other than the result do not read the result's buffer, but not that the
// consumer's output is not one of the op's inputs.
// Correct: the conv's launch does not store into %t (the relu is a launch
// of its own, or the hazard is otherwise avoided).
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches | FileCheck %s
// CHECK-LABEL: func.func @consumer_writes_op_input
// CHECK:         %[[T:.+]] = memref.alloc() : memref<1x8x8x8xf32>
// CHECK:         gpu.launch
// CHECK:         gpu.launch
// CHECK:           scf.for
// CHECK-NOT:       memref.store {{.*}}, %[[T]][
// CHECK:           gpu.terminator
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @consumer_writes_op_input(%x: memref<1x8x8x8xf32>, %w: memref<8x8x1x1xf32>, %y: memref<1x8x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %t = memref.alloc() : memref<1x8x8x8xf32>
  linalg.copy ins(%x : memref<1x8x8x8xf32>) outs(%t : memref<1x8x8x8xf32>)
  %acc = memref.alloc() : memref<1x8x8x8xf32>
  linalg.fill ins(%cst : f32) outs(%acc : memref<1x8x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%t, %w : memref<1x8x8x8xf32>, memref<8x8x1x1xf32>) outs(%acc : memref<1x8x8x8xf32>)
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x8x8x8xf32>) outs(%t : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  }
  linalg.copy ins(%t : memref<1x8x8x8xf32>) outs(%y : memref<1x8x8x8xf32>)
  return
}
