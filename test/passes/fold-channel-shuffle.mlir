// RUN: cnnc-opt %s -split-input-file --cnn-fold-channel-shuffle --canonicalize | FileCheck %s

// ShuffleNet v2 unit, as torch exports it: concat, the reshape-transpose-
// reshape shuffle with 2 groups, and the split spelled as a Slice pair. Each
// half goes to a 1x1 conv, which takes its channels sorted by producer (its
// filter's input channels permuted), and each producer conv is split by
// destination so that every half is a list of whole conv outputs, which the
// 1x1 conv takes as its inputs: no concat is left.
// CHECK-LABEL: func.func @shuffle_g2_slices
// CHECK-NOT: cnn.reshape
// CHECK-NOT: cnn.transpose
// CHECK-NOT: cnn.slice
// CHECK-DAG: %[[A01W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[A23W:.*]] = arith.constant dense<{{\[\[\[\[}}3.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B01W:.*]] = arith.constant dense<{{\[\[\[\[}}5.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B01B:.*]] = arith.constant dense<[5.000000e-01, 6.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[B23W:.*]] = arith.constant dense<{{\[\[\[\[}}7.000000e+00]]], {{\[\[\[}}8.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[SORTED:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}3.000000e+00]], {{\[\[}}2.000000e+00]], {{\[\[}}4.000000e+00]]]]> : tensor<1x4x1x1xf32>
// CHECK-DAG: %[[A01:.*]] = cnn.conv2d %arg0, %[[A01W]] {
// CHECK-DAG: %[[A23:.*]] = cnn.conv2d %arg0, %[[A23W]] {
// CHECK-DAG: %[[B01:.*]] = cnn.conv2d %arg0, %[[B01W]], %[[B01B]] {activation = "relu"
// CHECK-DAG: %[[B23:.*]] = cnn.conv2d %arg0, %[[B23W]], %{{.*}} {activation = "relu"
// CHECK-DAG: cnn.conv2d (%[[A01]], %[[B01]]), %[[SORTED]]
// CHECK-DAG: cnn.conv2d (%[[A23]], %[[B23]]), %[[SORTED]]
// CHECK-NOT: cnn.concat
func.func @shuffle_g2_slices(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %wa = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]]]> : tensor<4x1x1x1xf32>
  %wb = arith.constant dense<[[[[5.0]]], [[[6.0]]], [[[7.0]]], [[[8.0]]]]> : tensor<4x1x1x1xf32>
  %bb = arith.constant dense<[0.5, 0.6, 0.7, 0.8]> : tensor<4xf32>
  %w0 = arith.constant dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]]]]> : tensor<1x4x1x1xf32>
  %a = cnn.conv2d %x, %wa {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32>
  %b = cnn.conv2d %x, %wb, %bb {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "relu"} : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  %c = cnn.concat %a, %b {axis = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x8x2x2xf32>
  %r = cnn.reshape %c : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x2x2xf32>
  %t = cnn.transpose %r {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x4x2x2xf32>) -> tensor<1x4x2x2x2xf32>
  %s = cnn.reshape %t : (tensor<1x4x2x2x2xf32>) -> tensor<1x8x2x2xf32>
  %h0 = cnn.slice %s {offsets = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>} : (tensor<1x8x2x2xf32>) -> tensor<1x4x2x2xf32>
  %h1 = cnn.slice %s {offsets = array<i64: 0, 4, 0, 0>, strides = array<i64: 1, 1, 1, 1>} : (tensor<1x8x2x2xf32>) -> tensor<1x4x2x2xf32>
  %y0 = cnn.conv2d %h0, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x2x2xf32>
  %y1 = cnn.conv2d %h1, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y0, %y1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// Three groups, the intermediate shape with H*W merged ([N, g, C/g, H*W]),
// and a Split into three parts: part 1 is (c0, a1), which its consumer takes
// as (a1, c0) with filter [2, 1].
// CHECK-LABEL: func.func @shuffle_g3_split
// CHECK-NOT: cnn.split
// CHECK-NOT: cnn.transpose
// CHECK-DAG: %[[W1:.*]] = arith.constant dense<1.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-DAG: %[[W2:.*]] = arith.constant dense<2.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-DAG: %[[W3:.*]] = arith.constant dense<3.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-DAG: %[[W5:.*]] = arith.constant dense<5.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-DAG: %[[SWAPPED:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}1.000000e+00]]]]> : tensor<1x2x1x1xf32>
// CHECK-DAG: %[[A0:.*]] = cnn.conv2d %arg0, %[[W1]]
// CHECK-DAG: %[[A1:.*]] = cnn.conv2d %arg0, %[[W2]]
// CHECK-DAG: %[[B0:.*]] = cnn.conv2d %arg0, %[[W3]]
// CHECK-DAG: %[[C0:.*]] = cnn.conv2d %arg0, %[[W5]]
// CHECK-DAG: cnn.conv2d (%[[A0]], %[[B0]]),
// CHECK-DAG: cnn.conv2d (%[[A1]], %[[C0]]), %[[SWAPPED]]
// CHECK-NOT: cnn.concat
func.func @shuffle_g3_split(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %wa = arith.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %wb = arith.constant dense<[[[[3.0]]], [[[4.0]]]]> : tensor<2x1x1x1xf32>
  %wc = arith.constant dense<[[[[5.0]]], [[[6.0]]]]> : tensor<2x1x1x1xf32>
  %w0 = arith.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %a = cnn.conv2d %x, %wa {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %b = cnn.conv2d %x, %wb {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %c = cnn.conv2d %x, %wc {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %cat = cnn.concat %a, %b, %c {axis = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x6x2x2xf32>
  %r = cnn.reshape %cat : (tensor<1x6x2x2xf32>) -> tensor<1x3x2x4xf32>
  %t = cnn.transpose %r {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x3x2x4xf32>) -> tensor<1x2x3x4xf32>
  %s = cnn.reshape %t : (tensor<1x2x3x4xf32>) -> tensor<1x6x2x2xf32>
  %p:3 = cnn.split %s {axis = 1 : i64} : (tensor<1x6x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>)
  %y0 = cnn.conv2d %p#0, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  %y1 = cnn.conv2d %p#1, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  %y2 = cnn.conv2d %p#2, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y0, %y1, %y2 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// Whatever reads the shuffle needs this exact order (it is returned), and no
// conv produces it: the shuffle stays, as one channel_permute. Groups 4, then
// groups 8 on 16 channels: channel k*g + i of the result is i*(C/g) + k.
// CHECK-LABEL: func.func @shuffle_g4_returned
// CHECK-NEXT: %[[P:.*]] = cnn.channel_permute %arg0 {sources = array<i64: 0, 2, 4, 6, 1, 3, 5, 7>} : (tensor<1x8x3x3xf32>) -> tensor<1x8x3x3xf32>
// CHECK-NEXT: return %[[P]]
func.func @shuffle_g4_returned(%x: tensor<1x8x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %r = cnn.reshape %x : (tensor<1x8x3x3xf32>) -> tensor<1x4x2x3x3xf32>
  %t = cnn.transpose %r {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x4x2x3x3xf32>) -> tensor<1x2x4x3x3xf32>
  %s = cnn.reshape %t : (tensor<1x2x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %s : tensor<1x8x3x3xf32>
}

// CHECK-LABEL: func.func @shuffle_g8_returned
// CHECK-NEXT: cnn.channel_permute %arg0 {sources = array<i64: 0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15>}
func.func @shuffle_g8_returned(%x: tensor<2x16x1x2xf32>) -> tensor<2x16x1x2xf32> {
  %r = cnn.reshape %x : (tensor<2x16x1x2xf32>) -> tensor<2x8x2x1x2xf32>
  %t = cnn.transpose %r {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<2x8x2x1x2xf32>) -> tensor<2x2x8x1x2xf32>
  %s = cnn.reshape %t : (tensor<2x2x8x1x2xf32>) -> tensor<2x16x1x2xf32>
  return %s : tensor<2x16x1x2xf32>
}

// -----

// Two units of a ShuffleNet v2 stage: the second unit's identity half reads
// through the first unit's shuffle, and the chain composes so that every
// conv reads whole conv outputs as its inputs (the first unit's producers
// split by where their channels end up), with no reshape, transpose, slice
// or concat left.
// CHECK-LABEL: func.func @two_units
// CHECK-NOT: cnn.reshape
// CHECK-NOT: cnn.transpose
// CHECK-NOT: cnn.slice
// CHECK-NOT: cnn.channel_permute
// CHECK-NOT: cnn.concat
// CHECK: %[[F:.*]] = cnn.conv2d (%{{.*}}, %{{.*}}), %{{.*}} {{{.*}}} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x2x2xf32>
// CHECK: cnn.conv2d (%{{.*}}, %[[F]], %{{.*}}), %{{.*}} {{{.*}}} : (tensor<1x2x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x8x1x1xf32>) -> tensor<1x1x2x2xf32>
func.func @two_units(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %wa = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]]]> : tensor<4x1x1x1xf32>
  %wb = arith.constant dense<[[[[5.0]]], [[[6.0]]], [[[7.0]]], [[[8.0]]]]> : tensor<4x1x1x1xf32>
  %wf = arith.constant dense<0.25> : tensor<4x4x1x1xf32>
  %w0 = arith.constant dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]], [[5.0]], [[6.0]], [[7.0]], [[8.0]]]]> : tensor<1x8x1x1xf32>
  %a = cnn.conv2d %x, %wa {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32>
  %b = cnn.conv2d %x, %wb {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32>
  %c = cnn.concat %a, %b {axis = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x8x2x2xf32>
  %r = cnn.reshape %c : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x2x2xf32>
  %t = cnn.transpose %r {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x4x2x2xf32>) -> tensor<1x4x2x2x2xf32>
  %s = cnn.reshape %t : (tensor<1x4x2x2x2xf32>) -> tensor<1x8x2x2xf32>
  %h:2 = cnn.split %s {axis = 1 : i64} : (tensor<1x8x2x2xf32>) -> (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>)
  %f = cnn.conv2d %h#1, %wf {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  %c2 = cnn.concat %h#0, %f {axis = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x8x2x2xf32>
  %r2 = cnn.reshape %c2 : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x2x2xf32>
  %t2 = cnn.transpose %r2 {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x4x2x2xf32>) -> tensor<1x4x2x2x2xf32>
  %s2 = cnn.reshape %t2 : (tensor<1x4x2x2x2xf32>) -> tensor<1x8x2x2xf32>
  %y = cnn.conv2d %s2, %w0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x2x2xf32>, tensor<1x8x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// Not a channel permutation: the transpose swaps H and W. Left alone.
// CHECK-LABEL: func.func @transpose_spatial
// CHECK: cnn.reshape
// CHECK: cnn.transpose
// CHECK: cnn.reshape
func.func @transpose_spatial(%x: tensor<1x8x2x3xf32>) -> tensor<1x8x3x2xf32> {
  %r = cnn.reshape %x : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x2x3xf32>
  %t = cnn.transpose %r {perm = array<i64: 0, 1, 2, 4, 3>} : (tensor<1x2x4x2x3xf32>) -> tensor<1x2x4x3x2xf32>
  %s = cnn.reshape %t : (tensor<1x2x4x3x2xf32>) -> tensor<1x8x3x2xf32>
  return %s : tensor<1x8x3x2xf32>
}

// Not a channel permutation either: the groups are split off W, not C.
// CHECK-LABEL: func.func @groups_from_width
// CHECK: cnn.transpose
func.func @groups_from_width(%x: tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32> {
  %r = cnn.reshape %x : (tensor<1x2x2x4xf32>) -> tensor<1x2x2x2x2xf32>
  %t = cnn.transpose %r {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x2x2x2xf32>) -> tensor<1x2x2x2x2xf32>
  %s = cnn.reshape %t : (tensor<1x2x2x2x2xf32>) -> tensor<1x2x2x4xf32>
  return %s : tensor<1x2x2x4xf32>
}

// -----

// The producer has another user, so it is not split; the halves are not equal
// (1 and 3 channels), which is still a channel routing and folds to slices.
// CHECK-LABEL: func.func @shared_producer_unequal_split
// CHECK: %[[A:.*]] = cnn.conv2d %arg0
// CHECK-NOT: cnn.conv2d %arg0
// CHECK-DAG: cnn.slice %[[A]] {offsets = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x1x2x2xf32>
// CHECK-DAG: cnn.slice %[[A]] {offsets = array<i64: 0, 1, 0, 0>, strides = array<i64: 1, 1, 1, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x3x2x2xf32>
func.func @shared_producer_unequal_split(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x4x2x2xf32>) {
  %wa = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]]]> : tensor<4x1x1x1xf32>
  %a = cnn.conv2d %x, %wa {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32>
  %p:2 = cnn.split %a {axis = 1 : i64} : (tensor<1x4x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x3x2x2xf32>)
  %d = cnn.relu %a : tensor<1x4x2x2xf32>
  return %p#0, %p#1, %d : tensor<1x1x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x4x2x2xf32>
}
