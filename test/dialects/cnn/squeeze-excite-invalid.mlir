// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error path of cnn.squeeze_excite.

func.func @w1_wrong_channels(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x4xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{'cnn.squeeze_excite' op w1 must be [R, 8] and w2 [8, R], got [2, 4] and [8, 2]}}
  %0 = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {gate = "sigmoid"} : (tensor<1x8x5x5xf32>, tensor<2x4xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

// w2 reduces from 3 channels where w1 makes 2.
func.func @w2_wrong_reduced(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8xf32>, %b1: tensor<2xf32>, %w2: tensor<8x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{w1 must be [R, 8] and w2 [8, R], got [2, 8] and [8, 3]}}
  %0 = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {gate = "sigmoid"} : (tensor<1x8x5x5xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x3xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @bias_wrong_size(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8xf32>, %b1: tensor<8xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{b1 must have 2 elements and b2 8}}
  %0 = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {gate = "sigmoid"} : (tensor<1x8x5x5xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @params_without_activation(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{has activation_params but no activation}}
  %0 = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {activation_params = array<f32: 0.0, 6.0>, gate = "sigmoid"} : (tensor<1x8x5x5xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @unknown_activation(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{unknown activation 'gelu'}}
  %0 = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {activation = "gelu", gate = "sigmoid"} : (tensor<1x8x5x5xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @gate_missing_params(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{gate: activation 'hard_sigmoid' takes 2 parameters, got 0}}
  %0 = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {gate = "hard_sigmoid"} : (tensor<1x8x5x5xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @result_type(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+1 {{result type must equal the input type}}
  %0 = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {gate = "sigmoid"} : (tensor<1x8x5x5xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}
