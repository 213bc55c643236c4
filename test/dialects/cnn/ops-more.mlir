// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// Round trip of the activation, arithmetic, normalization and data-movement
// ops beyond the core set: parse, print, parse the printed form again.

// CHECK-LABEL: func.func @activations
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x5x5xf32>)
// CHECK: %[[S:.+]] = cnn.sigmoid %[[X]] : tensor<1x4x5x5xf32>
// CHECK: %[[T:.+]] = cnn.tanh %[[S]] : tensor<1x4x5x5xf32>
// CHECK: %[[H:.+]] = cnn.hard_swish %[[T]] : tensor<1x4x5x5xf32>
// CHECK: %[[L:.+]] = cnn.leaky_relu %[[H]] {alpha = 2.000000e-01 : f32} : tensor<1x4x5x5xf32>
// CHECK: %[[G:.+]] = cnn.hard_sigmoid %[[L]] {alpha = 0.166666672 : f32, beta = 5.000000e-01 : f32} : tensor<1x4x5x5xf32>
// CHECK: return %[[G]]
func.func @activations(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.sigmoid %x : tensor<1x4x5x5xf32>
  %1 = cnn.tanh %0 : tensor<1x4x5x5xf32>
  %2 = cnn.hard_swish %1 : tensor<1x4x5x5xf32>
  %3 = cnn.leaky_relu %2 {alpha = 0.2 : f32} : tensor<1x4x5x5xf32>
  %4 = cnn.hard_sigmoid %3 {alpha = 0.166666672 : f32, beta = 0.5 : f32} : tensor<1x4x5x5xf32>
  return %4 : tensor<1x4x5x5xf32>
}

