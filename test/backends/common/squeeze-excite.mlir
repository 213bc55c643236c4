// RUN: cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s
// RUN: cnnc-opt %s --cnnc-cnn-to-linalg | FileCheck %s --check-prefix=FUSED
// RUN: cnnc-opt %s --cnnc-cnn-to-linalg --cnnc-cpu-tile-and-vectorize --canonicalize | FileCheck %s --check-prefix=TILED

// A pointwise consumer with F <= H*W (16 <= 16) scales its filter per image,
// filter'[n, f, c] = filter[f, c] * gate[n, c], and reads x unscaled: the
// input is read by the pool's reduction and by the matrix product only, no
// element-wise op makes a scaled copy of it.
// CHECK-DAG:   #[[F:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG:   #[[G:.+]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG:   #[[IN:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG:   #[[W:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG:   #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func @absorbed
// CHECK-SAME:  (%[[X:[^:]+]]: tensor<2x8x4x4xf32>
// CHECK:       linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<2x8x4x4xf32>) outs(%{{.+}} : tensor<2x8xf32>)
// CHECK-NOT:   -> tensor<2x8x4x4xf32>
// CHECK:       %[[GATE:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [2, 1, 8] : tensor<2x8xf32> into tensor<2x1x8xf32>
// CHECK:       %[[WS:.+]] = linalg.generic {indexing_maps = [#[[F]], #[[G]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.+}}, %[[GATE]] : tensor<16x8xf32>, tensor<2x1x8xf32>) outs(%{{.+}} : tensor<2x16x8xf32>)
// CHECK:       arith.mulf
// CHECK-NOT:   -> tensor<2x8x4x4xf32>
// CHECK:       %[[XC:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : tensor<2x8x4x4xf32> into tensor<2x8x16xf32>
// CHECK:       linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[XC]], %[[WS]] : tensor<2x8x16xf32>, tensor<2x16x8xf32>)
// CHECK-NOT:   cnn.

