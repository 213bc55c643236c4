// RUN: cnnc-opt %s --convert-cnn-to-linalg | FileCheck %s

// The indexing maps the element-wise generics and reductions use.
// CHECK-DAG: #[[$ID4:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$HW:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[$NC11:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
// CHECK-DAG: #[[$C11:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-DAG: #[[$ID3:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$A0C:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[$B0:map[0-9]*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[$ID2:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$COL:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$ID1:map[0-9]*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$PW_IN:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[$PW_W:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[$PW_OUT:map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

// groups = 1 (and not 1x1): an explicitly padded input (top/left low, bottom/right high) and
// the bias broadcast over N, H, W as the accumulator.
// CHECK-LABEL: func.func @conv_padded_bias
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x8x8xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<4xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0, 1, 2] high[0, 0, 0, 1]
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: } : tensor<1x3x8x8xf32> to tensor<1x3x9x11xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<1x4x4x5xf32>
// CHECK: %[[INIT:.+]] = linalg.broadcast ins(%[[B]] : tensor<4xf32>) outs(%[[EMPTY]] : tensor<1x4x4x5xf32>) dimensions = [0, 2, 3]
// CHECK: %[[CONV:.+]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %[[W]] : tensor<1x3x9x11xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<1x4x4x5xf32>) -> tensor<1x4x4x5xf32>
// CHECK: return %[[CONV]]
func.func @conv_padded_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x5xf32> {
  %0 = cnn.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 2, 0, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x5xf32>
  return %0 : tensor<1x4x4x5xf32>
}

// No pads: no tensor.pad; no bias: a zero-filled accumulator.
// CHECK-LABEL: func.func @conv_unpadded_dilated
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x8x8xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<1x4x4x6xf32>
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<1x4x4x6xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[X]], %[[W]] : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<1x4x4x6xf32>)
func.func @conv_unpadded_dilated(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x4x6xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x6xf32>
  return %0 : tensor<1x4x4x6xf32>
}

// A 1x1 conv with unit strides and no pads is a contraction over C of the
// [N, C, H*W] input and the [F, C] filter.
// CHECK-LABEL: func.func @conv_pointwise
// CHECK-SAME: (%[[X:.+]]: tensor<2x8x5x5xf32>, %[[W:.+]]: tensor<16x8x1x1xf32>, %[[B:.+]]: tensor<16xf32>)
// CHECK-NOT: linalg.conv_2d
// CHECK: %[[INIT:.+]] = linalg.broadcast ins(%[[B]] : tensor<16xf32>)
// CHECK-DAG: %[[CX:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : tensor<2x8x5x5xf32> into tensor<2x8x25xf32>
// CHECK-DAG: %[[CW:.+]] = tensor.collapse_shape %[[W]] {{\[}}[0], [1, 2, 3]] : tensor<16x8x1x1xf32> into tensor<16x8xf32>
// CHECK-DAG: %[[CI:.+]] = tensor.collapse_shape %[[INIT]] {{\[}}[0], [1], [2, 3]] : tensor<2x16x5x5xf32> into tensor<2x16x25xf32>
// CHECK: %[[MM:.+]] = linalg.generic {indexing_maps = [#[[$PW_IN]], #[[$PW_W]], #[[$PW_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[CX]], %[[CW]] : tensor<2x8x25xf32>, tensor<16x8xf32>) outs(%[[CI]] : tensor<2x16x25xf32>)
// CHECK-NEXT: ^bb0(%[[I:.+]]: f32, %[[F:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[I]], %[[F]] : f32
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: %[[R:.+]] = tensor.expand_shape %[[MM]] {{\[}}[0], [1], [2, 3]] output_shape [2, 16, 5, 5] : tensor<2x16x25xf32> into tensor<2x16x5x5xf32>
// CHECK: return %[[R]]
func.func @conv_pointwise(%x: tensor<2x8x5x5xf32>, %w: tensor<16x8x1x1xf32>, %b: tensor<16xf32>) -> tensor<2x16x5x5xf32> {
  %0 = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<2x8x5x5xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>) -> tensor<2x16x5x5xf32>
  return %0 : tensor<2x16x5x5xf32>
}

