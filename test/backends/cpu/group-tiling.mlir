// RUN: cnnc-opt %s --convert-cnn-to-linalg --canonicalize --cnnc-cpu-group-tiling | FileCheck %s
// RUN: cnnc-opt %s --convert-cnn-to-linalg --canonicalize --cnnc-cpu-group-tiling=cache-bytes=32768 | FileCheck %s --check-prefix=L1
// RUN: cnnc-opt %s --convert-cnn-to-linalg --canonicalize --cnnc-cpu-group-tiling="vector-width=8 vector-registers=16" | FileCheck %s --check-prefix=AVX2

// The plan of each convolution for g in {1, 2, 3, 5, 8, 32, C}. KxK kernels
// keep 8 accumulators (at most half the vector registers), one output row
// at a time, except depthwise ones at stride 1 (below). Pointwise ones use
// half of the registers over the vectors of a tile.
// One group of 32 output channels: tiles of 8 inside it. The input rows of
// a tile, 16 x 58 x 58 floats, fit in 1 MiB: one spatial tile of all 56
// rows. With a 32 KiB budget, 4 rows (16 x 6 x 58 floats, 4 divides 56).
// With 8-lane vectors and 16 registers: 8 accumulators too, as 4 channels
// x 2 rows (a one-group conv at stride 1).
// CHECK-LABEL: func @g1
// CHECK:       linalg.conv_2d_nchw_fchw {cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 1 : i64, groups_per_tile = 1 : i64, lanes = 16 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 56 : i64, vector = "width"}
// L1-LABEL:    func @g1
// L1:          cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 1 : i64, groups_per_tile = 1 : i64, lanes = 16 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 4 : i64, vector = "width"}
// AVX2-LABEL:  func @g1
// AVX2:        cnnc.group_tiling = {channels_per_tile = 4 : i64, groups = 1 : i64, groups_per_tile = 1 : i64, lanes = 8 : i64, rows_per_kernel = 2 : i64, rows_per_tile = 56 : i64, vector = "width"}
func.func @g1(%x: tensor<1x16x58x58xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x56x56xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x58x58xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x56x56xf32>
  return %c : tensor<1x32x56x56xf32>
}

// One group, rows of 7: half vectors (the loop vectorizer's code for it
// ran 7.5 times slower on ResNet's 512-channel 3x3 convs).
// CHECK-LABEL: func @g1_narrow
// CHECK:       linalg.conv_2d_nchw_fchw {cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 1 : i64, groups_per_tile = 1 : i64, lanes = 8 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 7 : i64, vector = "width"}
func.func @g1_narrow(%x: tensor<1x16x9x9xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x7x7xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x9x9xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x7x7xf32>
  return %c : tensor<1x32x7x7xf32>
}

// Two groups of 16 channels: tiles of 8 never straddle them. 32 KiB holds
// the 16 input channels of a tile for 14 output rows.
// CHECK-LABEL: func @g2
// CHECK:       linalg.conv_2d_ngchw_gfchw {cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 2 : i64, groups_per_tile = 1 : i64, lanes = 16 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 28 : i64, vector = "width"}
// L1-LABEL:    func @g2
// L1:          cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 2 : i64, groups_per_tile = 1 : i64, lanes = 16 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 14 : i64, vector = "width"}
func.func @g2(%x: tensor<1x32x30x30xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x28x28xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x32x30x30xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x28x28xf32>
  return %c : tensor<1x32x28x28xf32>
}

// ShuffleNet v1 g=3, grouped 1x1: 784 pixels take one vector per tile
// (no larger multiple of 16 divides 784), so up to 16 rows: 10, a divisor
// of the 20 channels per group.
// CHECK-LABEL: func @g3_pointwise
// CHECK:       linalg.generic
// CHECK-SAME:    cnnc.group_tiling = {channels_per_tile = 10 : i64, groups = 3 : i64, groups_per_tile = 1 : i64, lanes = 16 : i64, vector = "pixels", vectors_per_tile = 1 : i64}
func.func @g3_pointwise(%x: tensor<1x240x28x28xf32>, %w: tensor<60x80x1x1xf32>) -> tensor<1x60x28x28xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 3 : i64} : (tensor<1x240x28x28xf32>, tensor<60x80x1x1xf32>) -> tensor<1x60x28x28xf32>
  return %c : tensor<1x60x28x28xf32>
}

// Groups of 4 output channels; 2 would fit in 8 accumulators, but 2 does
// not divide 3 groups: one group per tile.
// CHECK-LABEL: func @g3
// CHECK:       linalg.conv_2d_ngchw_gfchw {cnnc.group_tiling = {channels_per_tile = 4 : i64, groups = 3 : i64, groups_per_tile = 1 : i64, lanes = 16 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 16 : i64, vector = "width"}
func.func @g3(%x: tensor<1x12x18x18xf32>, %w: tensor<12x4x3x3xf32>) -> tensor<1x12x16x16xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 3 : i64} : (tensor<1x12x18x18xf32>, tensor<12x4x3x3xf32>) -> tensor<1x12x16x16xf32>
  return %c : tensor<1x12x16x16xf32>
}

