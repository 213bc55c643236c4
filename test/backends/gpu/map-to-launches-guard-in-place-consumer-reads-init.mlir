// Regression test for --cnnc-gpu-map-to-launches. The bug was: an in-place consumer (ins(%acc) outs(%acc)) whose
// payload also reads its init is fused as "consumer-only": the conv's
// result is not stored, and the consumer's init is loaded from %acc, which
// nothing wrote (neither the fused bias broadcast nor the conv stores it).
// The original computes acc = 2 * (bias + conv); the launch computes
// (bias + conv) + <uninitialized memory>. planFusion checks the
// consumer's other inputs for reads of the buffer, but not its init.
// Correct: the launch of the conv does not load %acc (the consumer's init
// is the conv's result, or the consumer is not fused).
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches | FileCheck %s
// CHECK-LABEL: func.func @in_place_consumer_reads_init
// CHECK:         %[[ACC:.+]] = memref.alloc() : memref<1x8x8x8xf32>
// CHECK:         gpu.launch
// CHECK-NOT:       memref.load %[[ACC]][
// CHECK:           gpu.terminator
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @in_place_consumer_reads_init(%x: memref<1x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8xf32>, %y: memref<1x8x8x8xf32>) {
  %acc = memref.alloc() : memref<1x8x8x8xf32>
  linalg.broadcast ins(%b : memref<8xf32>) outs(%acc : memref<1x8x8x8xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%acc : memref<1x8x8x8xf32>)
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x8x8x8xf32>) outs(%acc : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  }
  linalg.copy ins(%acc : memref<1x8x8x8xf32>) outs(%y : memref<1x8x8x8xf32>)
  return
}
