// RUN: cnnc-opt %s --cnnc-cpu-group-tiling --cnnc-cpu-conv-kernels | FileCheck %s
// RUN: cnnc-opt %s --cnnc-cpu-group-tiling="vector-width=8 vector-registers=16" --cnnc-cpu-conv-kernels | FileCheck %s --check-prefix=AVX2

// Depthwise, stride 1: both channels in one tile (whole groups of one
// channel each) and 4 output rows per kernel. Per 16-wide output vector,
// channel and row, nine taps, each an input row times the broadcast tap
// weight, accumulated in a register; one store per channel and row. The 6
// input rows x 3 columns a channel's 4 output rows reach are loaded once
// each: 36 loads for 72 multiply-adds (not 72).
// RUN: cnnc-opt %s --cnnc-cpu-group-tiling --cnnc-cpu-conv-kernels | awk '/func.func @depthwise\(/,/return/' | grep -c "vector.transfer_read %arg0" | FileCheck %s --check-prefix=LOADS
// LOADS: 36
// CHECK-LABEL: func @depthwise
// CHECK:       scf.for
// CHECK:       scf.for %{{.+}} = %c0 to %c16{{.*}} step %c16
// CHECK:       scf.for %{{.+}} = %c0 to %c2{{.*}} step %c2
// CHECK:       scf.for %{{.+}} = %c0{{.*}} to %c16{{.*}} step %c4
// CHECK:       scf.for %{{.+}} = %c0 to %c32{{.*}} step %c16
// CHECK-COUNT-8: vector.transfer_read %{{.+}} {in_bounds = [true]} : tensor<1x2x16x32xf32>, vector<16xf32>
// CHECK-COUNT-72: vector.fma {{.+}} : vector<16xf32>
// CHECK-COUNT-8: vector.transfer_write {{.+}} {in_bounds = [true]} : vector<16xf32>, tensor<1x2x16x32xf32>
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

// Depthwise rows of 7: half vectors, masked.
// CHECK-LABEL: func @narrow
// CHECK:       vector.transfer_read {{.+}} : tensor<1x2x9x9xf32>, vector<8xf32>
// CHECK:       vector.transfer_write {{.+}} : vector<8xf32>, tensor<1x2x7x7xf32>
// CHECK-NOT:   linalg.depthwise_conv_2d_nchw_chw
func.func @narrow(%x: tensor<1x2x9x9xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32> {
  %r = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x9x9xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  return %r : tensor<1x2x7x7xf32>
}

// A one-group convolution with rows of 7 (ResNet's last stage): half
// vectors, masked, too.
// CHECK-LABEL: func @narrow_regular
// CHECK:       vector.transfer_read {{.+}} : tensor<1x2x9x9xf32>, vector<8xf32>
// CHECK:       vector.transfer_write {{.+}} : vector<8xf32>, tensor<1x4x7x7xf32>
// CHECK-NOT:   linalg.conv_2d_nchw_fchw
func.func @narrow_regular(%x: tensor<1x2x9x9xf32>, %w: tensor<4x2x3x3xf32>, %init: tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x9x9xf32>, tensor<4x2x3x3xf32>) outs(%init : tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32>
  return %r : tensor<1x4x7x7xf32>
}

// A one-group convolution: blocks of 8 output channels (the largest divisor
// of 16 up to 8), a loop over the 3 input channels, 9 taps each with one
// input load and 8 multiply-adds.
// CHECK-LABEL: func @regular
// CHECK:       scf.for %{{.+}} = %c0 to %c16{{.*}} step %c8
// CHECK:       %{{.+}}:8 = scf.for %{{.+}} = %c0 to %{{.+}} step %c1 iter_args(
// CHECK-COUNT-72: vector.fma {{.+}} : vector<16xf32>
// CHECK:       scf.yield
// CHECK-COUNT-8: vector.transfer_write
// CHECK-NOT:   linalg.conv_2d_nchw_fchw
func.func @regular(%x: tensor<1x3x18x18xf32>, %w: tensor<16x3x3x3xf32>, %init: tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x3x18x18xf32>, tensor<16x3x3x3xf32>) outs(%init : tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32>
  return %r : tensor<1x16x16x16xf32>
}

// Rows narrower than a vector but more than half as wide (13): one whole
// vector, masked, not two half vectors.
// CHECK-LABEL: func @over_half_width
// CHECK:       scf.for %{{.+}} = %c0 to %c13{{.*}} step %c16
// CHECK:       vector.transfer_read {{.+}} : tensor<1x2x13x13xf32>, vector<16xf32>
// CHECK:       vector.transfer_write {{.+}} : vector<16xf32>, tensor<1x2x13x13xf32>
func.func @over_half_width(%x: tensor<1x2x15x15xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x13x13xf32>) -> tensor<1x2x13x13xf32> {
  %r = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x15x15xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x13x13xf32>) -> tensor<1x2x13x13xf32>
  return %r : tensor<1x2x13x13xf32>
}

