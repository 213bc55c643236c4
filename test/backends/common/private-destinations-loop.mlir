// RUN: cnnc-opt %s --cnnc-private-destinations | FileCheck %s

// A user inside a loop gets its clone next to the original, outside the
// loop, so the fill does not run on every iteration.
// CHECK-LABEL: func @user_in_loop
// CHECK: %[[E0:.*]] = tensor.empty
// CHECK: %[[E1:.*]] = tensor.empty
// CHECK-DAG: linalg.fill ins(%{{.*}} : f32) outs(%[[E0]]
// CHECK-DAG: linalg.fill ins(%{{.*}} : f32) outs(%[[E1]]
// CHECK: scf.for
// CHECK-NOT: linalg.fill
// CHECK: return
func.func @user_in_loop(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %x) -> tensor<4xf32> {
    %v = tensor.extract %f[%i] : tensor<4xf32>
    %w = tensor.insert %v into %acc[%i] : tensor<4xf32>
    scf.yield %w : tensor<4xf32>
  }
  %g = linalg.copy ins(%x : tensor<4xf32>) outs(%f : tensor<4xf32>) -> tensor<4xf32>
  return %r, %g : tensor<4xf32>, tensor<4xf32>
}
