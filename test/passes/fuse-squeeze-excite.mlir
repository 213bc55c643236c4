// RUN: cnnc-opt %s --cnn-fuse-squeeze-excite --split-input-file | FileCheck %s

// MobileNetV3 after --cnn-fuse-conv-activation: the dense layers are 1x1
// convs with relu and hard_sigmoid epilogues, the multiply reads the gate
// first (`scale * input`). Constant filters become [R, C] and [C, R]
// constants; the ops from the pool to the multiply are gone.
// CHECK-LABEL: func @mobilenet_v3
// CHECK-DAG:   %[[W1:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]]> : tensor<2x4xf32>
// CHECK-DAG:   %[[W2:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00], [7.000000e+00, 8.000000e+00]]> : tensor<4x2xf32>
// CHECK:       %[[X:.+]] = cnn.conv2d {{.*}}activation = "hard_swish"
// CHECK:       %[[SE:.+]] = cnn.squeeze_excite %[[X]], %[[W1]], %{{.+}}, %[[W2]], %{{.+}} {activation = "relu", gate = "hard_sigmoid", gate_params = array<f32: 0.166666672, 5.000000e-01>} : (tensor<1x4x6x6xf32>, tensor<2x4xf32>, tensor<2xf32>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
// CHECK-NOT:   cnn.global_avg_pool
// CHECK-NOT:   cnn.mul
// CHECK:       cnn.conv2d %[[SE]]
func.func @mobilenet_v3(%in: tensor<1x4x6x6xf32>, %dw: tensor<4x1x3x3xf32>, %proj: tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32> {
  %w1 = arith.constant dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]]], [[[5.0]], [[6.0]], [[7.0]], [[8.0]]]]> : tensor<2x4x1x1xf32>
  %b1 = arith.constant dense<0.5> : tensor<2xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[5.0]], [[6.0]]], [[[7.0]], [[8.0]]]]> : tensor<4x2x1x1xf32>
  %b2 = arith.constant dense<0.25> : tensor<4xf32>
  %x = cnn.conv2d %in, %dw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 4 : i64, activation = "hard_swish"} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  %p = cnn.global_avg_pool %x : (tensor<1x4x6x6xf32>) -> tensor<1x4x1x1xf32>
  %a = cnn.conv2d %p, %w1, %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "relu"} : (tensor<1x4x1x1xf32>, tensor<2x4x1x1xf32>, tensor<2xf32>) -> tensor<1x2x1x1xf32>
  %s = cnn.conv2d %a, %w2, %b2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "hard_sigmoid", activation_params = array<f32: 0.166666672, 0.5>} : (tensor<1x2x1x1xf32>, tensor<4x2x1x1xf32>, tensor<4xf32>) -> tensor<1x4x1x1xf32>
  %y = cnn.mul %s, %x : (tensor<1x4x1x1xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %z = cnn.conv2d %y, %proj {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  return %z : tensor<1x8x6x6xf32>
}

// -----

// SE-ResNet as imported, before --cnn-fuse-conv-activation: relu and
// sigmoid are ops of their own, the multiply reads the input first, the
// convs have no bias (zeros) and filters that are not constants (reshaped
// by cnn.reshape). x has other users (the residual).
// CHECK-LABEL: func @separate_activations
// CHECK-SAME:  (%[[X:.+]]: tensor<2x4x3x3xf32>, %[[F1:.+]]: tensor<2x4x1x1xf32>, %[[F2:.+]]: tensor<4x2x1x1xf32>)
// CHECK-DAG:   %[[Z2:.+]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK-DAG:   %[[Z4:.+]] = arith.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-DAG:   %[[W1:.+]] = cnn.reshape %[[F1]] : (tensor<2x4x1x1xf32>) -> tensor<2x4xf32>
// CHECK-DAG:   %[[W2:.+]] = cnn.reshape %[[F2]] : (tensor<4x2x1x1xf32>) -> tensor<4x2xf32>
// CHECK:       %[[SE:.+]] = cnn.squeeze_excite %[[X]], %[[W1]], %[[Z2]], %[[W2]], %[[Z4]] {activation = "relu", gate = "sigmoid"}
// CHECK:       cnn.add %[[SE]], %[[X]]
func.func @separate_activations(%x: tensor<2x4x3x3xf32>, %f1: tensor<2x4x1x1xf32>, %f2: tensor<4x2x1x1xf32>) -> tensor<2x4x3x3xf32> {
  %p = cnn.global_avg_pool %x : (tensor<2x4x3x3xf32>) -> tensor<2x4x1x1xf32>
  %c1 = cnn.conv2d %p, %f1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<2x4x1x1xf32>, tensor<2x4x1x1xf32>) -> tensor<2x2x1x1xf32>
  %r = cnn.relu %c1 : tensor<2x2x1x1xf32>
  %c2 = cnn.conv2d %r, %f2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<2x2x1x1xf32>, tensor<4x2x1x1xf32>) -> tensor<2x4x1x1xf32>
  %s = cnn.sigmoid %c2 : tensor<2x4x1x1xf32>
  %y = cnn.mul %x, %s : (tensor<2x4x3x3xf32>, tensor<2x4x1x1xf32>) -> tensor<2x4x3x3xf32>
  %z = cnn.add %y, %x : (tensor<2x4x3x3xf32>, tensor<2x4x3x3xf32>) -> tensor<2x4x3x3xf32>
  return %z : tensor<2x4x3x3xf32>
}

