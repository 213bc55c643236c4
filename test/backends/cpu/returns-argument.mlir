// RUN: cnnc-opt %s --cnnc-cpu | FileCheck %s

// A model whose output is its input (an Identity graph) still lowers: the
// output buffer gets a copy of the input (a loop of loads and stores).
// CHECK-LABEL: llvm.func @main(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr)
// CHECK:       llvm.load
// CHECK:       llvm.store
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// Reshapes to and from rank 0 (a single element) lower to views.
// CHECK-LABEL: llvm.func @rank0
func.func @rank0(%a: tensor<1x1xf32>) -> tensor<1x1x1xf32> {
  %0 = cnn.reshape %a : (tensor<1x1xf32>) -> tensor<f32>
  %1 = cnn.reshape %0 : (tensor<f32>) -> tensor<1x1x1xf32>
  return %1 : tensor<1x1x1xf32>
}