// The product is a micro-kernel like any pointwise conv's: per image, 16
// accumulator rows started from the bias, one broadcast element of the
// scaled filter per row and step, the relu applied before the store.
// TILED-LABEL: func @absorbed
// TILED:       scf.for %[[N:.+]] = %c0 to %c2 step %c1
// TILED:         %{{.+}}:16 = scf.for %[[K:.+]] = %c0 to %c8 step %c1
// TILED:           tensor.extract %{{.+}}[%[[N]], %c0, %[[K]]] : tensor<2x16x8xf32>
// TILED-COUNT-16:  vector.fma
// TILED:         arith.maximumf {{.+}} : vector<16xf32>
func.func @absorbed(%x: tensor<2x8x4x4xf32>, %w1: tensor<2x8xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>, %proj: tensor<16x8x1x1xf32>, %pb: tensor<16xf32>) -> tensor<2x16x4x4xf32> {
  %y = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {activation = "relu", gate = "sigmoid"} : (tensor<2x8x4x4xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<2x8x4x4xf32>
  %z = cnn.conv2d %y, %proj, %pb {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, activation = "relu"} : (tensor<2x8x4x4xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>) -> tensor<2x16x4x4xf32>
  return %z : tensor<2x16x4x4xf32>
}

// The excitation: the sum over H and W scaled by 1/(H*W), then two dense
// layers whose accumulators start from the bias, each followed by its
// activation. The weights are read transposed, [in, out], so that the
// products vectorize along the output channels.
// CHECK-LABEL: func @excitation
// CHECK-SAME:  (%[[X:[^:]+]]: tensor<1x8x2x2xf32>, %[[W1:[^:]+]]: tensor<2x8xf32>, %[[B1:[^:]+]]: tensor<2xf32>, %[[W2:[^:]+]]: tensor<8x2xf32>, %[[B2:[^:]+]]: tensor<8xf32>
// CHECK:       %[[SUM:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<1x8x2x2xf32>)
// CHECK:       %[[MEAN:.+]] = linalg.generic {{.+}} ins(%[[SUM]] : tensor<1x8xf32>)
// CHECK:         arith.constant 2.500000e-01
// CHECK:       %[[W1T:.+]] = linalg.transpose ins(%[[W1]] : tensor<2x8xf32>) outs(%{{.+}} : tensor<8x2xf32>) permutation = [1, 0]
// CHECK:       %[[I1:.+]] = linalg.broadcast ins(%[[B1]] : tensor<2xf32>) outs(%{{.+}} : tensor<1x2xf32>) dimensions = [0]
// CHECK:       %[[H:.+]] = linalg.generic {indexing_maps = [#[[A:.+]], #[[B:.+]], #[[C:.+]]], {{.+}} ins(%[[MEAN]], %[[W1T]] : tensor<1x8xf32>, tensor<8x2xf32>) outs(%[[I1]] : tensor<1x2xf32>)
// CHECK:       linalg.generic {{.+}} ins(%[[H]] : tensor<1x2xf32>)
// CHECK:         math.fma
// CHECK:       %[[W2T:.+]] = linalg.transpose ins(%[[W2]] : tensor<8x2xf32>)
// CHECK:       %[[I2:.+]] = linalg.broadcast ins(%[[B2]] : tensor<8xf32>)
// CHECK:       linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], {{.+}} ins(%{{.+}}, %[[W2T]] : tensor<1x2xf32>, tensor<2x8xf32>) outs(%[[I2]] : tensor<1x8xf32>)
// CHECK:       math.exp

// TILED-LABEL: func @excitation
// TILED:       scf.for %{{.+}} = %c0 to %c8 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (vector<16xf32>)
// TILED:         vector.fma

// A pointwise consumer with F > H*W (8 > 4) keeps its filter: scaling the
// input is the smaller operation.
// CHECK:       linalg.generic {{.+}} ins(%[[X]], %{{.+}} : tensor<1x8x2x2xf32>, tensor<1x8x1x1xf32>) outs(%{{.+}} : tensor<1x8x2x2xf32>)
// CHECK:         arith.mulf
// CHECK:       ins(%{{.+}}, %{{.+}} : tensor<1x8x4xf32>, tensor<8x8xf32>)
func.func @excitation(%x: tensor<1x8x2x2xf32>, %w1: tensor<2x8xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>, %proj: tensor<8x8x1x1xf32>) -> tensor<1x8x2x2xf32> {
  %y = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {activation = "hard_swish", gate = "sigmoid"} : (tensor<1x8x2x2xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<1x8x2x2xf32>
  %z = cnn.conv2d %y, %proj {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x2x2xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x2x2xf32>
  return %z : tensor<1x8x2x2xf32>
}

// SE-ResNet: the consumer is the residual add and relu; after element-wise
// fusion the scale, the add and the relu are one pass over the tensor.
// FUSED-LABEL: func @residual
// FUSED-SAME:  (%[[X:[^:]+]]: tensor<2x8x4x4xf32>, {{.+}}, %[[R:[^:]+]]: tensor<2x8x4x4xf32>)
// FUSED:       %[[S:.+]] = tensor.expand_shape {{.+}} : tensor<2x8xf32> into tensor<2x8x1x1xf32>
// FUSED:       linalg.generic {{.+}} ins(%[[X]], %[[S]], %[[R]] : tensor<2x8x4x4xf32>, tensor<2x8x1x1xf32>, tensor<2x8x4x4xf32>)
// FUSED-NEXT:  ^bb0
// FUSED-NEXT:    arith.mulf
// FUSED-NEXT:    arith.addf
// FUSED-NEXT:    arith.maximumf
// FUSED-NEXT:    linalg.yield
// FUSED-NOT:   linalg.generic
// FUSED:       return
func.func @residual(%x: tensor<2x8x4x4xf32>, %w1: tensor<2x8xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>, %r: tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32> {
  %y = cnn.squeeze_excite %x, %w1, %b1, %w2, %b2 {activation = "relu", gate = "sigmoid"} : (tensor<2x8x4x4xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<2x8x4x4xf32>
  %z = cnn.add %y, %r : (tensor<2x8x4x4xf32>, tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  %o = cnn.relu %z : tensor<2x8x4x4xf32>
  return %o : tensor<2x8x4x4xf32>
}
