// RUN: cnnc-opt %s --cnnc-cpu-conv-kernels | FileCheck %s

// Depthwise, stride 1: per 16-wide output vector, nine unit-stride input loads, each
// times the broadcast tap weight, accumulated in a register; one store.
// CHECK-LABEL: func @depthwise
// CHECK:       scf.for
// CHECK:       scf.for
// CHECK:       scf.for
// CHECK:       scf.for %{{.+}} = %c0 to %c32 step %c16
// CHECK:         vector.transfer_read %{{.+}} {in_bounds = [true]} : tensor<1x2x16x32xf32>, vector<16xf32>
// CHECK-COUNT-9: vector.fma {{.+}} : vector<16xf32>
// CHECK:         vector.transfer_write {{.+}} {in_bounds = [true]} : vector<16xf32>, tensor<1x2x16x32xf32>
// CHECK-NOT:   linalg.depthwise_conv_2d_nchw_chw
func.func @depthwise(%x: tensor<1x2x18x34xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  %r = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x18x34xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32>
  return %r : tensor<1x2x16x32xf32>
}

// Stride 2: each tap loads 32 inputs and keeps the even lanes.
// CHECK-LABEL: func @depthwise_s2
// CHECK:       vector.transfer_read {{.+}} : tensor<1x2x33x33xf32>, vector<32xf32>
// CHECK-NEXT:  vector.shuffle {{.+}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
func.func @depthwise_s2(%x: tensor<1x2x33x33xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> {
  %r = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x2x33x33xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  return %r : tensor<1x2x16x16xf32>
}

// Rows narrower than half a vector stay as they are (the loop vectorizer's job).
// CHECK-LABEL: func @narrow
// CHECK:       linalg.depthwise_conv_2d_nchw_chw
func.func @narrow(%x: tensor<1x2x9x9xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32> {
  %r = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x9x9xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  return %r : tensor<1x2x7x7xf32>
}

// A one-group convolution: blocks of 8 output channels (the largest divisor
// of 16 up to 8), a loop over the 3 input channels, 9 taps each with one
// input load and 8 multiply-adds.
// CHECK-LABEL: func @regular
// CHECK:       scf.for %{{.+}} = %c0 to %c16 step %c8
// CHECK:       %{{.+}}:8 = scf.for %{{.+}} = %c0 to %{{.+}} step %c1 iter_args(
// CHECK-COUNT-72: vector.fma {{.+}} : vector<16xf32>
// CHECK:       scf.yield
// CHECK-COUNT-8: vector.transfer_write
// CHECK-NOT:   linalg.conv_2d_nchw_fchw
func.func @regular(%x: tensor<1x3x18x18xf32>, %w: tensor<16x3x3x3xf32>, %init: tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x3x18x18xf32>, tensor<16x3x3x3xf32>) outs(%init : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %r : tensor<1x16x16x16xf32>
}

// Rows narrower than a vector but at least half as wide (13): half vectors,
// the second one masked.
// CHECK-LABEL: func @half_width
// CHECK:       scf.for %{{.+}} = %c0 to %c13{{.*}} step %c8
// CHECK:       vector.transfer_read {{.+}} : tensor<1x2x13x13xf32>, vector<8xf32>
func.func @half_width(%x: tensor<1x2x15x15xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x13x13xf32>) -> tensor<1x2x13x13xf32> {
  %r = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x15x15xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x13x13xf32>) -> tensor<1x2x13x13xf32>
  return %r : tensor<1x2x13x13xf32>
}

// -----

// A depthwise conv with a bias and a fused ReLU6 (from the graph pass):
// accumulators start from the channel's bias, the clamp is applied in
// registers, and nothing else touches the output.
// RUN: cnnc-opt %s --split-input-file --convert-cnn-to-linalg --cnnc-cpu-conv-kernels --canonicalize | FileCheck %s --check-prefix=EPI
// EPI-LABEL: func @depthwise_bias_relu6
// EPI:       %[[B:.+]] = tensor.extract %{{.+}}[%{{.+}}] : tensor<2xf32>
// EPI:       %[[ACC:.+]] = vector.broadcast %[[B]] : f32 to vector<16xf32>
// EPI-COUNT-9: vector.fma
// EPI:       arith.maximumf {{.+}} : vector<16xf32>
// EPI-NEXT:  arith.minimumf {{.+}} : vector<16xf32>
// EPI-NEXT:  vector.transfer_write
// EPI-NOT:   linalg.
func.func @depthwise_bias_relu6(%x: tensor<1x2x16x16xf32>, %w: tensor<2x1x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x16x16xf32> {
  %c = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2 : i64, activation = "clip", activation_params = array<f32: 0.0, 6.0>} : (tensor<1x2x16x16xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x16x16xf32>
  return %c : tensor<1x2x16x16xf32>
}
