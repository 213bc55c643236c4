// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// Round trip of cnn.squeeze_excite: with an activation between the dense
// layers and parameters on the gate, and with neither.

// CHECK-LABEL: func.func @squeeze_excite
// CHECK-SAME: (%[[X:.+]]: tensor<2x8x5x5xf32>, %[[W1:.+]]: tensor<2x8xf32>, %[[B1:.+]]: tensor<2xf32>, %[[W2:.+]]: tensor<8x2xf32>, %[[B2:.+]]: tensor<8xf32>)
// CHECK: %[[A:.+]] = cnn.squeeze_excite %[[X]], %[[W1]], %[[B1]], %[[W2]], %[[B2]] {activation = "relu", gate = "hard_sigmoid", gate_params = array<f32: 0.166666672, 5.000000e-01>} : (tensor<2x8x5x5xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<2x8x5x5xf32>
// CHECK: %[[B:.+]] = cnn.squeeze_excite %[[A]], %[[W1]], %[[B1]], %[[W2]], %[[B2]] {gate = "sigmoid"}
// CHECK: return %[[B]]
func.func @squeeze_excite(%x: tensor<2x8x5x5xf32>, %w1: tensor<2x8xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>) -> tensor<2x8x5x5xf32> {
  %0 = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {activation = "relu", gate = "hard_sigmoid", gate_params = array<f32: 0.166666672, 0.5>} : (tensor<2x8x5x5xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<2x8x5x5xf32>
  %1 = cnn.squeeze_excite %0, %w1, %b1, %w2, %b2 {gate = "sigmoid"} : (tensor<2x8x5x5xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<2x8x5x5xf32>
  return %1 : tensor<2x8x5x5xf32>
}
