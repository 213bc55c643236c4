// RUN: cnnc-opt %s --split-input-file --cnnc-cpu-group-tiling --cnnc-cpu-conv-kernels --canonicalize | FileCheck %s

// A depthwise conv, a ReLU and the spatial sum of its result (the pool of
// a squeeze-excite, which the activation also feeds): each channel of the
// tile keeps a vector of partial sums of the values it stores through its
// rows, reduced into the [N, C] sums once per channel tile. The sum's
// reduction over the stored tensor is gone.
// CHECK-LABEL: func @depthwise_relu_sum
// CHECK:       %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x2xf32>)
// CHECK:       %{{.+}}:3 = scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %[[VZERO:.+]], %{{.+}} = %[[VZERO]]) -> (tensor<1x2x16x16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-18: vector.fma
// CHECK:       arith.maximumf {{.+}} : vector<16xf32>
// CHECK:       vector.transfer_write
// CHECK:       arith.addf {{.+}} : vector<16xf32>
// CHECK:       vector.reduction <add>, {{.+}} : vector<16xf32> into f32
// CHECK:       tensor.insert {{.+}} into %[[ZERO]]
// CHECK:       vector.reduction <add>, {{.+}} : vector<16xf32> into f32
// CHECK:       tensor.insert {{.+}} : tensor<1x2xf32>
// CHECK-NOT:   linalg.generic
// CHECK:       return
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#nc = affine_map<(n, c, h, w) -> (n, c)>
func.func @depthwise_relu_sum(%x: tensor<1x2x18x18xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x16x16xf32>) -> (tensor<1x2x16x16xf32>, tensor<1x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x18x18xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  %e = tensor.empty() : tensor<1x2x16x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x2x16x16xf32>) outs(%e : tensor<1x2x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x16x16xf32>
  %se = tensor.empty() : tensor<1x2xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%se : tensor<1x2xf32>) -> tensor<1x2xf32>
  %s = linalg.generic {indexing_maps = [#id, #nc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%a : tensor<1x2x16x16xf32>) outs(%s0 : tensor<1x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<1x2xf32>
  return %a, %s : tensor<1x2x16x16xf32>, tensor<1x2xf32>
}

// -----

// Rows of 7 in vectors of 8: the lane past the row is masked out of the
// sum. The sum starts from a tensor defined before the conv, not zero.
// CHECK-LABEL: func @narrow_sum_from
// CHECK-SAME:  %[[FROM:[^:]+]]: tensor<1x2xf32>
// CHECK:       vector.{{create_mask|constant_mask}} {{.+}} : vector<8xi1>
// CHECK:       vector.transfer_write
// CHECK:       arith.select %{{.+}} : vector<8xi1>, vector<8xf32>
// CHECK:       vector.reduction <add>
// CHECK:       tensor.extract %[[FROM]]
// CHECK-NOT:   linalg.generic
// CHECK:       return
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#nc = affine_map<(n, c, h, w) -> (n, c)>
func.func @narrow_sum_from(%x: tensor<1x2x9x9xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x7x7xf32>, %from: tensor<1x2xf32>) -> (tensor<1x2x7x7xf32>, tensor<1x2xf32>) {
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x9x9xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  %s = linalg.generic {indexing_maps = [#id, #nc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%c : tensor<1x2x7x7xf32>) outs(%from : tensor<1x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %out, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x2xf32>
  return %c, %s : tensor<1x2x7x7xf32>, tensor<1x2xf32>
}

// -----

// The ReLU feeds only the sum, and the conv's result is also read raw (the
// element-wise fusion has copied the ReLU into that other user): the kernel
// stores the raw values, sums their ReLU, and neither the ReLU's generic
// nor the reduction remains.
// CHECK-LABEL: func @relu_copied
// CHECK:       vector.transfer_write %[[RAW:[^,]+]],
// CHECK-NEXT:  %[[ACT:.+]] = arith.maximumf %[[RAW]], %{{.+}} : vector<16xf32>
// CHECK-NEXT:  arith.addf %{{.+}}, %[[ACT]] : vector<16xf32>
// CHECK:       vector.reduction <add>
// CHECK:       linalg.generic
// CHECK-NOT:   iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK:       return
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#nc = affine_map<(n, c, h, w) -> (n, c)>
func.func @relu_copied(%x: tensor<1x2x18x18xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x16x16xf32>) -> (tensor<1x2x16x16xf32>, tensor<1x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x18x18xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  %e = tensor.empty() : tensor<1x2x16x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x2x16x16xf32>) outs(%e : tensor<1x2x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x16x16xf32>
  %se = tensor.empty() : tensor<1x2xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%se : tensor<1x2xf32>) -> tensor<1x2xf32>
  %s = linalg.generic {indexing_maps = [#id, #nc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%a : tensor<1x2x16x16xf32>) outs(%s0 : tensor<1x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<1x2xf32>
  %e2 = tensor.empty() : tensor<1x2x16x16xf32>
  %m = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x2x16x16xf32>) outs(%e2 : tensor<1x2x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    %t = arith.mulf %r, %r : f32
    linalg.yield %t : f32
  } -> tensor<1x2x16x16xf32>
  return %m, %s : tensor<1x2x16x16xf32>, tensor<1x2xf32>
}

// -----

// The ReLU between the conv and the sum has another reader: it and the
// sum stay as they are.
// CHECK-LABEL: func @relu_read_twice
// CHECK-NOT:   vector.reduction
// CHECK:       linalg.generic
// CHECK:       arith.maximumf
// CHECK:       linalg.generic
// CHECK-SAME:  iterator_types = ["parallel", "parallel", "reduction", "reduction"]
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#nc = affine_map<(n, c, h, w) -> (n, c)>
func.func @relu_read_twice(%x: tensor<1x2x18x18xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x16x16xf32>) -> (tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x18x18xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  %e = tensor.empty() : tensor<1x2x16x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x2x16x16xf32>) outs(%e : tensor<1x2x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x2x16x16xf32>
  %se = tensor.empty() : tensor<1x2xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%se : tensor<1x2xf32>) -> tensor<1x2xf32>
  %s = linalg.generic {indexing_maps = [#id, #nc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%a : tensor<1x2x16x16xf32>) outs(%s0 : tensor<1x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<1x2xf32>
  return %c, %a, %s : tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2xf32>
}

// -----

// Not a spatial sum: a sum over H only and a max over H and W stay
// reductions of the stored result; the kernel carries no sums.
// CHECK-LABEL: func @other_reductions
// CHECK-NOT:   vector.reduction
// CHECK:       linalg.generic
// CHECK-SAME:  iterator_types = ["parallel", "parallel", "reduction", "parallel"]
// CHECK:       linalg.generic
// CHECK:       arith.maximumf
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ncw = affine_map<(n, c, h, w) -> (n, c, w)>
#nc = affine_map<(n, c, h, w) -> (n, c)>
func.func @other_reductions(%x: tensor<1x2x18x18xf32>, %w: tensor<2x3x3xf32>, %init: tensor<1x2x16x16xf32>, %rows: tensor<1x2x16xf32>, %max: tensor<1x2xf32>) -> (tensor<1x2x16xf32>, tensor<1x2xf32>) {
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x2x18x18xf32>, tensor<2x3x3xf32>) outs(%init : tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  %s = linalg.generic {indexing_maps = [#id, #ncw], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%c : tensor<1x2x16x16xf32>) outs(%rows : tensor<1x2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<1x2x16xf32>
  %m = linalg.generic {indexing_maps = [#id, #nc], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%c : tensor<1x2x16x16xf32>) outs(%max : tensor<1x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %out : f32
    linalg.yield %r : f32
  } -> tensor<1x2xf32>
  return %s, %m : tensor<1x2x16xf32>, tensor<1x2xf32>
}

// -----

// A squeeze-excite after a depthwise conv with a ReLU, lowered from cnn
// (the fusion copies the ReLU into the scaling): the pool of the ReLU is
// the kernel's; only its scaling by 1/(H*W) remains.
// RUN: cnnc-opt %s --split-input-file --convert-cnn-to-linalg --cnnc-fuse-elementwise --canonicalize --cnnc-cpu-group-tiling --cnnc-cpu-conv-kernels --canonicalize | FileCheck %s --check-prefix=SE
// SE-LABEL: func @depthwise_se
// SE:       arith.constant 3.906250e-03 : f32
// SE:       arith.maximumf {{.+}} : vector<16xf32>
// SE:       vector.reduction <add>
// SE-NOT:   iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// SE:       arith.mulf %{{.+}}, %{{.+}} : f32
// SE:       return
func.func @depthwise_se(%x: tensor<1x4x16x16xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>, %w1: tensor<2x4xf32>, %b1: tensor<2xf32>, %w2: tensor<4x2xf32>, %b2: tensor<4xf32>) -> tensor<1x4x16x16xf32> {
  %c = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 4 : i64, activation = "relu"} : (tensor<1x4x16x16xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
  %s = cnn.squeeze_excite %c, %w1, %b1, %w2, %b2 {activation = "relu", gate = "sigmoid"} : (tensor<1x4x16x16xf32>, tensor<2x4xf32>, tensor<2xf32>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
  return %s : tensor<1x4x16x16xf32>
}
