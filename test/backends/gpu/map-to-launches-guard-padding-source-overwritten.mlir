// Regression test for --cnnc-gpu-map-to-launches. The bug was: padding is fused although the padded copy's source is
// written between the copy and the op. %pad is a zero border around a
// copy of %s; then %s is doubled in place; then the conv reads %pad. With
// the padding fused, the conv reads %s itself, i.e. the doubled values,
// where the original program convolves the values copied before the
// doubling. paddedInput checks the padded buffer's users, but not that
// the source is unchanged between the copy and the op.
// Correct: the conv's launch does not read %s (it reads %pad, or the fusion
// is otherwise made safe).
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches | FileCheck %s
// CHECK-LABEL: func.func @padding_source_overwritten
// CHECK:         %[[S:.+]] = memref.alloc() : memref<1x3x8x8xf32>
// CHECK:         gpu.launch
// CHECK:           scf.for
// CHECK-NOT:       memref.load %[[S]][
// CHECK:           gpu.terminator
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @padding_source_overwritten(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %y: memref<1x4x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %s = memref.alloc() : memref<1x3x8x8xf32>
  linalg.copy ins(%x : memref<1x3x8x8xf32>) outs(%s : memref<1x3x8x8xf32>)
  %pad = memref.alloc() : memref<1x3x10x10xf32>
  linalg.fill ins(%cst : f32) outs(%pad : memref<1x3x10x10xf32>)
  %sub = memref.subview %pad[0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1] : memref<1x3x10x10xf32> to memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  linalg.copy ins(%s : memref<1x3x8x8xf32>) outs(%sub : memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>)
  linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%s : memref<1x3x8x8xf32>) {
  ^bb0(%out: f32):
    %r = arith.addf %out, %out : f32
    linalg.yield %r : f32
  }
  linalg.fill ins(%cst : f32) outs(%y : memref<1x4x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%pad, %w : memref<1x3x10x10xf32>, memref<4x3x3x3xf32>) outs(%y : memref<1x4x8x8xf32>)
  linalg.copy ins(%s : memref<1x3x8x8xf32>) outs(%x : memref<1x3x8x8xf32>)
  return
}
