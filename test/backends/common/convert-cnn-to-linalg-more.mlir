// RUN: cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s

// Lowering of the activation, arithmetic, normalization and data-movement
// ops beyond the core set.

// CHECK-DAG: #[[$ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ID4:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$C11:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-DAG: #[[$ROW:map[0-9]*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$ID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$MID:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[$WIN_IN:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 + d4, d2, d3)>
// CHECK-DAG: #[[$WIN_K:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4) -> (d4)>
// CHECK-DAG: #[[$WIN_OUT:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>

//===----------------------------------------------------------------------===//
// Activations: one element-wise generic each
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @sigmoid
// CHECK: linalg.generic {indexing_maps = [#[[$ID2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[NEG:.+]] = arith.negf %[[IN]]
// CHECK: %[[E:.+]] = math.exp %[[NEG]]
// CHECK: %[[ONE:.+]] = arith.constant 1.000000e+00
// CHECK: %[[D:.+]] = arith.addf %[[ONE]], %[[E]]
// CHECK: %[[R:.+]] = arith.divf %[[ONE]], %[[D]]
// CHECK: linalg.yield %[[R]]
func.func @sigmoid(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.sigmoid %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// tanh from exp(-2|x|), which cannot overflow, with the sign copied back.
// CHECK-LABEL: func.func @tanh
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[A:.+]] = math.absf %[[IN]]
// CHECK: %[[M2:.+]] = arith.constant -2.000000e+00
// CHECK: %[[S:.+]] = arith.mulf %[[A]], %[[M2]]
// CHECK: %[[T:.+]] = math.exp %[[S]]
// CHECK: %[[NUM:.+]] = arith.subf %{{.+}}, %[[T]]
// CHECK: %[[DEN:.+]] = arith.addf %{{.+}}, %[[T]]
// CHECK: %[[Q:.+]] = arith.divf %[[NUM]], %[[DEN]]
// CHECK: %[[R:.+]] = math.copysign %[[Q]], %[[IN]]
// CHECK: linalg.yield %[[R]]
func.func @tanh(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.tanh %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @hard_swish
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-DAG: %[[SIXTH:.+]] = arith.constant 0.166666672
// CHECK-DAG: %[[HALF:.+]] = arith.constant 5.000000e-01
// CHECK: %[[L:.+]] = math.fma %[[IN]], %[[SIXTH]], %[[HALF]]
// CHECK: %[[LO:.+]] = arith.maximumf %[[L]], %{{.+}}
// CHECK: %[[HI:.+]] = arith.minimumf %[[LO]], %{{.+}}
// CHECK: %[[R:.+]] = arith.mulf %[[IN]], %[[HI]]
// CHECK: linalg.yield %[[R]]
func.func @hard_swish(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.hard_swish %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @leaky_relu
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[NEG:.+]] = arith.cmpf olt, %[[IN]], %{{.+}}
// CHECK: %[[ALPHA:.+]] = arith.constant 2.500000e-01
// CHECK: %[[S:.+]] = arith.mulf %[[IN]], %[[ALPHA]]
// CHECK: %[[R:.+]] = arith.select %[[NEG]], %[[S]], %[[IN]]
// CHECK: linalg.yield %[[R]]
func.func @leaky_relu(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.leaky_relu %x {alpha = 0.25 : f32} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @hard_sigmoid
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-DAG: %[[ALPHA:.+]] = arith.constant 2.500000e-01
// CHECK-DAG: %[[BETA:.+]] = arith.constant 5.000000e-01
// CHECK: %[[L:.+]] = math.fma %[[IN]], %[[ALPHA]], %[[BETA]]
// CHECK: %[[LO:.+]] = arith.maximumf %[[L]], %{{.+}}
// CHECK: %[[HI:.+]] = arith.minimumf %[[LO]], %{{.+}}
// CHECK: linalg.yield %[[HI]]
func.func @hard_sigmoid(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.hard_sigmoid %x {alpha = 0.25 : f32, beta = 0.5 : f32} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// The per-channel slope is read through a broadcasting map.
// CHECK-LABEL: func.func @prelu
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x5x5xf32>, %[[S:.+]]: tensor<4x1x1xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$ID4]], #[[$C11]], #[[$ID4]]], {{.*}} ins(%[[X]], %[[S]] : tensor<1x4x5x5xf32>, tensor<4x1x1xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %[[SLOPE:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[NEG:.+]] = arith.cmpf olt, %[[IN]], %{{.+}}
// CHECK: %[[P:.+]] = arith.mulf %[[IN]], %[[SLOPE]]
// CHECK: arith.select %[[NEG]], %[[P]], %[[IN]]
func.func @prelu(%x: tensor<1x4x5x5xf32>, %s: tensor<4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.prelu %x, %s : (tensor<1x4x5x5xf32>, tensor<4x1x1xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// CHECK-LABEL: func.func @sub_div
// CHECK: arith.subf
// CHECK: } -> tensor<2x4x3xf32>
// CHECK: arith.divf
// CHECK: } -> tensor<2x4x3xf32>
func.func @sub_div(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> tensor<2x4x3xf32> {
  %0 = cnn.sub %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  %1 = cnn.div %0, %b : (tensor<2x4x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  return %1 : tensor<2x4x3xf32>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// max along the axis (from -inf), exp(x - max), their sum, the quotient.
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.+]]: tensor<2x10xf32>)
// CHECK: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAX0:.+]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.+}} : tensor<2x1xf32>)
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<2x10xf32>) outs(%[[MAX0]] : tensor<2x1xf32>)
// CHECK: arith.maximumf
// CHECK: %[[EXP:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROW]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]] : tensor<2x10xf32>, tensor<2x1xf32>)
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<2x10xf32>)
// CHECK: arith.addf
// CHECK: %[[R:.+]] = linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] : tensor<2x10xf32>, tensor<2x1xf32>)
// CHECK: arith.divf
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %0 = cnn.softmax %x {axis = 1 : i64} : tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// Without keepdims the reduced dims leave the output map; 1/(2*4) scales.
// CHECK-LABEL: func.func @reduce_mean
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$ID3]], #[[$MID]]], iterator_types = ["reduction", "parallel", "reduction"]} ins(%{{.+}} : tensor<2x3x4xf32>) outs(%{{.+}} : tensor<3xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xf32>)
// CHECK: arith.constant 1.250000e-01
// CHECK: arith.mulf
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = cnn.reduce_mean %x {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// Size 4: channels c-1 .. c+2, so C is padded by 1 before and 2 after; the
// [4] window operand gives the reduction dim its range.
// CHECK-LABEL: func.func @lrn
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x5x5xf32>)
// CHECK: %[[SQ:.+]] = linalg.generic
// CHECK: arith.mulf %[[IN:.+]], %[[IN]]
// CHECK: %[[PAD:.+]] = tensor.pad %[[SQ]] low[0, 1, 0, 0] high[0, 2, 0, 0]
// CHECK: } : tensor<1x8x5x5xf32> to tensor<1x11x5x5xf32>
// CHECK: %[[WIN:.+]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$WIN_IN]], #[[$WIN_K]], #[[$WIN_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[PAD]], %[[WIN]] : tensor<1x11x5x5xf32>, tensor<4xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[SUM]] : tensor<1x8x5x5xf32>, tensor<1x8x5x5xf32>)
// CHECK-DAG: %[[SCALE:.+]] = arith.constant 2.500000e-05
// CHECK-DAG: %[[BIAS:.+]] = arith.constant 2.000000e+00
// CHECK: %[[BASE:.+]] = math.fma %{{.+}}, %[[SCALE]], %[[BIAS]]
// CHECK: %[[NBETA:.+]] = arith.constant -7.500000e-01
// CHECK: %[[P:.+]] = math.powf %[[BASE]], %[[NBETA]]
// CHECK: arith.mulf %{{.+}}, %[[P]]
func.func @lrn(%x: tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32> {
  %0 = cnn.lrn %x {size = 4 : i64, alpha = 1.0e-4 : f32, beta = 0.75 : f32, bias = 2.0 : f32} : tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x3x4x5xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<1x3x2x4x5xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<1x2x3x4x5xf32>) outs(%[[E]] : tensor<1x3x2x4x5xf32>) permutation = [0, 2, 1, 3, 4]
func.func @transpose(%x: tensor<1x2x3x4x5xf32>) -> tensor<1x3x2x4x5xf32> {
  %0 = cnn.transpose %x {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x3x4x5xf32>) -> tensor<1x3x2x4x5xf32>
  return %0 : tensor<1x3x2x4x5xf32>
}

// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract_slice %{{.+}}[0, 1, 0, 2] [1, 3, 4, 3] [1, 2, 1, 1] : tensor<1x6x4x8xf32> to tensor<1x3x4x3xf32>
func.func @slice(%x: tensor<1x6x4x8xf32>) -> tensor<1x3x4x3xf32> {
  %0 = cnn.slice %x {offsets = array<i64: 0, 1, 0, 2>, strides = array<i64: 1, 2, 1, 1>} : (tensor<1x6x4x8xf32>) -> tensor<1x3x4x3xf32>
  return %0 : tensor<1x3x4x3xf32>
}

// CHECK-LABEL: func.func @split
// CHECK-SAME: (%[[X:.+]]: tensor<1x6x4x4xf32>)
// CHECK: %[[A:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x6x4x4xf32> to tensor<1x2x4x4xf32>
// CHECK: %[[B:.+]] = tensor.extract_slice %[[X]][0, 2, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x6x4x4xf32> to tensor<1x4x4x4xf32>
// CHECK: return %[[A]], %[[B]]
func.func @split(%x: tensor<1x6x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x4x4x4xf32>) {
  %0:2 = cnn.split %x {axis = 1 : i64} : (tensor<1x6x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x4x4x4xf32>)
  return %0#0, %0#1 : tensor<1x2x4x4xf32>, tensor<1x4x4x4xf32>
}

// CHECK-LABEL: func.func @pad_constant
// CHECK: %[[V:.+]] = arith.constant 1.500000e+00 : f32
// CHECK: tensor.pad %{{.+}} low[0, 0, 1, 2] high[0, 0, 3, 4]
// CHECK: tensor.yield %[[V]] : f32
// CHECK: } : tensor<1x2x4x5xf32> to tensor<1x2x8x11xf32>
func.func @pad_constant(%x: tensor<1x2x4x5xf32>) -> tensor<1x2x8x11xf32> {
  %0 = cnn.pad %x {pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>, mode = "constant", value = 1.5 : f32} : (tensor<1x2x4x5xf32>) -> tensor<1x2x8x11xf32>
  return %0 : tensor<1x2x8x11xf32>
}

// Reflect by 2 before and 1 after along W: columns 2, 1 | 0..4 | 3.
// CHECK-LABEL: func.func @pad_reflect
// CHECK-SAME: (%[[X:.+]]: tensor<4x5xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[M:.+]] = tensor.insert_slice %[[X]] into %[[E]][0, 2] [4, 5] [1, 1]
// CHECK: %[[C2:.+]] = tensor.extract_slice %[[X]][0, 2] [4, 1] [1, 1]
// CHECK: %[[R0:.+]] = tensor.insert_slice %[[C2]] into %[[M]][0, 0] [4, 1] [1, 1]
// CHECK: %[[C1:.+]] = tensor.extract_slice %[[X]][0, 1] [4, 1] [1, 1]
// CHECK: %[[R1:.+]] = tensor.insert_slice %[[C1]] into %[[R0]][0, 1] [4, 1] [1, 1]
// CHECK: %[[C3:.+]] = tensor.extract_slice %[[X]][0, 3] [4, 1] [1, 1]
// CHECK: %[[R2:.+]] = tensor.insert_slice %[[C3]] into %[[R1]][0, 7] [4, 1] [1, 1]
// CHECK: return %[[R2]]
func.func @pad_reflect(%x: tensor<4x5xf32>) -> tensor<4x8xf32> {
  %0 = cnn.pad %x {pads = array<i64: 0, 2, 0, 1>, mode = "reflect", value = 0.0 : f32} : (tensor<4x5xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Edge: the last row repeats.
// CHECK-LABEL: func.func @pad_edge
// CHECK-SAME: (%[[X:.+]]: tensor<4x5xf32>)
// CHECK: %[[M:.+]] = tensor.insert_slice %[[X]] into %{{.+}}[0, 0] [4, 5] [1, 1]
// CHECK: %[[LAST:.+]] = tensor.extract_slice %[[X]][3, 0] [1, 5] [1, 1]
// CHECK: tensor.insert_slice %[[LAST]] into %[[M]][4, 0] [1, 5] [1, 1]
func.func @pad_edge(%x: tensor<4x5xf32>) -> tensor<5x5xf32> {
  %0 = cnn.pad %x {pads = array<i64: 0, 0, 1, 0>, mode = "edge", value = 0.0 : f32} : (tensor<4x5xf32>) -> tensor<5x5xf32>
  return %0 : tensor<5x5xf32>
}