// A strided 1x1 conv stays a named convolution.
// CHECK-LABEL: func.func @conv_1x1_strided
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.+}}, %{{.+}} : tensor<1x8x6x6xf32>, tensor<16x8x1x1xf32>)
func.func @conv_1x1_strided(%x: tensor<1x8x6x6xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<1x16x3x3xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x8x6x6xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x3x3xf32>
  return %0 : tensor<1x16x3x3xf32>
}

// groups = C = F: the CHW depthwise op with the [C, 1, KH, KW] filter
// collapsed to [C, KH, KW].
// CHECK-LABEL: func.func @conv_depthwise
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x9x9xf32>, %[[W:.+]]: tensor<8x1x3x3xf32>, %[[B:.+]]: tensor<8xf32>)
// CHECK: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<1x8x9x9xf32> to tensor<1x8x11x11xf32>
// CHECK: %[[INIT:.+]] = linalg.broadcast ins(%[[B]] : tensor<8xf32>)
// CHECK: %[[DWF:.+]] = tensor.collapse_shape %[[W]] {{\[}}[0, 1], [2], [3]] : tensor<8x1x3x3xf32> into tensor<8x3x3xf32>
// CHECK: %[[CONV:.+]] = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %[[DWF]] : tensor<1x8x11x11xf32>, tensor<8x3x3xf32>) outs(%[[INIT]] : tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
// CHECK: return %[[CONV]]
func.func @conv_depthwise(%x: tensor<1x8x9x9xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  %0 = cnn.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 8 : i64} : (tensor<1x8x9x9xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// groups = 2 of 8 channels: input [1, 2, 4, H, W], filter [2, 8, 4, 3, 3],
// result [1, 2, 8, OH, OW] collapsed back to 16 channels.
// CHECK-LABEL: func.func @conv_grouped_2
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x6x6xf32>, %[[W:.+]]: tensor<16x4x3x3xf32>)
// CHECK: %[[INIT:.+]] = linalg.fill
// CHECK-DAG: %[[GX:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 4, 6, 6] : tensor<1x8x6x6xf32> into tensor<1x2x4x6x6xf32>
// CHECK-DAG: %[[GW:.+]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 8, 4, 3, 3] : tensor<16x4x3x3xf32> into tensor<2x8x4x3x3xf32>
// CHECK-DAG: %[[GI:.+]] = tensor.expand_shape %[[INIT]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 8, 4, 4] : tensor<1x16x4x4xf32> into tensor<1x2x8x4x4xf32>
// CHECK: %[[CONV:.+]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[GX]], %[[GW]] : tensor<1x2x4x6x6xf32>, tensor<2x8x4x3x3xf32>) outs(%[[GI]] : tensor<1x2x8x4x4xf32>) -> tensor<1x2x8x4x4xf32>
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[CONV]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x8x4x4xf32> into tensor<1x16x4x4xf32>
// CHECK: return %[[R]]
func.func @conv_grouped_2(%x: tensor<1x8x6x6xf32>, %w: tensor<16x4x3x3xf32>) -> tensor<1x16x4x4xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x8x6x6xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// groups = 4 of 8 channels with pads and a bias: the padded input and the
// broadcast bias are what get split into groups.
// CHECK-LABEL: func.func @conv_grouped_4_padded_bias
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x6x6xf32>, %[[W:.+]]: tensor<8x2x3x3xf32>, %[[B:.+]]: tensor<8xf32>)
// CHECK: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[INIT:.+]] = linalg.broadcast ins(%[[B]] : tensor<8xf32>)
// CHECK-DAG: %[[GX:.+]] = tensor.expand_shape %[[PAD]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 4, 2, 8, 8] : tensor<1x8x8x8xf32> into tensor<1x4x2x8x8xf32>
// CHECK-DAG: %[[GW:.+]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [4, 2, 2, 3, 3] : tensor<8x2x3x3xf32> into tensor<4x2x2x3x3xf32>
// CHECK-DAG: %[[GI:.+]] = tensor.expand_shape %[[INIT]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 4, 2, 6, 6] : tensor<1x8x6x6xf32> into tensor<1x4x2x6x6xf32>
// CHECK: %[[CONV:.+]] = linalg.conv_2d_ngchw_gfchw {{.+}} ins(%[[GX]], %[[GW]] : {{.+}}) outs(%[[GI]] : tensor<1x4x2x6x6xf32>)
// CHECK: tensor.collapse_shape %[[CONV]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x4x2x6x6xf32> into tensor<1x8x6x6xf32>
func.func @conv_grouped_4_padded_bias(%x: tensor<1x8x6x6xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x6x6xf32> {
  %0 = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x8x6x6xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// groups = C with a channel multiplier (F = 2C) is not the CHW depthwise op.
// CHECK-LABEL: func.func @conv_depthwise_multiplier
// CHECK-NOT: linalg.depthwise_conv_2d_nchw_chw
// CHECK: linalg.conv_2d_ngchw_gfchw {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x4x1x5x5xf32>, tensor<4x2x1x3x3xf32>) outs(%{{.+}} : tensor<1x4x2x3x3xf32>)
func.func @conv_depthwise_multiplier(%x: tensor<1x4x5x5xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x4x5x5xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

//===----------------------------------------------------------------------===//
// Normalization and element-wise ops
//===----------------------------------------------------------------------===//

// scale = s * rsqrt(var + eps) and shift = b - mean * scale over C, then one
// fma per element with both reshaped to [1, C, 1, 1].
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x5x5xf32>, %[[S:.+]]: tensor<4xf32>, %[[B:.+]]: tensor<4xf32>, %[[M:.+]]: tensor<4xf32>, %[[V:.+]]: tensor<4xf32>)
// CHECK: %[[SCALE:.+]] = linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]} ins(%[[S]], %[[V]] : tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[IS:.+]]: f32, %[[IV:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[EPS:.+]] = arith.constant 1.000000e-03 : f32
// CHECK-NEXT: %[[VE:.+]] = arith.addf %[[IV]], %[[EPS]] : f32
// CHECK-NEXT: %[[RS:.+]] = math.rsqrt %[[VE]] : f32
// CHECK-NEXT: %[[SC:.+]] = arith.mulf %[[IS]], %[[RS]] : f32
// CHECK-NEXT: linalg.yield %[[SC]] : f32
// CHECK: %[[SHIFT:.+]] = linalg.generic {{.+}} ins(%[[B]], %[[M]], %[[SCALE]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[IB:.+]]: f32, %[[IM:.+]]: f32, %[[ISC:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[MS:.+]] = arith.mulf %[[IM]], %[[ISC]] : f32
// CHECK-NEXT: %[[SH:.+]] = arith.subf %[[IB]], %[[MS]] : f32
// CHECK-NEXT: linalg.yield %[[SH]] : f32
// CHECK-DAG: %[[SCALE4:.+]] = tensor.expand_shape %[[SCALE]] {{\[}}[0, 1, 2, 3]] output_shape [1, 4, 1, 1] : tensor<4xf32> into tensor<1x4x1x1xf32>
// CHECK-DAG: %[[SHIFT4:.+]] = tensor.expand_shape %[[SHIFT]] {{\[}}[0, 1, 2, 3]] output_shape [1, 4, 1, 1] : tensor<4xf32> into tensor<1x4x1x1xf32>
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$NC11]], #[[$NC11]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[SCALE4]], %[[SHIFT4]] : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>)
// CHECK-NEXT: ^bb0(%[[IX:.+]]: f32, %[[IA:.+]]: f32, %[[IC:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[F:.+]] = math.fma %[[IX]], %[[IA]], %[[IC]] : f32
// CHECK-NEXT: linalg.yield %[[F]] : f32
// CHECK: return %[[R]]
func.func @batch_norm(%x: tensor<1x4x5x5xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<1x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// CHECK-LABEL: func.func @relu_clip
// CHECK: %[[RELU:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-NEXT: ^bb0(%[[A:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[MAX:.+]] = arith.maximumf %[[A]], %[[Z]] : f32
// CHECK-NEXT: linalg.yield %[[MAX]] : f32
// CHECK: linalg.generic {{.+}} ins(%[[RELU]] : tensor<1x4x5x5xf32>)
// CHECK-NEXT: ^bb0(%[[B:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[LO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[CL:.+]] = arith.maximumf %[[B]], %[[LO]] : f32
// CHECK-NEXT: %[[HI:.+]] = arith.constant 6.000000e+00 : f32
// CHECK-NEXT: %[[CH:.+]] = arith.minimumf %[[CL]], %[[HI]] : f32
// CHECK-NEXT: linalg.yield %[[CH]] : f32
func.func @relu_clip(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.relu %x : tensor<1x4x5x5xf32>
  %1 = cnn.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x4x5x5xf32>
  return %1 : tensor<1x4x5x5xf32>
}

// NumPy broadcasting: trailing dims align, stretched size-1 dims read index 0.
// CHECK-LABEL: func.func @add_mul_broadcast
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x5x5xf32>, %[[C:.+]]: tensor<4x1x1xf32>, %[[A:.+]]: tensor<2x1x3xf32>, %[[B:.+]]: tensor<4x1xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$ID4]], #[[$C11]], #[[$ID4]]], {{.+}}} ins(%[[X]], %[[C]] : tensor<1x4x5x5xf32>, tensor<4x1x1xf32>) outs(%{{.+}} : tensor<1x4x5x5xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[$A0C]], #[[$B0]], #[[$ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[A]], %[[B]] : tensor<2x1x3xf32>, tensor<4x1xf32>) outs(%{{.+}} : tensor<2x4x3xf32>)
// CHECK: arith.mulf
func.func @add_mul_broadcast(%x: tensor<1x4x5x5xf32>, %c: tensor<4x1x1xf32>, %a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> (tensor<1x4x5x5xf32>, tensor<2x4x3xf32>) {
  %0 = cnn.add %x, %c : (tensor<1x4x5x5xf32>, tensor<4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %1 = cnn.mul %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<2x4x3xf32>
  return %0, %1 : tensor<1x4x5x5xf32>, tensor<2x4x3xf32>
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// Pads are -inf so that they never win. ceil_mode needs one more bottom/right
// row/column than the explicit pads (6 -> 3 windows of 3 at stride 2 read 7).
// CHECK-LABEL: func.func @max_pool_ceil_mode
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x6x6xf32>)
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEGINF]] : f32
// CHECK: } : tensor<1x2x6x6xf32> to tensor<1x2x7x7xf32>
// CHECK: %[[WIN:.+]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<1x2x3x3xf32>
// CHECK: %[[NEGINF2:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[NEGINF2]] : f32) outs(%[[EMPTY]] : tensor<1x2x3x3xf32>)
// CHECK: %[[R:.+]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %[[WIN]] : tensor<1x2x7x7xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
// CHECK: return %[[R]]
func.func @max_pool_ceil_mode(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = cnn.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// CHECK-LABEL: func.func @max_pool_padded_dilated
// CHECK: tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<1x2x7x7xf32> to tensor<1x2x9x9xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%{{.+}}, %{{.+}} : tensor<1x2x9x9xf32>, tensor<2x2xf32>) outs(%{{.+}} : tensor<1x2x7x7xf32>)
func.func @max_pool_padded_dilated(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32> {
  %0 = cnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 2, 2>, ceil_mode = false} : (tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// A zero-padded sum pool times a constant of 1 / (window count) per output
// position. Without count_include_pad the first window along each dim sees
// 2 inputs, the second 3: 1/4, 1/6, 1/6, 1/9.
// CHECK-LABEL: func.func @avg_pool_exclude_pad
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PAD:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: %[[WIN:.+]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[INIT:.+]] = linalg.fill
// CHECK: %[[SUM:.+]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %[[WIN]] : tensor<1x2x6x6xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x2x2x2xf32>)
// CHECK: %[[RECIP:.+]] = arith.constant dense<{{\[}}[2.500000e-01, 0.166666672], [0.166666672, 0.111111112]]> : tensor<2x2xf32>
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$HW]], #[[$ID4]]], {{.+}}} ins(%[[SUM]], %[[RECIP]] : tensor<1x2x2x2xf32>, tensor<2x2xf32>)
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32, %[[C:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[AVG:.+]] = arith.mulf %[[S]], %[[C]] : f32
// CHECK-NEXT: linalg.yield %[[AVG]] : f32
// CHECK: return %[[R]]
func.func @avg_pool_exclude_pad(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %0 = cnn.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// With count_include_pad every window of the same op counts 9.
// CHECK-LABEL: func.func @avg_pool_include_pad
// CHECK: linalg.pooling_nchw_sum
// CHECK: %[[RECIP:.+]] = arith.constant dense<0.111111112> : tensor<2x2xf32>
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %[[RECIP]] : tensor<1x2x2x2xf32>, tensor<2x2xf32>)
func.func @avg_pool_include_pad(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %0 = cnn.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = false, count_include_pad = true} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// ceil_mode adds a fourth window that reaches past the explicit pad: the
// input is padded to 9, but the count includes only the explicit pad (2 of
// the last window's 3 positions).
// CHECK-LABEL: func.func @avg_pool_ceil_mode_include_pad
// CHECK: tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: } : tensor<1x1x6x6xf32> to tensor<1x1x9x9xf32>
// CHECK: linalg.pooling_nchw_sum
// CHECK-SAME: outs(%{{.+}} : tensor<1x1x4x4xf32>)
// CHECK: arith.constant dense<{{\[}}[0.111111112, 0.111111112, 0.111111112, 0.166666672], [0.111111112, 0.111111112, 0.111111112, 0.166666672], [0.111111112, 0.111111112, 0.111111112, 0.166666672], [0.166666672, 0.166666672, 0.166666672, 2.500000e-01]]> : tensor<4x4xf32>
func.func @avg_pool_ceil_mode_include_pad(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x4x4xf32> {
  %0 = cnn.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true, count_include_pad = true} : (tensor<1x1x6x6xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// A reduction generic over H and W into [N, C, 1, 1], then 1 / (7 * 5).
// CHECK-LABEL: func.func @global_avg_pool
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x7x5xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<1x8x1x1xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$NC11]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<1x8x7x5xf32>) outs(%[[INIT]] : tensor<1x8x1x1xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT: %[[ADD:.+]] = arith.addf %[[IN]], %[[ACC]] : f32
// CHECK-NEXT: linalg.yield %[[ADD]] : f32
// CHECK: linalg.generic {{.+}} ins(%[[SUM]] : tensor<1x8x1x1xf32>)
// CHECK: arith.constant 0.0285714287 : f32
// CHECK: arith.mulf
func.func @global_avg_pool(%x: tensor<1x8x7x5xf32>) -> tensor<1x8x1x1xf32> {
  %0 = cnn.global_avg_pool %x : (tensor<1x8x7x5xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// CHECK-LABEL: func.func @global_max_pool
// CHECK-SAME: (%[[X:.+]]: tensor<2x8x7x7xf32>)
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.+}} : tensor<2x8x1x1xf32>)
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$NC11]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<2x8x7x7xf32>) outs(%[[INIT]] : tensor<2x8x1x1xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT: %[[MAX:.+]] = arith.maximumf %[[IN]], %[[ACC]] : f32
// CHECK-NEXT: linalg.yield %[[MAX]] : f32
// CHECK: return %[[R]]
func.func @global_max_pool(%x: tensor<2x8x7x7xf32>) -> tensor<2x8x1x1xf32> {
  %0 = cnn.global_max_pool %x : (tensor<2x8x7x7xf32>) -> tensor<2x8x1x1xf32>
  return %0 : tensor<2x8x1x1xf32>
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.+]]: tensor<1x2x4x4xf32>, %[[B:.+]]: tensor<1x3x4x4xf32>, %[[C:.+]]: tensor<1x1x4x4xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<1x6x4x4xf32>
// CHECK: %[[S0:.+]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0, 0] [1, 2, 4, 4] [1, 1, 1, 1] : tensor<1x2x4x4xf32> into tensor<1x6x4x4xf32>
// CHECK: %[[S1:.+]] = tensor.insert_slice %[[B]] into %[[S0]][0, 2, 0, 0] [1, 3, 4, 4] [1, 1, 1, 1] : tensor<1x3x4x4xf32> into tensor<1x6x4x4xf32>
// CHECK: %[[S2:.+]] = tensor.insert_slice %[[C]] into %[[S1]][0, 5, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1] : tensor<1x1x4x4xf32> into tensor<1x6x4x4xf32>
// CHECK: return %[[S2]]
func.func @concat(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x4xf32>, %c: tensor<1x1x4x4xf32>) -> tensor<1x6x4x4xf32> {
  %0 = cnn.concat %a, %b, %c {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// Every reshape is a collapse to 1-D and an expand; 1-D sides skip theirs.
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x1x1xf32>, %[[Y:.+]]: tensor<6xf32>, %[[Z:.+]]: tensor<2x3xf32>)
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2, 3]] : tensor<1x8x1x1xf32> into tensor<8xf32>
// CHECK: %[[E:.+]] = tensor.expand_shape %[[C]] {{\[}}[0, 1]] output_shape [1, 8] : tensor<8xf32> into tensor<1x8xf32>
// CHECK-NOT: tensor.collapse_shape %[[Y]]
// CHECK: %[[EY:.+]] = tensor.expand_shape %[[Y]] {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// CHECK: %[[CZ:.+]] = tensor.collapse_shape %[[Z]] {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[E]], %[[EY]], %[[CZ]]
func.func @reshape(%x: tensor<1x8x1x1xf32>, %y: tensor<6xf32>, %z: tensor<2x3xf32>) -> (tensor<1x8xf32>, tensor<3x2xf32>, tensor<6xf32>) {
  %0 = cnn.reshape %x : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  %1 = cnn.reshape %y : (tensor<6xf32>) -> tensor<3x2xf32>
  %2 = cnn.reshape %z : (tensor<2x3xf32>) -> tensor<6xf32>
  return %0, %1, %2 : tensor<1x8xf32>, tensor<3x2xf32>, tensor<6xf32>
}

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

