// RUN: cnnc-opt %s --cnn-fuse-conv-activation --split-input-file | FileCheck %s

// CHECK-LABEL: func @relu6
// CHECK:       %[[C:.+]] = cnn.conv2d {{.*}}activation = "clip", activation_params = array<f32: 0.000000e+00, 6.000000e+00>
// CHECK-NOT:   cnn.clip
// CHECK:       return %[[C]]
func.func @relu6(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = cnn.clip %c {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// Depthwise conv + hard_swish, and leaky_relu / hard_sigmoid parameters.
// CHECK-LABEL: func @kinds
// CHECK:       cnn.conv2d {{.*}}activation = "hard_swish"{{.*}}groups = 2
// CHECK:       cnn.conv2d {{.*}}activation = "leaky_relu", activation_params = array<f32: 1.000000e-01>
// CHECK:       cnn.conv2d {{.*}}activation = "hard_sigmoid", activation_params = array<f32: 2.000000e-01, 5.000000e-01>
func.func @kinds(%x: tensor<1x2x4x4xf32>, %dw: tensor<2x1x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %a = cnn.conv2d %x, %dw {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32>
  %ha = cnn.hard_swish %a : tensor<1x2x2x2xf32>
  %b = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %lb = cnn.leaky_relu %b {alpha = 0.1 : f32} : tensor<1x2x4x4xf32>
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %hc = cnn.hard_sigmoid %c {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<1x2x4x4xf32>
  return %ha, %lb, %hc : tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// SiLU as exporters spell it: x * sigmoid(x).
// CHECK-LABEL: func @silu
// CHECK:       %[[C:.+]] = cnn.conv2d {{.*}}activation = "silu"
// CHECK-NOT:   cnn.sigmoid
// CHECK-NOT:   cnn.mul
// CHECK:       return %[[C]]
func.func @silu(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %s = cnn.sigmoid %c : tensor<1x2x4x4xf32>
  %r = cnn.mul %c, %s : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// Negative: the conv result has another user (a residual), so the
// activation cannot move; a second activation after a fused one stays.
// CHECK-LABEL: func @not_fused
// CHECK:       %[[C:.+]] = cnn.conv2d
// CHECK-NOT:   activation
// CHECK:       cnn.relu %[[C]]
// CHECK:       cnn.add
// CHECK:       cnn.conv2d {{.*}}activation = "relu"
// CHECK:       cnn.sigmoid
func.func @not_fused(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = cnn.relu %c : tensor<1x2x4x4xf32>
  %a = cnn.add %r, %c : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %d = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %e = cnn.relu %d : tensor<1x2x4x4xf32>
  %f = cnn.sigmoid %e : tensor<1x2x4x4xf32>
  return %a, %f : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Hardswish as torch exports it before opset 14: x * hard_sigmoid(x) with
// alpha 1/6 and beta 1/2.
// CHECK-LABEL: func @hard_swish_spelled_out
// CHECK:       %[[C:.+]] = cnn.conv2d {{.*}}activation = "hard_swish"
// CHECK-NOT:   cnn.hard_sigmoid
// CHECK-NOT:   cnn.mul
// CHECK:       return %[[C]]
func.func @hard_swish_spelled_out(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %s = cnn.hard_sigmoid %c {alpha = 0.166666672 : f32, beta = 0.5 : f32} : tensor<1x2x4x4xf32>
  %r = cnn.mul %c, %s : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// Another hard_sigmoid as the gate is not hard_swish: left alone.
// CHECK-LABEL: func @other_gate
// CHECK:       cnn.hard_sigmoid
// CHECK:       cnn.mul
func.func @other_gate(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %s = cnn.hard_sigmoid %c {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<1x2x4x4xf32>
  %r = cnn.mul %c, %s : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// ResNet's relu(add(conv, identity)): the identity is added in the conv's
// epilogue, then the relu; the add is gone.
// CHECK-LABEL: func @residual_relu
// CHECK-SAME:  (%[[X:.+]]: tensor<1x2x4x4xf32>, %[[W:.+]]: tensor<2x2x1x1xf32>, %[[B:.+]]: tensor<2xf32>)
// CHECK:       %[[C:.+]] = cnn.conv2d %[[X]], %[[W]], %[[B]] residual %[[X]] {activation = "relu"
// CHECK-NOT:   cnn.add
// CHECK-NOT:   cnn.relu
// CHECK:       return %[[C]]
func.func @residual_relu(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %c = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %s = cnn.add %x, %c : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %r = cnn.relu %s : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// MobileNetV2's linear bottleneck: add without an activation after it. The
// add of two convs (a downsampling shortcut) takes one as the residual of
// the other.
// CHECK-LABEL: func @residual_linear
// CHECK:       %[[A:.+]] = cnn.conv2d %arg0, %arg1 {
// CHECK:       %[[B:.+]] = cnn.conv2d %arg0, %arg1 residual %[[A]] {
// CHECK-NOT:   cnn.add
// CHECK:       return %[[B]]
func.func @residual_linear(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %a = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %b = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %s = cnn.add %a, %b : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %s : tensor<1x2x4x4xf32>
}

// -----

// Not fused: the conv's result has another user; the conv already ends in
// an activation (the add comes after it); the other operand broadcasts.
// CHECK-LABEL: func @residual_not_fused
// CHECK-NOT:   residual
// CHECK-COUNT-3: cnn.add
func.func @residual_not_fused(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %bc: tensor<1x2x1x1xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %a = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %s = cnn.add %a, %x : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %b = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "relu"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %t = cnn.add %b, %x : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %u = cnn.add %c, %bc : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %s, %a, %t, %u : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}
