// RUN: cnnc-opt %s --convert-cnn-to-linalg --canonicalize --cnnc-cpu-tile-and-vectorize --canonicalize | FileCheck %s

// A pointwise conv with a bias and a ReLU6 after it: one loop nest of
// micro-kernels. The accumulators start from the bias (here the constant
// 1.0), carry through the loop over the 8 input channels in registers, get
// the clip applied, and are stored once. 16 output channels x 32 pixels:
// 8 rows of one 32-lane vector per kernel, two kernels.
// CHECK-LABEL: func @pointwise_bias_relu6
// CHECK-DAG:   %[[BIAS:.+]] = arith.constant dense<1.000000e+00> : vector<32xf32>
// CHECK-DAG:   %[[SIX:.+]] = arith.constant dense<6.000000e+00> : vector<32xf32>
// CHECK:       scf.for %{{.+}} = %c0 to %c16 step %c8
// CHECK:         %[[ACC:.+]]:8 = scf.for %{{.+}} = %c0 to %c8 step %c1 iter_args(%{{.+}} = %[[BIAS]],
// CHECK-COUNT-1: vector.transfer_read
// CHECK-COUNT-8: vector.fma
// CHECK:         scf.yield
// CHECK:         arith.maximumf %[[ACC]]#0
// CHECK-NEXT:    arith.minimumf %{{.+}}, %[[SIX]] : vector<32xf32>
// CHECK-NEXT:    vector.transfer_write
// CHECK-NOT:   linalg.generic
func.func @pointwise_bias_relu6(%x: tensor<1x8x4x8xf32>) -> tensor<1x16x4x8xf32> {
  %w = arith.constant dense<0.5> : tensor<16x8x1x1xf32>
  %b = arith.constant dense<1.0> : tensor<16xf32>
  %c = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x4x8xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>) -> tensor<1x16x4x8xf32>
  %r = cnn.clip %c {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x16x4x8xf32>
  return %r : tensor<1x16x4x8xf32>
}

// 16 output channels x 128 pixels: kernels of 4 rows x 64 lanes. The loop
// over pixel tiles is outside the one over row tiles, so that a tile's
// input pixels stay in cache while every row tile reads them.
// CHECK-LABEL: func @pointwise_pixels_outer
// CHECK:       scf.for %{{.+}} = %c0 to %c128 step %c64
// CHECK:         scf.for %{{.+}} = %c0 to %c16 step %c4
// CHECK:           scf.for %{{.+}} = %c0 to %c8 step %c1
func.func @pointwise_pixels_outer(%x: tensor<1x8x8x16xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<1x16x8x16xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x8x16xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x8x16xf32>
  return %c : tensor<1x16x8x16xf32>
}

// 7x7 = 49 pixels: no multiple of 16 divides it, so the kernels take 64
// lanes and the reads and writes are masked (not in bounds).
// CHECK-LABEL: func @pointwise_masked
// CHECK:       vector.transfer_read {{.+}} : tensor<1x8x49xf32>, vector<64xf32>
// CHECK:       vector.fma
// CHECK:       vector.transfer_write {{.+}} : vector<64xf32>, tensor<1x8x49xf32>
func.func @pointwise_masked(%x: tensor<1x8x7x7xf32>, %w: tensor<8x8x1x1xf32>) -> tensor<1x8x7x7xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x7x7xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x7x7xf32>
  return %c : tensor<1x8x7x7xf32>
}

// A 3x3 convolution is not a matrix product: left to the loop vectorizer.
// CHECK-LABEL: func @not_pointwise
// CHECK:       linalg.conv_2d_nchw_fchw
// CHECK-NOT:   vector.fma
func.func @not_pointwise(%x: tensor<1x8x6x6xf32>, %w: tensor<8x8x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %c : tensor<1x8x4x4xf32>
}

// With the plan of cnnc-cpu-group-tiling: a grouped pointwise conv (g = 8,
// 2 output channels per group, 256 pixels as 64-lane tiles) packs 2 whole
// groups per kernel. Each step of the reduction over a group's 8 input
// channels loads each group's own 64 pixels and feeds that group's 2 rows.
// RUN: cnnc-opt %s --convert-cnn-to-linalg --canonicalize --cnnc-cpu-group-tiling --cnnc-cpu-tile-and-vectorize --canonicalize | FileCheck %s --check-prefix=GRP
// CHECK-LABEL: func @grouped_pointwise_packed
// GRP-LABEL: func @grouped_pointwise_packed
// GRP:       scf.for %[[G:.+]] = %c0 to %c8 step %c2
// GRP:       %{{.+}}:4 = scf.for %[[K:.+]] = %c0 to %c8 step %c1 iter_args(
// GRP:         vector.transfer_read %{{.+}}[%{{.+}}, %[[G]], %[[K]], %{{.+}}]{{.+}} : tensor<1x8x8x256xf32>, vector<64xf32>
// GRP-COUNT-2: vector.fma
// GRP:         %[[G1:.+]] = arith.addi %[[G]], %c1 : index
// GRP-NEXT:    vector.transfer_read %{{.+}}[%{{.+}}, %[[G1]], %[[K]], %{{.+}}]{{.+}} : tensor<1x8x8x256xf32>, vector<64xf32>
// GRP-COUNT-2: vector.fma
// GRP:         scf.yield
// GRP-COUNT-4: vector.transfer_write
func.func @grouped_pointwise_packed(%x: tensor<1x64x16x16xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<1x16x16x16xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 8 : i64} : (tensor<1x64x16x16xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x16x16xf32>
  return %c : tensor<1x16x16x16xf32>
}

// The same with a bias (ShuffleNet v1's grouped 1x1 convs, BatchNorm
// folded): the accumulators start from the bias seen as [groups, channels
// per group], element (g + j, r) for row r of the tile's group j; no
// broadcast tensor is built and copied into the result.
// GRP-LABEL: func @grouped_pointwise_bias
// GRP:       %[[B:.+]] = tensor.expand_shape %arg2 {{\[}}[0, 1]] output_shape [8, 2] : tensor<16xf32> into tensor<8x2xf32>
// GRP-NOT:   linalg.broadcast
// GRP:       scf.for %[[G:.+]] = %c0 to %c8 step %c2
// GRP:       tensor.extract %[[B]][%[[G]], %c0] : tensor<8x2xf32>
// GRP:       tensor.extract %[[B]][%[[G]], %c1] : tensor<8x2xf32>
// GRP:       %[[G1:.+]] = arith.addi %[[G]], %c1 : index
// GRP:       tensor.extract %[[B]][%[[G1]], %c0] : tensor<8x2xf32>
// GRP:       scf.yield
// GRP-NOT:   linalg.copy
func.func @grouped_pointwise_bias(%x: tensor<1x64x16x16xf32>, %w: tensor<16x8x1x1xf32>, %b: tensor<16xf32>) -> tensor<1x16x16x16xf32> {
  %c = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 8 : i64} : (tensor<1x64x16x16xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>) -> tensor<1x16x16x16xf32>
  return %c : tensor<1x16x16x16xf32>
}