// trans_b uses the transposed-B matmul directly; C (beta = 1) broadcast over
// the rows is the accumulator.
// CHECK-LABEL: func.func @gemm_trans_b_bias
// CHECK-SAME: (%[[A:.+]]: tensor<1x8xf32>, %[[B:.+]]: tensor<10x8xf32>, %[[C:.+]]: tensor<10xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[$COL]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[C]] : tensor<10xf32>) outs(%{{.+}} : tensor<1x10xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK: %[[R:.+]] = linalg.matmul_transpose_b ins(%[[A]], %[[B]] : tensor<1x8xf32>, tensor<10x8xf32>) outs(%[[INIT]] : tensor<1x10xf32>) -> tensor<1x10xf32>
// CHECK: return %[[R]]
func.func @gemm_trans_b_bias(%a: tensor<1x8xf32>, %b: tensor<10x8xf32>, %c: tensor<10xf32>) -> tensor<1x10xf32> {
  %0 = cnn.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  return %0 : tensor<1x10xf32>
}

// trans_a transposes A, alpha scales it, beta scales C.
// CHECK-LABEL: func.func @gemm_trans_a_alpha_beta
// CHECK-SAME: (%[[A:.+]]: tensor<8x2xf32>, %[[B:.+]]: tensor<8x5xf32>, %[[C:.+]]: tensor<2x5xf32>)
// CHECK: %[[AT:.+]] = linalg.transpose ins(%[[A]] : tensor<8x2xf32>) outs(%{{.+}} : tensor<2x8xf32>) permutation = [1, 0]
// CHECK: %[[AS:.+]] = linalg.generic {{.+}} ins(%[[AT]] : tensor<2x8xf32>)
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: arith.mulf
// CHECK: %[[CS:.+]] = linalg.generic {{.+}} ins(%[[C]] : tensor<2x5xf32>)
// CHECK: arith.constant 2.000000e+00 : f32
// CHECK: arith.mulf
// CHECK: %[[R:.+]] = linalg.matmul ins(%[[AS]], %[[B]] : tensor<2x8xf32>, tensor<8x5xf32>) outs(%[[CS]] : tensor<2x5xf32>)
// CHECK: return %[[R]]
func.func @gemm_trans_a_alpha_beta(%a: tensor<8x2xf32>, %b: tensor<8x5xf32>, %c: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = cnn.gemm %a, %b, %c {alpha = 0.5 : f32, beta = 2.0 : f32, trans_a = true, trans_b = false} : (tensor<8x2xf32>, tensor<8x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// Without C the accumulator is zero.
// CHECK-LABEL: func.func @gemm_no_c
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<3x4xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x4xf32>)
// CHECK: linalg.matmul ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
func.func @gemm_no_c(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = cnn.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<3x4xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x4xf32>)
// CHECK: %[[R:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[R]]
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = cnn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