// -----

// A depthwise conv with a bias and a fused ReLU6 (from the graph pass):
// accumulators start from the channel's bias, the clamp is applied in
// registers, and nothing else touches the output.
// RUN: cnnc-opt %s --split-input-file --convert-cnn-to-linalg --cnnc-cpu-group-tiling --cnnc-cpu-conv-kernels --canonicalize | FileCheck %s --check-prefix=EPI
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

// A grouped conv (g = 4, 4 input and 4 output channels per group, as in
// ResNeXt 32x4d) with a bias and a ReLU: a tile packs 2 whole groups (8
// accumulators). Per input channel of a group and tap, each group's own
// input row feeds its 4 channels; the first input channel of a tile's
// groups is (f / 4 + j) * 4. The ReLU is applied in registers; no linalg
// op and no 5-D tensor remains.
// EPI-LABEL: func @grouped_packed
// EPI:       scf.for %{{.+}} = %c0 to %c16 step %c8
// EPI:       %[[G:.+]] = arith.divui %{{.+}}, %c4 : index
// EPI:       %[[C0:.+]] = arith.muli %[[G]], %c4 : index
// EPI:       %[[G1:.+]] = arith.addi %[[G]], %c1 : index
// EPI:       %[[C1:.+]] = arith.muli %[[G1]], %c4 : index
// EPI:       %{{.+}}:8 = scf.for %[[C:.+]] = %c0 to %c4 step %c1 iter_args(
// EPI:       %[[IN0:.+]] = arith.addi %[[C0]], %[[C]] : index
// EPI:       %[[IN1:.+]] = arith.addi %[[C1]], %[[C]] : index
// EPI:       vector.transfer_read %{{.+}}[%{{.+}}, %[[IN0]], %{{.+}}, %{{.+}}]
// EPI-COUNT-4: vector.fma
// EPI:       vector.transfer_read %{{.+}}[%{{.+}}, %[[IN1]], %{{.+}}, %{{.+}}]
// EPI-COUNT-4: vector.fma
// EPI:       scf.yield
// EPI-COUNT-8: arith.maximumf
// EPI-NOT:   linalg.
// EPI-NOT:   x4x16x16xf32>
func.func @grouped_packed(%x: tensor<1x16x16x16xf32>, %w: tensor<16x4x3x3xf32>, %b: tensor<16xf32>) -> tensor<1x16x16x16xf32> {
  %c = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 4 : i64, activation = "relu"} : (tensor<1x16x16x16xf32>, tensor<16x4x3x3xf32>, tensor<16xf32>) -> tensor<1x16x16x16xf32>
  return %c : tensor<1x16x16x16xf32>
}

// -----

// g = 2 with 16 output channels per group: tiles of 8 channels inside a
// group, so one input row feeds 8 multiply-adds.
// EPI-LABEL: func @grouped_within
// EPI:       scf.for %{{.+}} = %c0 to %c32 step %c8
// EPI:       arith.divui %{{.+}}, %c16 : index
// EPI:       %{{.+}}:8 = scf.for %{{.+}} = %c0 to %c2 step %c1 iter_args(
// EPI:       vector.transfer_read
// EPI-COUNT-8: vector.fma
// EPI:       vector.transfer_read
// EPI-NOT:   linalg.conv
func.func @grouped_within(%x: tensor<1x4x16x16xf32>, %w: tensor<32x2x3x3xf32>) -> tensor<1x32x16x16xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x16x16xf32>, tensor<32x2x3x3xf32>) -> tensor<1x32x16x16xf32>
  return %c : tensor<1x32x16x16xf32>
}

// -----