// A per-channel slope [4, 1, 1]; Sub and Div broadcast both ways.
// CHECK-LABEL: func.func @prelu_sub_div
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x5x5xf32>, %[[S:.+]]: tensor<4x1x1xf32>, %[[A:.+]]: tensor<2x1x3xf32>, %[[B:.+]]: tensor<4x1xf32>)
// CHECK: cnn.prelu %[[X]], %[[S]] : (tensor<1x4x5x5xf32>, tensor<4x1x1xf32>) -> tensor<1x4x5x5xf32>
// CHECK: cnn.sub %[[A]], %[[B]] : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
// CHECK: cnn.div %[[B]], %[[A]] : (tensor<4x1xf32>, tensor<2x1x3xf32>) -> tensor<2x4x3xf32>
func.func @prelu_sub_div(%x: tensor<1x4x5x5xf32>, %s: tensor<4x1x1xf32>, %a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> (tensor<1x4x5x5xf32>, tensor<2x4x3xf32>, tensor<2x4x3xf32>) {
  %0 = cnn.prelu %x, %s : (tensor<1x4x5x5xf32>, tensor<4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %1 = cnn.sub %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  %2 = cnn.div %b, %a : (tensor<4x1xf32>, tensor<2x1x3xf32>) -> tensor<2x4x3xf32>
  return %0, %1, %2 : tensor<1x4x5x5xf32>, tensor<2x4x3xf32>, tensor<2x4x3xf32>
}

// CHECK-LABEL: func.func @softmax_lrn
// CHECK: cnn.softmax %{{.+}} {axis = 1 : i64} : tensor<2x10xf32>
// CHECK: cnn.lrn %{{.+}} {alpha = 9.99999974E-5 : f32, beta = 7.500000e-01 : f32, bias = 2.000000e+00 : f32, size = 5 : i64} : tensor<1x8x5x5xf32>
func.func @softmax_lrn(%x: tensor<2x10xf32>, %y: tensor<1x8x5x5xf32>) -> (tensor<2x10xf32>, tensor<1x8x5x5xf32>) {
  %0 = cnn.softmax %x {axis = 1 : i64} : tensor<2x10xf32>
  %1 = cnn.lrn %y {size = 5 : i64, alpha = 1.0e-4 : f32, beta = 0.75 : f32, bias = 2.0 : f32} : tensor<1x8x5x5xf32>
  return %0, %1 : tensor<2x10xf32>, tensor<1x8x5x5xf32>
}

// Kept dims stay as size 1; dropped dims disappear.
// CHECK-LABEL: func.func @reduce_mean
// CHECK: cnn.reduce_mean %{{.+}} {axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4x5xf32>) -> tensor<2x1x4x5xf32>
// CHECK: cnn.reduce_mean %{{.+}} {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4x5xf32>) -> tensor<3x5xf32>
func.func @reduce_mean(%x: tensor<2x3x4x5xf32>) -> (tensor<2x1x4x5xf32>, tensor<3x5xf32>) {
  %0 = cnn.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4x5xf32>) -> tensor<2x1x4x5xf32>
  %1 = cnn.reduce_mean %x {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4x5xf32>) -> tensor<3x5xf32>
  return %0, %1 : tensor<2x1x4x5xf32>, tensor<3x5xf32>
}

// The ShuffleNet channel shuffle: transpose of the group dims.
// CHECK-LABEL: func.func @transpose
// CHECK: cnn.transpose %{{.+}} {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x3x4x5xf32>) -> tensor<1x3x2x4x5xf32>
func.func @transpose(%x: tensor<1x2x3x4x5xf32>) -> tensor<1x3x2x4x5xf32> {
  %0 = cnn.transpose %x {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x3x4x5xf32>) -> tensor<1x3x2x4x5xf32>
  return %0 : tensor<1x3x2x4x5xf32>
}

// Rows 1, 3, 5 of dim 1 and columns 2..4 of dim 3.
// CHECK-LABEL: func.func @slice
// CHECK: cnn.slice %{{.+}} {offsets = array<i64: 0, 1, 0, 2>, strides = array<i64: 1, 2, 1, 1>} : (tensor<1x6x4x8xf32>) -> tensor<1x3x4x3xf32>
func.func @slice(%x: tensor<1x6x4x8xf32>) -> tensor<1x3x4x3xf32> {
  %0 = cnn.slice %x {offsets = array<i64: 0, 1, 0, 2>, strides = array<i64: 1, 2, 1, 1>} : (tensor<1x6x4x8xf32>) -> tensor<1x3x4x3xf32>
  return %0 : tensor<1x3x4x3xf32>
}

// CHECK-LABEL: func.func @split
// CHECK: %[[P:.+]]:3 = cnn.split %{{.+}} {axis = 1 : i64} : (tensor<1x6x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>)
// CHECK: return %[[P]]#0, %[[P]]#1, %[[P]]#2
func.func @split(%x: tensor<1x6x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) {
  %0:3 = cnn.split %x {axis = 1 : i64} : (tensor<1x6x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>)
  return %0#0, %0#1, %0#2 : tensor<1x1x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>
}

// CHECK-LABEL: func.func @pad
// CHECK: cnn.pad %{{.+}} {mode = "constant", pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>, value = 1.500000e+00 : f32} : (tensor<1x2x4x5xf32>) -> tensor<1x2x8x11xf32>
// CHECK: cnn.pad %{{.+}} {mode = "edge", pads = array<i64: 0, 1, 0, 0, 0, 0, 0, 6>, value = 0.000000e+00 : f32} : (tensor<1x2x4x5xf32>) -> tensor<1x3x4x11xf32>
// CHECK: cnn.pad %{{.+}} {mode = "reflect", pads = array<i64: 0, 0, 3, 1, 0, 0, 3, 4>, value = 0.000000e+00 : f32} : (tensor<1x2x4x5xf32>) -> tensor<1x2x10x10xf32>
func.func @pad(%x: tensor<1x2x4x5xf32>) -> (tensor<1x2x8x11xf32>, tensor<1x3x4x11xf32>, tensor<1x2x10x10xf32>) {
  %0 = cnn.pad %x {pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>, mode = "constant", value = 1.5 : f32} : (tensor<1x2x4x5xf32>) -> tensor<1x2x8x11xf32>
  %1 = cnn.pad %x {pads = array<i64: 0, 1, 0, 0, 0, 0, 0, 6>, mode = "edge", value = 0.0 : f32} : (tensor<1x2x4x5xf32>) -> tensor<1x3x4x11xf32>
  %2 = cnn.pad %x {pads = array<i64: 0, 0, 3, 1, 0, 0, 3, 4>, mode = "reflect", value = 0.0 : f32} : (tensor<1x2x4x5xf32>) -> tensor<1x2x10x10xf32>
  return %0, %1, %2 : tensor<1x2x8x11xf32>, tensor<1x3x4x11xf32>, tensor<1x2x10x10xf32>
}
