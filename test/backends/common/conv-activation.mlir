// RUN: cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s

// A conv's epilogue activation lowers to the same element-wise body as the
// activation op would (here relu6 as a clamp), applied to the conv result.
// CHECK-LABEL: func @conv_relu6
// CHECK:       %[[C:.+]] = linalg.conv_2d_nchw_fchw
// CHECK:       linalg.generic {{.*}} ins(%[[C]]
// CHECK:         arith.maximumf
// CHECK:         arith.minimumf
func.func @conv_relu6(%x: tensor<1x2x6x6xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "clip", activation_params = array<f32: 0.0, 6.0>} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}

// SiLU: x * sigmoid(x).
// CHECK-LABEL: func @conv_silu
// CHECK:       linalg.generic
// CHECK:         math.exp
// CHECK:         arith.divf
// CHECK:         arith.mulf
func.func @conv_silu(%x: tensor<1x2x6x6xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "silu"} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}

// A residual is added to the conv's result before the activation; several
// inputs are inserted into one tensor along the channels (which the CPU
// backend has their producers write in place) and convolved as one.
// CHECK-LABEL: func @conv_inputs_residual_relu
// CHECK-SAME:  (%[[A:.+]]: tensor<1x1x4x4xf32>, %[[B:.+]]: tensor<1x1x4x4xf32>, %[[W:.+]]: tensor<2x2x1x1xf32>, %[[R:.+]]: tensor<1x2x4x4xf32>)
// CHECK:       %[[E:.+]] = tensor.empty() : tensor<1x2x4x4xf32>
// CHECK:       %[[I0:.+]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0, 0] [1, 1, 4, 4]
// CHECK:       %[[I1:.+]] = tensor.insert_slice %[[B]] into %[[I0]][0, 1, 0, 0] [1, 1, 4, 4]
// CHECK:       tensor.collapse_shape %[[I1]]
// CHECK:       %[[C:.+]] = tensor.expand_shape
// CHECK:       %[[S:.+]] = linalg.generic {{.*}} ins(%[[C]], %[[R]] :
// CHECK:         arith.addf
// CHECK:       linalg.generic {{.*}} ins(%[[S]] :
// CHECK:         arith.maximumf
func.func @conv_inputs_residual_relu(%a: tensor<1x1x4x4xf32>, %b: tensor<1x1x4x4xf32>, %w: tensor<2x2x1x1xf32>, %r: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d (%a, %b), %w residual %r {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "relu"} : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<2x2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}
