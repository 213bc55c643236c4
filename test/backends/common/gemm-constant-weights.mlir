// RUN: cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s

// Gemm with transB on constant weights: the weights are transposed at
// compile time and the product reads them along rows (linalg.matmul).
// CHECK-LABEL: func @classifier
// CHECK:       %[[W:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00, 5.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK:       linalg.matmul ins(%arg0, %[[W]] : tensor<1x2xf32>, tensor<2x3xf32>)
// CHECK-NOT:   linalg.matmul_transpose_b
func.func @classifier(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %r = cnn.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}

// Weights that arrive at run time keep the transposed product.
// CHECK-LABEL: func @runtime_weights
// CHECK:       linalg.matmul_transpose_b
func.func @runtime_weights(%x: tensor<1x2xf32>, %w: tensor<3x2xf32>) -> tensor<1x3xf32> {
  %r = cnn.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}
