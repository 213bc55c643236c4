// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error path of the activation, arithmetic,
// normalization and data-movement ops beyond the core set.

//===----------------------------------------------------------------------===//
// cnn.prelu, cnn.sub, cnn.div
//===----------------------------------------------------------------------===//

func.func @prelu_slope_not_broadcast(%x: tensor<1x4x5x5xf32>, %s: tensor<3x1x1xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'cnn.prelu' op slope does not broadcast to the input: shape [3,1,1] does not broadcast to [1,4,5,5]}}
  %0 = cnn.prelu %x, %s : (tensor<1x4x5x5xf32>, tensor<3x1x1xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// The slope must not grow the input: [2, 4, 1, 1] broadcasts with the input
// both ways, but not to it.
func.func @prelu_slope_grows_input(%x: tensor<1x4x5x5xf32>, %s: tensor<2x4x1x1xf32>) -> tensor<2x4x5x5xf32> {
  // expected-error @+1 {{slope does not broadcast to the input}}
  %0 = cnn.prelu %x, %s : (tensor<1x4x5x5xf32>, tensor<2x4x1x1xf32>) -> tensor<2x4x5x5xf32>
  return %0 : tensor<2x4x5x5xf32>
}

// -----

func.func @sub_not_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'cnn.sub' op shapes [2,3] and [4] do not broadcast}}
  %0 = cnn.sub %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @div_wrong_result(%a: tensor<2x1xf32>, %b: tensor<3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{'cnn.div' op result shape [2, 1] does not match the inferred shape [2, 3]}}
  %0 = cnn.div %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

//===----------------------------------------------------------------------===//
// cnn.softmax, cnn.lrn, cnn.reduce_mean
//===----------------------------------------------------------------------===//

func.func @softmax_axis_out_of_range(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  // expected-error @+1 {{'cnn.softmax' op axis 2 is out of range for rank 2}}
  %0 = cnn.softmax %x {axis = 2 : i64} : tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

func.func @lrn_size_zero(%x: tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{'cnn.lrn' op attribute 'size' failed to satisfy constraint}}
  %0 = cnn.lrn %x {size = 0 : i64, alpha = 1.0e-4 : f32, beta = 0.75 : f32, bias = 1.0 : f32} : tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @lrn_not_4d(%x: tensor<8x5xf32>) -> tensor<8x5xf32> {
  // expected-error @+1 {{'cnn.lrn' op operand #0 must be 4D tensor of 32-bit float values}}
  %0 = cnn.lrn %x {size = 3 : i64, alpha = 1.0e-4 : f32, beta = 0.75 : f32, bias = 1.0 : f32} : tensor<8x5xf32>
  return %0 : tensor<8x5xf32>
}

// -----

func.func @reduce_mean_unsorted_axes(%x: tensor<2x3x4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'cnn.reduce_mean' op axes [2,1] must be sorted, distinct dims of [2,3,4]}}
  %0 = cnn.reduce_mean %x {axes = array<i64: 2, 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_mean_axis_out_of_range(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{axes [3] must be sorted, distinct dims of [2,3,4]}}
  %0 = cnn.reduce_mean %x {axes = array<i64: 3>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// keepdims keeps the reduced dim as 1.
func.func @reduce_mean_wrong_result(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result shape [2, 4] does not match the inferred shape [2, 1, 4]}}
  %0 = cnn.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// cnn.transpose, cnn.slice, cnn.split, cnn.pad
//===----------------------------------------------------------------------===//

func.func @transpose_not_permutation(%x: tensor<2x3x4xf32>) -> tensor<3x3x2xf32> {
  // expected-error @+1 {{'cnn.transpose' op perm [1,1,0] is not a permutation of the dims of [2,3,4]}}
  %0 = cnn.transpose %x {perm = array<i64: 1, 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x3x2xf32>
  return %0 : tensor<3x3x2xf32>
}

// -----

func.func @transpose_wrong_rank(%x: tensor<2x3x4xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{perm [1,0] is not a permutation of the dims of [2,3,4]}}
  %0 = cnn.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_wrong_result(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{result shape [2, 3, 4] does not match the inferred shape [4, 2, 3]}}
  %0 = cnn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Three rows by stride 2 from offset 1 read row 5 of 5.
func.func @slice_out_of_bounds(%x: tensor<5x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'cnn.slice' op dim 0: 3 elements from offset 1 by stride 2 do not fit in extent 5}}
  %0 = cnn.slice %x {offsets = array<i64: 1, 0>, strides = array<i64: 2, 1>} : (tensor<5x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @slice_zero_stride(%x: tensor<5x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{strides must be positive, got [0,1]}}
  %0 = cnn.slice %x {offsets = array<i64: 0, 0>, strides = array<i64: 0, 1>} : (tensor<5x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_wrong_count(%x: tensor<5x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expects 2 offsets, sizes and strides, got 1, 2 and 2}}
  %0 = cnn.slice %x {offsets = array<i64: 0>, strides = array<i64: 1, 1>} : (tensor<5x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @split_parts_too_small(%x: tensor<1x6x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{'cnn.split' op results joined along axis 1 give [1,4,4,4], not the input shape [1,6,4,4]}}
  %0:2 = cnn.split %x {axis = 1 : i64} : (tensor<1x6x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>)
  return %0#0, %0#1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

func.func @split_other_dim_differs(%x: tensor<1x6x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x2x4xf32>) {
  // expected-error @+1 {{cannot concatenate [1,3,2,4] with [1,3,4,4] along axis 1}}
  %0:2 = cnn.split %x {axis = 1 : i64} : (tensor<1x6x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x2x4xf32>)
  return %0#0, %0#1 : tensor<1x3x4x4xf32>, tensor<1x3x2x4xf32>
}

// -----

func.func @split_no_results(%x: tensor<1x6x4x4xf32>) {
  // expected-error @+1 {{'cnn.split' op expects at least one result}}
  cnn.split %x {axis = 1 : i64} : (tensor<1x6x4x4xf32>) -> ()
  return
}

// -----

func.func @pad_wrong_count(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'cnn.pad' op expects 4 pads for rank 2, got 2}}
  %0 = cnn.pad %x {pads = array<i64: 1, 1>, mode = "constant", value = 0.0 : f32} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @pad_negative(%x: tensor<2x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{pads must be non-negative, got [0,0,-1,0]}}
  %0 = cnn.pad %x {pads = array<i64: 0, 0, -1, 0>, mode = "constant", value = 0.0 : f32} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @pad_unknown_mode(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{unknown pad mode 'wrap' (expected constant, edge or reflect)}}
  %0 = cnn.pad %x {pads = array<i64: 1, 0, 1, 0>, mode = "wrap", value = 0.0 : f32} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Reflection skips the border element, so a dim of 3 can give at most 2.
func.func @pad_reflect_too_large(%x: tensor<2x3xf32>) -> tensor<2x9xf32> {
  // expected-error @+1 {{reflect pads (3) must be smaller than dim 1 (3)}}
  %0 = cnn.pad %x {pads = array<i64: 0, 3, 0, 3>, mode = "reflect", value = 0.0 : f32} : (tensor<2x3xf32>) -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}

// -----

func.func @pad_wrong_result(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{result shape [4, 3] does not match the inferred shape [3, 5]}}
  %0 = cnn.pad %x {pads = array<i64: 1, 0, 0, 2>, mode = "edge", value = 0.0 : f32} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
