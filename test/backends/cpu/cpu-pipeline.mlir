// RUN: cnnc-opt %s --cnnc-cpu | FileCheck %s \
// RUN:   --implicit-check-not=cnn. --implicit-check-not=linalg. \
// RUN:   --implicit-check-not=tensor. --implicit-check-not=memref. \
// RUN:   --implicit-check-not=bufferization. --implicit-check-not=scf. \
// RUN:   --implicit-check-not=cf. --implicit-check-not=arith. \
// RUN:   --implicit-check-not=math. --implicit-check-not=func.func \
// RUN:   --implicit-check-not=unrealized_conversion_cast

// The whole CPU pipeline on a tiny conv + relu (rows of 3, too narrow for
// the direct conv kernels): everything ends up in the LLVM dialect, weights
// become LLVM globals and the result becomes an out parameter of @main
// (bare pointers).

// CHECK-DAG: llvm.mlir.global private constant @[[BIAS:.+]](dense<[1.000000e+00, -1.000000e+00, 0.000000e+00]> : tensor<3xf32>)
// CHECK-DAG: llvm.mlir.global private constant @[[FILTER:.+]](dense<5.000000e-01> : tensor<3x2x3x3xf32>)
// CHECK-LABEL: llvm.func @main
// CHECK-SAME: (%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr) {
// CHECK-DAG: llvm.mlir.addressof @[[BIAS]]
// CHECK-DAG: llvm.mlir.addressof @[[FILTER]]
// Loops over multiply-adds, then the relu's maximum.
// CHECK: llvm.cond_br
// CHECK: {{llvm.fmul|llvm.intr.fma|llvm.intr.fmuladd}}
// CHECK: llvm.intr.maximum
// CHECK: llvm.return
// CHECK-NOT: llvm.func @{{.*}}{
func.func @main(%x: tensor<1x2x5x3xf32>) -> tensor<1x3x5x3xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2x3x3xf32>
  %b = arith.constant dense<[1.0, -1.0, 0.0]> : tensor<3xf32>
  %0 = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x5x3xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x5x3xf32>
  %1 = cnn.relu %0 : tensor<1x3x5x3xf32>
  return %1 : tensor<1x3x5x3xf32>
}
