// RUN: cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s
// RUN: cnnc-opt %s --convert-cnn-to-linalg --canonicalize --cnnc-cpu-tile-and-vectorize --canonicalize | FileCheck %s --check-prefix=TILED

// A grouped 1x1 convolution (ShuffleNet v1, g = 3) is a batch of G matrix
// products: the group is a loop of its own.
// CHECK-DAG:   #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
// CHECK-DAG:   #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>
// CHECK-DAG:   #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @grouped_pointwise
// CHECK:       tensor.expand_shape {{.+}} : tensor<1x24x16xf32> into tensor<1x3x8x16xf32>
// CHECK:       linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:    ins({{.+}} : tensor<1x3x8x16xf32>, tensor<3x16x8xf32>)

// The kernels never straddle a group: one loop over the 3 groups; within
// a group, its 16 output channels (a divisor of the group's width, within
// the register budget) accumulate over the group's 8 input channels.
// TILED-LABEL: func @grouped_pointwise
// TILED:       scf.for %{{.+}} = %c0 to %c3 step %c1
// TILED:         %{{.+}}:16 = scf.for %{{.+}} = %c0 to %c8 step %c1
// TILED-COUNT-16: vector.fma
func.func @grouped_pointwise(%x: tensor<1x24x4x4xf32>, %w: tensor<48x8x1x1xf32>) -> tensor<1x48x4x4xf32> {
  %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 3 : i64} : (tensor<1x24x4x4xf32>, tensor<48x8x1x1xf32>) -> tensor<1x48x4x4xf32>
  return %c : tensor<1x48x4x4xf32>
}
