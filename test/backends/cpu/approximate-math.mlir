// RUN: cnnc-opt %s --cnnc-cpu-approximate-math | FileCheck %s

// exp and tanh on vectors become polynomials (fma, bit tricks), not calls.
// CHECK-LABEL: func @sigmoid_tanh
// CHECK-NOT:   math.exp
// CHECK-NOT:   math.tanh
// CHECK:       math.fma {{.+}} : vector<16xf32>
// CHECK:       return
func.func @sigmoid_tanh(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>) {
  %e = math.exp %x : vector<16xf32>
  %t = math.tanh %x : vector<16xf32>
  return %e, %t : vector<16xf32>, vector<16xf32>
}
