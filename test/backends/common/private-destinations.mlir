// RUN: cnnc-opt %s --cnnc-private-destinations | FileCheck %s
// RUN: cnnc-opt %s --cnnc-private-destinations | FileCheck %s --check-prefix=COUNT
// RUN: cnnc-opt %s --cnnc-private-destinations | FileCheck %s --check-prefix=FILLS

// Two kernels that CSE left writing one zero-filled tensor each get a fill of
// an empty tensor of their own; a fill with one user is left alone.
// CHECK-LABEL: func @shared_fill
// CHECK: %[[A:.*]] = linalg.generic {{.*}} outs(%[[FA:.*]] : tensor<4xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[A]] : tensor<4xf32>) outs(%[[FB:.*]] : tensor<4xf32>)
// CHECK-NOT: outs(%[[FA]]
// CHECK: return
// COUNT-COUNT-3: tensor.empty
// COUNT-NOT: tensor.empty
// FILLS-COUNT-3: linalg.fill ins(%{{.*}} : f32) outs(%{{[0-9]+}} : tensor<4xf32>)
// FILLS-NOT: linalg.fill
#id = affine_map<(d0) -> (d0)>
func.func @shared_fill(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : tensor<4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.mulf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %g = linalg.fill ins(%one : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %a, %b, %g : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