// -----

// nn.Linear layers: ReduceMean without keepdims, Gemm with trans_b = 1 and
// a bias, Gemm with trans_b = 0 (its constant weight transposed at compile
// time) and a [1, C] bias, Reshape back to [N, C, 1, 1]. Keras' HardSigmoid
// has alpha 0.2.
// CHECK-LABEL: func @gemm
// CHECK-SAME:  (%[[X:.+]]: tensor<1x3x4x4xf32>, %[[W1:.+]]: tensor<2x3xf32>, %[[B1:.+]]: tensor<2xf32>, %[[B2:.+]]: tensor<1x3xf32>)
// CHECK-DAG:   %[[W2:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG:   %[[B2V:.+]] = cnn.reshape %[[B2]] : (tensor<1x3xf32>) -> tensor<3xf32>
// CHECK:       %[[SE:.+]] = cnn.squeeze_excite %[[X]], %[[W1]], %[[B1]], %[[W2]], %[[B2V]] {activation = "relu", gate = "hard_sigmoid", gate_params = array<f32: 2.000000e-01, 5.000000e-01>}
// CHECK-NOT:   cnn.gemm
// CHECK:       return %[[SE]]
func.func @gemm(%x: tensor<1x3x4x4xf32>, %w1: tensor<2x3xf32>, %b1: tensor<2xf32>, %b2: tensor<1x3xf32>) -> tensor<1x3x4x4xf32> {
  %w2 = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %m = cnn.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = false} : (tensor<1x3x4x4xf32>) -> tensor<1x3xf32>
  %h = cnn.gemm %m, %w1, %b1 {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %r = cnn.relu %h : tensor<1x2xf32>
  %g = cnn.gemm %r, %w2, %b2 {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<1x2xf32>, tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %s = cnn.hard_sigmoid %g {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<1x3xf32>
  %s4 = cnn.reshape %s : (tensor<1x3xf32>) -> tensor<1x3x1x1xf32>
  %y = cnn.mul %x, %s4 : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// torch's Flatten after the pool, and Keras' hard sigmoid as tf2onnx spells
// it, relu6(x + 3) / 6 and relu6(3 + x) * (1/6): hard_sigmoid(1/6, 1/2).
// No activation between the dense layers.
// CHECK-LABEL: func @keras_hard_sigmoid
// CHECK:       cnn.squeeze_excite {{.+}} {gate = "hard_sigmoid", gate_params = array<f32: 0.166666672, 5.000000e-01>}
// CHECK:       cnn.squeeze_excite {{.+}} {gate = "hard_sigmoid", gate_params = array<f32: 0.166666672, 5.000000e-01>}
// CHECK-NOT:   cnn.clip
// CHECK-NOT:   cnn.div
func.func @keras_hard_sigmoid(%x: tensor<1x3x4x4xf32>, %w1: tensor<2x3xf32>, %w2: tensor<3x2xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %three = arith.constant dense<3.0> : tensor<1xf32>
  %six = arith.constant dense<6.0> : tensor<f32>
  %sixth = arith.constant dense<0.166666672> : tensor<f32>
  %p = cnn.global_avg_pool %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32>
  %f = cnn.reshape %p : (tensor<1x3x1x1xf32>) -> tensor<1x3xf32>
  %h = cnn.gemm %f, %w1 {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %g = cnn.gemm %h, %w2 {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  %g4 = cnn.reshape %g : (tensor<1x3xf32>) -> tensor<1x3x1x1xf32>
  %a = cnn.add %g4, %three : (tensor<1x3x1x1xf32>, tensor<1xf32>) -> tensor<1x3x1x1xf32>
  %c = cnn.clip %a {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x3x1x1xf32>
  %s = cnn.div %c, %six : (tensor<1x3x1x1xf32>, tensor<f32>) -> tensor<1x3x1x1xf32>
  %y = cnn.mul %x, %s : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %p2 = cnn.global_avg_pool %y : (tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32>
  %f2 = cnn.reshape %p2 : (tensor<1x3x1x1xf32>) -> tensor<1x3xf32>
  %h2 = cnn.gemm %f2, %w1 {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %k2 = cnn.gemm %h2, %w2 {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  %a2 = cnn.add %three, %k2 : (tensor<1xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %c2 = cnn.clip %a2 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x3xf32>
  %s2 = cnn.mul %c2, %sixth : (tensor<1x3xf32>, tensor<f32>) -> tensor<1x3xf32>
  %s24 = cnn.reshape %s2 : (tensor<1x3xf32>) -> tensor<1x3x1x1xf32>
  %y2 = cnn.mul %s24, %y : (tensor<1x3x1x1xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %y, %y2 : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// Negative: the pooled mean is also an output, so the pool must stay.
// CHECK-LABEL: func @pool_has_other_user
// CHECK-NOT:   cnn.squeeze_excite
// CHECK:       cnn.mul
func.func @pool_has_other_user(%x: tensor<1x4x3x3xf32>, %f1: tensor<2x4x1x1xf32>, %f2: tensor<4x2x1x1xf32>) -> (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) {
  %p = cnn.global_avg_pool %x : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  %a = cnn.conv2d %p, %f1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "relu"} : (tensor<1x4x1x1xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x1x1xf32>
  %s = cnn.conv2d %a, %f2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "sigmoid"} : (tensor<1x2x1x1xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x1x1xf32>
  %y = cnn.mul %x, %s : (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  return %y, %p : tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>
}

// -----

// Negative: the pool reads another tensor than the one scaled; the gate
// layer has no activation; two activations in a row (the conv's and a
// sigmoid op); a grouped conv as a dense layer.
// CHECK-LABEL: func @not_se
// CHECK-NOT:   cnn.squeeze_excite
// CHECK-COUNT-4: cnn.mul
func.func @not_se(%x: tensor<1x4x3x3xf32>, %o: tensor<1x4x3x3xf32>, %f1: tensor<2x4x1x1xf32>, %f2: tensor<4x2x1x1xf32>, %g1: tensor<2x2x1x1xf32>) -> (tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) {
  %p = cnn.global_avg_pool %o : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  %a = cnn.conv2d %p, %f1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "relu"} : (tensor<1x4x1x1xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x1x1xf32>
  %s = cnn.conv2d %a, %f2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "sigmoid"} : (tensor<1x2x1x1xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x1x1xf32>
  %y = cnn.mul %x, %s : (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x3x3xf32>

  %p2 = cnn.global_avg_pool %x : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  %a2 = cnn.conv2d %p2, %f1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "relu"} : (tensor<1x4x1x1xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x1x1xf32>
  %s2 = cnn.conv2d %a2, %f2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x1x1xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x1x1xf32>
  %y2 = cnn.mul %x, %s2 : (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x3x3xf32>

  %p3 = cnn.global_avg_pool %x : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  %a3 = cnn.conv2d %p3, %f1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "relu"} : (tensor<1x4x1x1xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x1x1xf32>
  %c3 = cnn.conv2d %a3, %f2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "relu"} : (tensor<1x2x1x1xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x1x1xf32>
  %s3 = cnn.sigmoid %c3 : tensor<1x4x1x1xf32>
  %y3 = cnn.mul %x, %s3 : (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x3x3xf32>

  %p4 = cnn.global_avg_pool %x : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  %a4 = cnn.conv2d %p4, %g1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64, activation = "relu"} : (tensor<1x4x1x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  %s4 = cnn.conv2d %a4, %f2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "sigmoid"} : (tensor<1x2x1x1xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x1x1xf32>
  %y4 = cnn.mul %x, %s4 : (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x3x3xf32>
  return %y, %y2, %y3, %y4 : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>
}

// -----

// Negative: a Gemm with alpha != 1 is left alone.
// CHECK-LABEL: func @gemm_alpha
// CHECK-NOT:   cnn.squeeze_excite
func.func @gemm_alpha(%x: tensor<1x3x4x4xf32>, %w1: tensor<2x3xf32>, %w2: tensor<3x2xf32>) -> tensor<1x3x4x4xf32> {
  %m = cnn.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = false} : (tensor<1x3x4x4xf32>) -> tensor<1x3xf32>
  %h = cnn.gemm %m, %w1 {alpha = 2.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %g = cnn.gemm %h, %w2 {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  %s = cnn.sigmoid %g : tensor<1x3xf32>
  %s4 = cnn.reshape %s : (tensor<1x3xf32>) -> tensor<1x3x1x1xf32>
  %y = cnn.mul %x, %s4 : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}
