// RUN: cnnc-opt %s --cnn-fold-conv-bn --split-input-file | FileCheck %s

// s = gamma / sqrt(var + eps) = 3 / sqrt(3 + 1) = 1.5
// W' = 2 * 1.5 = 3, b' = (1 - 1) * 1.5 + 0.5 = 0.5
// CHECK-LABEL: func @conv_bias
// CHECK-DAG:   %[[W:.+]] = arith.constant dense<3.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-DAG:   %[[B:.+]] = arith.constant dense<5.000000e-01> : tensor<1xf32>
// CHECK:       %[[R:.+]] = cnn.conv2d %arg0, %[[W]], %[[B]]
// CHECK-NOT:   cnn.batch_norm
// CHECK:       return %[[R]]
func.func @conv_bias(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = arith.constant dense<2.0> : tensor<1x1x1x1xf32>
  %b = arith.constant dense<1.0> : tensor<1xf32>
  %gamma = arith.constant dense<3.0> : tensor<1xf32>
  %beta = arith.constant dense<0.5> : tensor<1xf32>
  %mean = arith.constant dense<1.0> : tensor<1xf32>
  %var = arith.constant dense<3.0> : tensor<1xf32>
  %c = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  %r = cnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %r : tensor<1x1x4x4xf32>
}

// -----

// Without a bias: b = 0, so b' = (0 - 2) * 0.5 + 1 = 0; per channel for a
// depthwise conv (channel 0: s = 0.5, channel 1: s = 2).
// CHECK-LABEL: func @depthwise_no_bias
// CHECK-DAG:   arith.constant dense<{{\[}}{{\[}}{{\[}}[5.000000e-01]]], {{\[}}{{\[}}[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG:   arith.constant dense<[0.000000e+00, -3.000000e+00]> : tensor<2xf32>
// CHECK:       cnn.conv2d %arg0, %{{.+}}, %{{.+}} {{.*}}groups = 2
// CHECK-NOT:   cnn.batch_norm
func.func @depthwise_no_bias(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  %gamma = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[2.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = cnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// A grouped conv (2 groups of 2 input channels): each output channel's filter
// row is scaled by its own s = [0.5, 2], whatever group it reads.
// b' = (1 - 1) * 0.5 + 0 = 0 and (1 - 0) * 2 + 0 = 2.
// CHECK-LABEL: func @grouped
// CHECK-DAG:   %[[W:.+]] = arith.constant dense<{{\[}}{{\[}}{{\[}}[5.000000e-01]], {{\[}}[1.000000e+00]]], {{\[}}{{\[}}[6.000000e+00]], {{\[}}[8.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG:   %[[B:.+]] = arith.constant dense<[0.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK:       cnn.conv2d %arg0, %[[W]], %[[B]] {{.*}}groups = 2
// CHECK-NOT:   cnn.batch_norm
func.func @grouped(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %gamma = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %c = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = cnn.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// The conv's result has another user: folding would change it. Left alone.
// CHECK-LABEL: func @conv_two_users
// CHECK:       %[[C:.+]] = cnn.conv2d
// CHECK:       %[[N:.+]] = cnn.batch_norm %[[C]]
// CHECK:       cnn.add %[[C]], %[[N]]
func.func @conv_two_users(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = arith.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %n = cnn.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  %r = cnn.add %c, %n : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %r : tensor<1x1x4x4xf32>
}

// -----

// Weights that arrive at run time cannot be folded at compile time.
// CHECK-LABEL: func @runtime_weights
// CHECK:       cnn.conv2d
// CHECK:       cnn.batch_norm
func.func @runtime_weights(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32> {
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %r = cnn.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %r : tensor<1x1x4x4xf32>
}

// -----

// BatchNorm on a graph input (no conv before it) stays.
// CHECK-LABEL: func @bn_on_input
// CHECK:       cnn.batch_norm %arg0
func.func @bn_on_input(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %r = cnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %r : tensor<1x1x4x4xf32>
}
