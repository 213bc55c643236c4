// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches --split-input-file | FileCheck %s

// Output channels per invocation: a one-group conv's channels all read the
// same input pixels, so one invocation computes 4 of them (grid y = 8 / 4)
// in one reduction loop and loads each input element once for all 4.
// CHECK-LABEL: func.func @conv_8
// CHECK:         gpu.launch
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK-COUNT-1:         memref.load %arg0
// CHECK-COUNT-4:         arith.mulf
// CHECK:         channels_per_invocation = 4 : i64
// CHECK-SAME:    grid = array<i64: 1, 2, 1>
func.func @conv_8(%x: memref<1x3x8x8xf32>, %w: memref<8x3x3x3xf32>, %y: memref<1x8x6x6xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x8x8xf32>, memref<8x3x3x3xf32>) outs(%y : memref<1x8x6x6xf32>)
  return
}

// -----

// 6 channels: 2 per invocation (4 does not divide 6), grid y = 3.
// CHECK-LABEL: func.func @conv_6
// CHECK:         channels_per_invocation = 2 : i64
// CHECK-SAME:    grid = array<i64: 1, 3, 1>
func.func @conv_6(%x: memref<1x3x8x8xf32>, %w: memref<6x3x3x3xf32>, %y: memref<1x6x6x6xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x8x8xf32>, memref<6x3x3x3xf32>) outs(%y : memref<1x6x6x6xf32>)
  return
}

// -----

// Depthwise: every input depends on the channel, nothing to share: one
// channel per invocation, one workgroup row per channel.
// CHECK-LABEL: func.func @depthwise
// CHECK:         channels_per_invocation = 1 : i64
// CHECK-SAME:    grid = array<i64: 1, 8, 1>
func.func @depthwise(%x: memref<1x8x8x8xf32>, %w: memref<8x3x3xf32>, %y: memref<1x8x6x6xf32>) {
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x8x8x8xf32>, memref<8x3x3xf32>) outs(%y : memref<1x8x6x6xf32>)
  return
}

// -----

// A max pool: its window operand is never read, so it does not count as a
// shared input; one channel per invocation.
// CHECK-LABEL: func.func @pool
// CHECK:         channels_per_invocation = 1 : i64
// CHECK-SAME:    grid = array<i64: 1, 8, 1>
func.func @pool(%x: memref<1x8x8x8xf32>, %k: memref<2x2xf32>, %y: memref<1x8x4x4xf32>) {
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %k : memref<1x8x8x8xf32>, memref<2x2xf32>) outs(%y : memref<1x8x4x4xf32>)
  return
}

// -----

// channels-per-invocation=1 turns it off.
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches=channels-per-invocation=1 --split-input-file | FileCheck %s --check-prefix=ONE
// ONE-LABEL: func.func @conv_8
// ONE:         channels_per_invocation = 1 : i64
// ONE-SAME:    grid = array<i64: 1, 8, 1>
