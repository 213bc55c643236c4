// RUN: cnnc-opt %s --convert-cnn-to-linalg --cnnc-fuse-elementwise | FileCheck %s

// relu(x) + y then clip: one element-wise loop nest.
// CHECK-LABEL: func @chain
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT:   linalg.generic
// CHECK:       return
func.func @chain(%x: tensor<1x4x8x8xf32>, %y: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %r = cnn.relu %x : tensor<1x4x8x8xf32>
  %a = cnn.add %r, %y : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %c = cnn.clip %a {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4x8x8xf32>
  return %c : tensor<1x4x8x8xf32>
}

// An activation feeding a pointwise conv (a contraction) is not fused into
// it: the conv reads each input element once per output channel, and the
// activation would be recomputed that many times.
// CHECK-LABEL: func @not_into_contraction
// CHECK:       linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK:       arith.maximumf
// CHECK:       linalg.generic {{.*}}"reduction"
// CHECK-NOT:   arith.maximumf
// CHECK:       return
func.func @not_into_contraction(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32> {
  %r = cnn.relu %x : tensor<1x4x8x8xf32>
  %c = cnn.conv2d %r, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
}
