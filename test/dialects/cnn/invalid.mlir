// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error path of the cnn ops.

//===----------------------------------------------------------------------===//
// cnn.conv2d
//===----------------------------------------------------------------------===//

func.func @conv_wrong_result_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{'cnn.conv2d' op result shape [1, 4, 8, 8] does not match the inferred shape [1, 4, 6, 6]}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Strides, pads and dilations all count towards the inferred shape: H uses
// stride 2 and pads 1+0, W dilation 2 and pads 0+2.
func.func @conv_wrong_result_shape_attrs(%x: tensor<1x3x9x9xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x5xf32> {
  // expected-error @+1 {{result shape [1, 4, 8, 5] does not match the inferred shape [1, 4, 4, 7]}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 2, 1>, pads = array<i64: 1, 0, 0, 2>, dilations = array<i64: 1, 2>, groups = 1 : i64} : (tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x5xf32>
  return %0 : tensor<1x4x8x5xf32>
}

// -----

func.func @conv_groups_do_not_divide_input(%x: tensor<1x8x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{groups (3) must divide the input channels (8) and the output channels (6)}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 3 : i64} : (tensor<1x8x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_groups_do_not_divide_output(%x: tensor<1x8x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{groups (4) must divide the input channels (8) and the output channels (6)}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x8x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_filter_channels_per_group(%x: tensor<1x8x8x8xf32>, %w: tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{filter has 8 channels per group, but the input has 8 channels in 2 groups}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_bias_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{bias has 3 elements, expected one per output channel (4)}}
  %0 = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_window_larger_than_input(%x: tensor<1x3x2x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x1x6xf32> {
  // expected-error @+1 {{the height window (3) is larger than the padded input (2)}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x2x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x6xf32>
  return %0 : tensor<1x4x1x6xf32>
}

// -----

// Dilation 3 turns the 3-wide kernel into a 7-wide window.
func.func @conv_dilated_window_larger_than_input(%x: tensor<1x3x8x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x1xf32> {
  // expected-error @+1 {{the width window (7) is larger than the padded input (5)}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 3>, groups = 1 : i64} : (tensor<1x3x8x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x1xf32>
  return %0 : tensor<1x4x6x1xf32>
}

// -----

func.func @conv_zero_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{strides must be positive, got [1,0]}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 0>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_zero_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{dilations must be positive, got [0,1]}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 0, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_negative_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x5x6xf32> {
  // expected-error @+1 {{pads must be non-negative, got [-1,0,0,0]}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: -1, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x6xf32>
  return %0 : tensor<1x4x5x6xf32>
}

// -----

func.func @conv_empty_filter(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x0x3xf32>) -> tensor<1x4x9x6xf32> {
  // expected-error @+1 {{filter extents must be positive, got [4,3,0,3]}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x0x3xf32>) -> tensor<1x4x9x6xf32>
  return %0 : tensor<1x4x9x6xf32>
}

// -----

func.func @conv_strides_three_values(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'cnn.conv2d' op attribute 'strides' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_pads_two_values(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{attribute 'pads' failed to satisfy constraint: i64 dense array attribute with exactly 4 elements}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_zero_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{attribute 'groups' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 0 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_missing_dilations(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{requires attribute 'dilations'}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_3d_input(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{operand #0 must be variadic of 4D tensor of 32-bit float values}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_inputs_disagree(%a: tensor<1x2x4x4xf32>, %b: tensor<1x2x4x5xf32>, %w: tensor<2x4x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{inputs must agree in N, H and W}}
  %0 = cnn.conv2d (%a, %b), %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x5xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_inputs_channels(%a: tensor<1x2x4x4xf32>, %b: tensor<1x2x4x4xf32>, %w: tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{filter has 3 channels per group, but the input has 4 channels in 1 groups}}
  %0 = cnn.conv2d (%a, %b), %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_residual_type(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %r: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{residual must have the result type}}
  %0 = cnn.conv2d %x, %w residual %r {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// cnn.batch_norm
//===----------------------------------------------------------------------===//

func.func @batch_norm_param_size(%x: tensor<1x4x5x5xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<3xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'cnn.batch_norm' op parameters must have one element per channel (4), got 3}}
  %0 = cnn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f32} : (tensor<1x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @batch_norm_rank_1(%x: tensor<4xf32>, %p: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expects an input of rank >= 2}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @batch_norm_result_type(%x: tensor<1x4x5x5xf32>, %p: tensor<4xf32>) -> tensor<1x4x25xf32> {
  // expected-error @+1 {{result type must equal the input type}}
  %0 = cnn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x25xf32>
  return %0 : tensor<1x4x25xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Element-wise ops
//===----------------------------------------------------------------------===//

func.func @clip_min_greater_than_max(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'cnn.clip' op min (6.000000e+00) is greater than max (0.000000e+00)}}
  %0 = cnn.clip %x {min = 6.0 : f32, max = 0.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @relu_f64(%x: tensor<4xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values}}
  %0 = cnn.relu %x : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

func.func @add_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'cnn.add' op shapes [2,3] and [4,3] do not broadcast}}
  %0 = cnn.add %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @add_wrong_result_shape(%a: tensor<2x1xf32>, %b: tensor<3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{'cnn.add' op result shape [2, 1] does not match the inferred shape [2, 3]}}
  %0 = cnn.add %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// Broadcasting never drops a leading dim.
func.func @mul_wrong_result_rank(%a: tensor<1x4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'cnn.mul' op result shape [4] does not match the inferred shape [1, 4]}}
  %0 = cnn.mul %a, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @mul_not_broadcastable(%a: tensor<1x4x5x5xf32>, %b: tensor<5x1x1xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'cnn.mul' op shapes [1,4,5,5] and [5,1,1] do not broadcast}}
  %0 = cnn.mul %a, %b : (tensor<1x4x5x5xf32>, tensor<5x1x1xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// Without ceil_mode 6 -> 2 windows of 3 at stride 2.
func.func @max_pool_wrong_shape(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'cnn.max_pool2d' op result shape [1, 2, 3, 3] does not match the inferred shape [1, 2, 2, 2]}}
  %0 = cnn.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// With ceil_mode a last window that would start in the end padding is
// dropped: 5 + 1 pad, kernel 2, stride 2 gives 3 windows, not 4.
func.func @max_pool_ceil_mode_drops_pad_window(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{result shape [1, 1, 4, 4] does not match the inferred shape [1, 1, 3, 3]}}
  %0 = cnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @max_pool_window_larger_than_input(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32> {
  // expected-error @+1 {{pooling window (5) is larger than the padded input (4)}}
  %0 = cnn.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, ceil_mode = false} : (tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}

// -----

func.func @max_pool_zero_stride(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{kernel, stride and dilation must be positive and pads non-negative}}
  %0 = cnn.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

func.func @max_pool_kernel_one_value(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{attribute 'kernel' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements}}
  %0 = cnn.max_pool2d %x {kernel = array<i64: 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

func.func @avg_pool_wrong_shape(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'cnn.avg_pool2d' op result shape [1, 2, 3, 3] does not match the inferred shape [1, 2, 4, 4]}}
  %0 = cnn.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = true} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// A window of only padding would divide by zero.
func.func @avg_pool_pads_not_smaller_than_kernel(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x9x9xf32> {
  // expected-error @+1 {{'cnn.avg_pool2d' op pads must be smaller than the kernel}}
  %0 = cnn.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 2, 0>, ceil_mode = false, count_include_pad = false} : (tensor<1x2x7x7xf32>) -> tensor<1x2x9x9xf32>
  return %0 : tensor<1x2x9x9xf32>
}

// -----

func.func @avg_pool_pads_three_values(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32> {
  // expected-error @+1 {{attribute 'pads' failed to satisfy constraint: i64 dense array attribute with exactly 4 elements}}
  %0 = cnn.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

func.func @global_avg_pool_wrong_shape(%x: tensor<2x8x7x7xf32>) -> tensor<2x8x7x1xf32> {
  // expected-error @+1 {{'cnn.global_avg_pool' op result shape [2, 8, 7, 1] does not match the inferred shape [2, 8, 1, 1]}}
  %0 = cnn.global_avg_pool %x : (tensor<2x8x7x7xf32>) -> tensor<2x8x7x1xf32>
  return %0 : tensor<2x8x7x1xf32>
}

// -----

func.func @global_max_pool_wrong_channels(%x: tensor<2x8x7x7xf32>) -> tensor<2x4x1x1xf32> {
  // expected-error @+1 {{'cnn.global_max_pool' op result shape [2, 4, 1, 1] does not match the inferred shape [2, 8, 1, 1]}}
  %0 = cnn.global_max_pool %x : (tensor<2x8x7x7xf32>) -> tensor<2x4x1x1xf32>
  return %0 : tensor<2x4x1x1xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

func.func @concat_mismatch(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x5x4xf32>) -> tensor<1x5x4x4xf32> {
  // expected-error @+1 {{'cnn.concat' op cannot concatenate [1,3,5,4] with [1,2,4,4] along axis 1}}
  %0 = cnn.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x3x5x4xf32>) -> tensor<1x5x4x4xf32>
  return %0 : tensor<1x5x4x4xf32>
}

// -----

func.func @concat_rank_mismatch(%a: tensor<2x4xf32>, %b: tensor<2x4x1xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{cannot concatenate [2,4,1] with [2,4] along axis 0}}
  %0 = cnn.concat %a, %b {axis = 0 : i64} : (tensor<2x4xf32>, tensor<2x4x1xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @concat_axis_out_of_range(%a: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'cnn.concat' op axis 4 is out of range for rank 4}}
  %0 = cnn.concat %a, %a {axis = 4 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

func.func @concat_negative_axis(%a: tensor<1x2x4x4xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{attribute 'axis' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %0 = cnn.concat %a, %a {axis = -1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

func.func @concat_wrong_result_shape(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x4xf32>) -> tensor<1x6x4x4xf32> {
  // expected-error @+1 {{result shape [1, 6, 4, 4] does not match the inferred shape [1, 5, 4, 4]}}
  %0 = cnn.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

func.func @concat_no_inputs() -> tensor<1x4xf32> {
  // expected-error @+1 {{'cnn.concat' op expects at least one input}}
  %0 = cnn.concat {axis = 0 : i64} : () -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @reshape_element_count(%x: tensor<1x8x1x1xf32>) -> tensor<1x9xf32> {
  // expected-error @+1 {{'cnn.reshape' op cannot reshape 'tensor<1x8x1x1xf32>' to 'tensor<1x9xf32>': element counts differ}}
  %0 = cnn.reshape %x : (tensor<1x8x1x1xf32>) -> tensor<1x9xf32>
  return %0 : tensor<1x9xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

func.func @gemm_inner_dim_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'cnn.gemm' op inner dimensions differ: [2,3] x [4,5]}}
  %0 = cnn.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// With trans_b the inner dim of b is its second: 8 vs 10.
func.func @gemm_inner_dim_mismatch_transposed(%a: tensor<1x8xf32>, %b: tensor<8x10xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{inner dimensions differ: [1,8] x [8,10]^T}}
  %0 = cnn.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x8xf32>, tensor<8x10xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

func.func @gemm_c_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'cnn.gemm' op c does not broadcast to the result: shape [3] does not broadcast to [2,4]}}
  %0 = cnn.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gemm_wrong_result_shape(%a: tensor<8x2xf32>, %b: tensor<8x5xf32>) -> tensor<8x5xf32> {
  // expected-error @+1 {{result shape [8, 5] does not match the inferred shape [2, 5]}}
  %0 = cnn.gemm %a, %b {alpha = 1.0 : f32, beta = 0.0 : f32, trans_a = true, trans_b = false} : (tensor<8x2xf32>, tensor<8x5xf32>) -> tensor<8x5xf32>
  return %0 : tensor<8x5xf32>
}

// -----

func.func @matmul_inner_dim_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'cnn.matmul' op inner dimensions differ: [2,3] x [2,4]}}
  %0 = cnn.matmul %a, %b : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_wrong_result_shape(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'cnn.matmul' op result shape [4, 2] does not match the inferred shape [2, 4]}}
  %0 = cnn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @matmul_3d(%a: tensor<1x2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{operand #0 must be 2D tensor of 32-bit float values}}
  %0 = cnn.matmul %a, %b : (tensor<1x2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @conv_unknown_activation(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'cnn.conv2d' op unknown activation 'gelu'}}
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "gelu"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_activation_params(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'cnn.conv2d' op activation 'clip' takes 2 parameters, got 1}}
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "clip", activation_params = array<f32: 6.0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}

// -----

func.func @conv_params_without_activation(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'cnn.conv2d' op has activation_params but no activation}}
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation_params = array<f32: 1.0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}