// Groups of 3: likewise one per tile.
// CHECK-LABEL: func @g5
// CHECK:       linalg.conv_2d_ngchw_gfchw {cnnc.group_tiling = {channels_per_tile = 3 : i64, groups = 5 : i64, groups_per_tile = 1 : i64, lanes = 16 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 16 : i64, vector = "width"}
func.func @g5(%x: tensor<1x15x18x18xf32>, %w: tensor<15x3x3x3xf32>) -> tensor<1x15x16x16xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 5 : i64} : (tensor<1x15x18x18xf32>, tensor<15x3x3x3xf32>) -> tensor<1x15x16x16xf32>
  return %c : tensor<1x15x16x16xf32>
}

// ShuffleNet v1 g=8: 12 output channels per group, all in one tile.
// CHECK-LABEL: func @g8_pointwise
// CHECK:       linalg.generic
// CHECK-SAME:    cnnc.group_tiling = {channels_per_tile = 12 : i64, groups = 8 : i64, groups_per_tile = 1 : i64, lanes = 16 : i64, vector = "pixels", vectors_per_tile = 1 : i64}
func.func @g8_pointwise(%x: tensor<1x384x28x28xf32>, %w: tensor<96x48x1x1xf32>) -> tensor<1x96x28x28xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 8 : i64} : (tensor<1x384x28x28xf32>, tensor<96x48x1x1xf32>) -> tensor<1x96x28x28xf32>
  return %c : tensor<1x96x28x28xf32>
}

// 256 pixels take 4 vectors per tile, leaving 4 accumulator rows; a group
// has 2 output channels, so a tile packs 2 whole groups.
// CHECK-LABEL: func @g8_pointwise_packed
// CHECK:       linalg.generic
// CHECK-SAME:    cnnc.group_tiling = {channels_per_tile = 4 : i64, groups = 8 : i64, groups_per_tile = 2 : i64, lanes = 16 : i64, vector = "pixels", vectors_per_tile = 4 : i64}
func.func @g8_pointwise_packed(%x: tensor<1x64x16x16xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<1x16x16x16xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 8 : i64} : (tensor<1x64x16x16xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x16x16xf32>
  return %c : tensor<1x16x16x16xf32>
}

// ResNeXt 32x4d: 4 output channels per group, two whole groups per tile.
// CHECK-LABEL: func @g32
// CHECK:       linalg.conv_2d_ngchw_gfchw {cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 32 : i64, groups_per_tile = 2 : i64, lanes = 16 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 56 : i64, vector = "width"}
func.func @g32(%x: tensor<1x128x58x58xf32>, %w: tensor<128x4x3x3xf32>) -> tensor<1x128x56x56xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 32 : i64} : (tensor<1x128x58x58xf32>, tensor<128x4x3x3xf32>) -> tensor<1x128x56x56xf32>
  return %c : tensor<1x128x56x56xf32>
}

// ResNeXt's last stage: 7-wide rows take half vectors, one lane masked.
// CHECK-LABEL: func @g32_narrow
// CHECK:       linalg.conv_2d_ngchw_gfchw {cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 32 : i64, groups_per_tile = 1 : i64, lanes = 8 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 7 : i64, vector = "width"}
func.func @g32_narrow(%x: tensor<1x1024x9x9xf32>, %w: tensor<1024x32x3x3xf32>) -> tensor<1x1024x7x7xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 32 : i64} : (tensor<1x1024x9x9xf32>, tensor<1024x32x3x3xf32>) -> tensor<1x1024x7x7xf32>
  return %c : tensor<1x1024x7x7xf32>
}

// Depthwise (g = C) at stride 1: one channel per group, 2 whole groups per
// tile, 4 output rows per kernel (each input row loaded once serves the
// taps of 3 of them).
// CHECK-LABEL: func @depthwise
// CHECK:       linalg.depthwise_conv_2d_nchw_chw {cnnc.group_tiling = {channels_per_tile = 2 : i64, groups = 32 : i64, groups_per_tile = 2 : i64, lanes = 16 : i64, rows_per_kernel = 4 : i64, rows_per_tile = 112 : i64, vector = "width"}
func.func @depthwise(%x: tensor<1x32x114x114xf32>, %w: tensor<32x1x3x3xf32>) -> tensor<1x32x112x112xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 32 : i64} : (tensor<1x32x114x114xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x112x112xf32>
  return %c : tensor<1x32x112x112xf32>
}

