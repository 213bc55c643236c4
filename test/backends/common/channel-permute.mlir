// RUN: cnnc-opt %s -split-input-file --convert-cnn-to-linalg | FileCheck %s

// A channel shuffle (4 groups of 2) is one transpose of [N, 4, 2, H, W].
// CHECK-LABEL: func @shuffle
// CHECK: %[[G:.*]] = tensor.expand_shape %arg0 {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 4, 2, 3, 3]
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[G]] : tensor<1x4x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x4x3x3xf32>) permutation = [0, 2, 1, 3, 4]
// CHECK: tensor.collapse_shape %[[T]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x4x3x3xf32> into tensor<1x8x3x3xf32>
func.func @shuffle(%x: tensor<1x8x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = cnn.channel_permute %x {sources = array<i64: 0, 2, 4, 6, 1, 3, 5, 7>} : (tensor<1x8x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// Otherwise each run of channels at one stride is one slice: result 0 is
// b[0..1] then a[1], a[3] (stride 2); result 1 is the whole of a.
// CHECK-LABEL: func @runs
// CHECK: %[[B:.*]] = tensor.extract_slice %arg1[0, 0, 0, 0] [1, 2, 2, 2] [1, 1, 1, 1]
// CHECK: %[[R0:.*]] = tensor.insert_slice %[[B]] into %{{.*}}[0, 0, 0, 0] [1, 2, 2, 2] [1, 1, 1, 1]
// CHECK: %[[A:.*]] = tensor.extract_slice %arg0[0, 1, 0, 0] [1, 2, 2, 2] [1, 2, 1, 1]
// CHECK: %[[R1:.*]] = tensor.insert_slice %[[A]] into %[[R0]][0, 2, 0, 0] [1, 2, 2, 2] [1, 1, 1, 1]
// CHECK: return %[[R1]], %arg0
func.func @runs(%a: tensor<1x4x2x2xf32>, %b: tensor<1x3x2x2xf32>) -> (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) {
  %0:2 = cnn.channel_permute %a, %b {sources = array<i64: 4, 5, 1, 3, 0, 1, 2, 3>} : (tensor<1x4x2x2xf32>, tensor<1x3x2x2xf32>) -> (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>)
  return %0#0, %0#1 : tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>
}
