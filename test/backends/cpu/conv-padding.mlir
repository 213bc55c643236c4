// RUN: cnnc-opt %s --split-input-file --cnnc-cpu-group-tiling --cnnc-cpu-conv-kernels --canonicalize | FileCheck %s

// A depthwise 3x3 conv, pads 1, stride 1, on 16x16: the kernels read the
// unpadded input. Taps that may fall in a padding row (kh = 0 at the top,
// kh = 2 at the bottom) read a row inside and select zeros instead; the
// first column tile is peeled off, and its kw = 0 tap reads columns 0..15
// and shifts them right by one lane, with a zero in lane 0. No padded
// tensor is built.
// CHECK-LABEL: func @depthwise_pad1
// CHECK-NOT:   tensor.pad
// CHECK:       arith.cmpi sge
// CHECK:       arith.cmpi slt
// CHECK:       vector.transfer_read %arg0
// CHECK:       vector.shuffle %{{.+}}, %{{.+}} [16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] : vector<16xf32>, vector<16xf32>
// CHECK:       arith.select %{{.+}}, %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK:       vector.fma
// CHECK-NOT:   tensor.pad
// CHECK:       return
func.func @depthwise_pad1(%x: tensor<1x2x16x16xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x16x16xf32> to tensor<1x2x18x18xf32>
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x2x18x18xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  return %c : tensor<1x2x16x16xf32>
}

// -----

// Stride 2 on a 32-wide row with pads 1: lane i of the first tile is
// column 2i - 1 for kw = 0 (a zero in lane 0, then the odd columns).
// CHECK-LABEL: func @depthwise_pad1_stride2
// CHECK-NOT:   tensor.pad
// CHECK:       vector.shuffle %{{.+}}, %{{.+}} [32, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29] : vector<32xf32>, vector<32xf32>
// CHECK:       return
func.func @depthwise_pad1_stride2(%x: tensor<1x2x32x32xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 0, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x32x32xf32> to tensor<1x2x33x33xf32>
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%p, %w : tensor<1x2x33x33xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  return %c : tensor<1x2x16x16xf32>
}

// -----

// A pad that is not zero stays in front of a conv.
// CHECK-LABEL: func @nonzero_pad_stays
// CHECK:       tensor.pad
func.func @nonzero_pad_stays(%x: tensor<1x2x16x16xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> {
  %one = arith.constant 1.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<1x2x16x16xf32> to tensor<1x2x18x18xf32>
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x2x18x18xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  return %c : tensor<1x2x16x16xf32>
}

// -----

// ShuffleNet v1: a channel shuffle (4 channels in 2 groups) and the padding
// in front of a depthwise conv. The kernels read the shuffle's source, conv
// channel j from source channel (j % 2) * 2 + j / 2: no transpose and no
// padded copy are left.
// CHECK-LABEL: func @shuffle_pad_depthwise
// CHECK-NOT:   linalg.transpose
// CHECK-NOT:   tensor.pad
// CHECK:       scf.for %[[F:.+]] = %c0 to %c4 step %c2
// CHECK:       %[[G:.+]] = arith.remui %[[F]], %c2 : index
// CHECK:       %[[GR:.+]] = arith.muli %[[G]], %c2 : index
// CHECK:       %[[R:.+]] = arith.divui %[[F]], %c2 : index
// CHECK:       %[[C:.+]] = arith.addi %[[GR]], %[[R]] : index
// CHECK:       vector.transfer_read %arg0[%c0, %[[C]],
// CHECK-NOT:   linalg.transpose
// CHECK:       return
func.func @shuffle_pad_depthwise(%x: tensor<1x4x16x16xf32>, %w: tensor<4x3x3xf32>, %init: tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.expand_shape %x [[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 16, 16] : tensor<1x4x16x16xf32> into tensor<1x2x2x16x16xf32>
  %t0 = tensor.empty() : tensor<1x2x2x16x16xf32>
  %t = linalg.transpose ins(%e : tensor<1x2x2x16x16xf32>) outs(%t0 : tensor<1x2x2x16x16xf32>) permutation = [0, 2, 1, 3, 4]
  %s = tensor.collapse_shape %t [[0], [1, 2], [3], [4]] : tensor<1x2x2x16x16xf32> into tensor<1x4x16x16xf32>
  %p = tensor.pad %s low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32>
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x4x18x18xf32>, tensor<4x3x3xf32>) outs(%init : tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
  return %c : tensor<1x4x16x16xf32>
}

// -----

// A max pool reads its -inf padding in place too (ResNet's stem pool, pads
// 1, stride 2): rows in the padding select -inf, the first column tile
// shifts -inf in.
// CHECK-LABEL: func @max_pool_pad1_stride2
// CHECK-NOT:   tensor.pad
// CHECK:       vector.shuffle %{{.+}}, %{{.+}} [32, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29] : vector<32xf32>, vector<32xf32>
// CHECK:       arith.select %{{.+}}, %{{.+}}, %cst{{.*}} : vector<16xf32>
// CHECK-NOT:   tensor.pad
// CHECK:       return
func.func @max_pool_pad1_stride2(%x: tensor<1x2x32x32xf32>) -> tensor<1x2x16x16xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %ninf : f32
  } : tensor<1x2x32x32xf32> to tensor<1x2x34x34xf32>
  %e = tensor.empty() : tensor<1x2x16x16xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%p, %w : tensor<1x2x34x34xf32>, tensor<3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  return %r : tensor<1x2x16x16xf32>
}

// -----

// A zero pad in front of a max pool is not its identity: it stays.
// CHECK-LABEL: func @max_pool_zero_pad_stays
// CHECK:       tensor.pad
func.func @max_pool_zero_pad_stays(%x: tensor<1x2x32x32xf32>) -> tensor<1x2x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x32x32xf32> to tensor<1x2x34x34xf32>
  %e = tensor.empty() : tensor<1x2x16x16xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%p, %w : tensor<1x2x34x34xf32>, tensor<3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  return %r : tensor<1x2x16x16xf32>
}