// Depthwise at 7x7 (MobileNet's last stages): half vectors, all 7 rows in
// one kernel (7 has no divisor 3 or 4).
// CHECK-LABEL: func @depthwise_narrow
// CHECK:       linalg.depthwise_conv_2d_nchw_chw {cnnc.group_tiling = {channels_per_tile = 2 : i64, groups = 960 : i64, groups_per_tile = 2 : i64, lanes = 8 : i64, rows_per_kernel = 7 : i64, rows_per_tile = 7 : i64, vector = "width"}
func.func @depthwise_narrow(%x: tensor<1x960x9x9xf32>, %w: tensor<960x1x3x3xf32>) -> tensor<1x960x7x7xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 960 : i64} : (tensor<1x960x9x9xf32>, tensor<960x1x3x3xf32>) -> tensor<1x960x7x7xf32>
  return %c : tensor<1x960x7x7xf32>
}

// Depthwise at stride 2: 8 channels, one row per kernel (consecutive output
// rows share no more than one input row).
// CHECK-LABEL: func @depthwise_stride2
// CHECK:       linalg.depthwise_conv_2d_nchw_chw {cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 96 : i64, groups_per_tile = 8 : i64, lanes = 16 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 56 : i64, vector = "width"}
func.func @depthwise_stride2(%x: tensor<1x96x113x113xf32>, %w: tensor<96x1x3x3xf32>) -> tensor<1x96x56x56xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 96 : i64} : (tensor<1x96x113x113xf32>, tensor<96x1x3x3xf32>) -> tensor<1x96x56x56xf32>
  return %c : tensor<1x96x56x56xf32>
}

// Pools are planned as depthwise convs are: SqueezeNet's 3x3 stride-2 max
// pool, and the sum of an average pool (DenseNet's 2x2 transitions).
// CHECK-LABEL: func @max_pool
// CHECK:       linalg.pooling_nchw_max {cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 128 : i64, groups_per_tile = 8 : i64, lanes = 16 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 27 : i64, vector = "width"}
func.func @max_pool(%x: tensor<1x128x55x55xf32>) -> tensor<1x128x27x27xf32> {
  %p = cnn.max_pool2d %x {ceil_mode = true, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x128x55x55xf32>) -> tensor<1x128x27x27xf32>
  return %p : tensor<1x128x27x27xf32>
}

// CHECK-LABEL: func @avg_pool
// CHECK:       linalg.pooling_nchw_sum {cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 128 : i64, groups_per_tile = 8 : i64, lanes = 16 : i64, rows_per_kernel = 1 : i64, rows_per_tile = 28 : i64, vector = "width"}
func.func @avg_pool(%x: tensor<1x128x56x56xf32>) -> tensor<1x128x28x28xf32> {
  %p = cnn.avg_pool2d %x {ceil_mode = false, count_include_pad = true, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x128x56x56xf32>) -> tensor<1x128x28x28xf32>
  return %p : tensor<1x128x28x28xf32>
}

// With 16 registers a one-group conv takes 4 channels x 2 rows where two
// consecutive output rows share at least half their input rows: ResNet's
// 7x7 stem at stride 2 does, a 3x3 conv at stride 2 does not.
// AVX2-LABEL:  func @stem_7x7_s2
// AVX2:        cnnc.group_tiling = {channels_per_tile = 4 : i64, groups = 1 : i64, groups_per_tile = 1 : i64, lanes = 8 : i64, rows_per_kernel = 2 : i64
// AVX2-LABEL:  func @g1_3x3_s2
// AVX2:        cnnc.group_tiling = {channels_per_tile = 8 : i64, groups = 1 : i64, groups_per_tile = 1 : i64, lanes = 8 : i64, rows_per_kernel = 1 : i64
func.func @stem_7x7_s2(%x: tensor<1x3x229x229xf32>, %w: tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x229x229xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
  return %c : tensor<1x64x112x112xf32>
}
func.func @g1_3x3_s2(%x: tensor<1x64x57x57xf32>, %w: tensor<128x64x3x3xf32>) -> tensor<1x128x28x28xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x64x57x57xf32>, tensor<128x64x3x3xf32>) -> tensor<1x128x28x28xf32>
  return %c : tensor<1x128x28x28xf32>
}

// Rows under a quarter of a vector: no plan.
// CHECK-LABEL: func @depthwise_tiny
// CHECK-NOT:   cnnc.group_tiling
// CHECK:       return
func.func @depthwise_tiny(%x: tensor<1x8x5x5xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 8 : i64} : (tensor<1x8x5x5xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %c : tensor<1x8x3x3xf32>
}

// A matrix product that is not a convolution gets no plan.
// CHECK-LABEL: func @matmul
// CHECK-NOT:   cnnc.group_tiling
// CHECK:       return
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}