// Spatial tiles: with a 16 KiB cache budget, 8 output rows per tile (the
// 8 input channels of a tile's two groups x 10 rows x 34 floats), and every
// channel tile sweeps one before the next.
// RUN: cnnc-opt %s --split-input-file --convert-cnn-to-linalg --cnnc-cpu-group-tiling=cache-bytes=16384 --cnnc-cpu-conv-kernels --canonicalize | FileCheck %s --check-prefix=ROWS
// ROWS-LABEL: func @spatial_tiles
// ROWS:       scf.for %[[T:.+]] = %c0 to %c32 step %c8
// ROWS:       scf.for %{{.+}} = %c0 to %c16 step %c8
// ROWS:       scf.for %[[R:.+]] = %c0 to %c8 step %c1
// ROWS:       arith.addi %[[T]], %[[R]] : index
func.func @spatial_tiles(%x: tensor<1x16x32x32xf32>, %w: tensor<16x4x3x3xf32>) -> tensor<1x16x32x32xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x16x32x32xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x32x32xf32>
  return %c : tensor<1x16x32x32xf32>
}

// -----

// ResNeXt's grouped conv with its bias and ReLU after the shared lowering
// pipeline, whose element-wise fusion moves the ReLU above the collapse back
// to NCHW (onto the [N, g, F/g, H, W] result): the ReLU is collapsed back
// to NCHW and applied as the kernels' epilogue. No linalg op is left.
// RUN: cnnc-opt %s --split-input-file --cnnc-cnn-to-linalg --cnnc-cpu-group-tiling --cnnc-cpu-conv-kernels --canonicalize | FileCheck %s --check-prefix=PIPE
// PIPE-LABEL: func @grouped_relu_pipeline
// PIPE:       vector.fma
// PIPE:       arith.maximumf {{.+}} : vector<16xf32>
// PIPE-NOT:   linalg.
// PIPE:       return
func.func @grouped_relu_pipeline(%x: tensor<1x16x16x16xf32>, %w: tensor<16x4x3x3xf32>, %b: tensor<16xf32>) -> tensor<1x16x16x16xf32> {
  %c = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 4 : i64, activation = "relu"} : (tensor<1x16x16x16xf32>, tensor<16x4x3x3xf32>, tensor<16xf32>) -> tensor<1x16x16x16xf32>
  return %c : tensor<1x16x16x16xf32>
}

// A max pool is a depthwise kernel without weights: each tap is one compare
// and select (a vector max), the accumulators start at -inf in registers
// (the fill is not read), and the pool op is gone.
// CHECK-LABEL: func @max_pool_s2
// CHECK:       arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK-COUNT-9: arith.cmpf ogt
// CHECK-NOT:   vector.fma
// CHECK-NOT:   linalg.pooling_nchw_max
// CHECK:       return
func.func @max_pool_s2(%x: tensor<1x2x33x33xf32>) -> tensor<1x2x16x16xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x2x16x16xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x2x33x33xf32>, tensor<3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  return %r : tensor<1x2x16x16xf32>
}

// The sum of an average pool: four adds per output vector.
// CHECK-LABEL: func @sum_pool
// CHECK-COUNT-4: arith.addf {{.+}} : vector<16xf32>
// CHECK-NOT:   linalg.pooling_nchw_sum
// CHECK:       return
func.func @sum_pool(%x: tensor<1x2x32x32xf32>) -> tensor<1x2x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x16x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  %w = tensor.empty() : tensor<2x2xf32>
  %r = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x2x32x32xf32>, tensor<2x2xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  return %r : tensor<1x2x16x16xf32>
}

// With 16 registers a one-group conv at stride 1 takes 4 channels x 2 rows
// (8 accumulators): its 5 rows are 2 kernels of 2 rows (8 multiply-adds per
// tap), then the last row alone (4 per tap).
// AVX2-LABEL: func @one_group_rows
// AVX2:       scf.for %{{.+}} = %c0{{.*}} to %c4{{.*}} step %c2
// AVX2-COUNT-8: vector.fma {{.+}} : vector<8xf32>
// AVX2:       scf.for %{{.+}} = %c4{{.*}} to %c5{{.*}} step %c1
// AVX2-COUNT-4: vector.fma {{.+}} : vector<8xf32>
// AVX2-NOT:   linalg.conv_2d_nchw_fchw
// AVX2:       return
func.func @one_group_rows(%x: tensor<1x3x7x10xf32>, %w: tensor<4x3x3x3xf32>, %init: tensor<1x4x5x8xf32>) -> tensor<1x4x5x8xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x3x7x10xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<1x4x5x8xf32>) -> tensor<1x4x5x8xf32>
  return %r : tensor<1x4x5x8xf32>
}
