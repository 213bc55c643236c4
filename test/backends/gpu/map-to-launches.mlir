// The plain mapping: one output per invocation, no workgroup-memory tiles
// (map-to-launches-channels.mlir and map-to-launches-matmul.mlir check those).
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches="channels-per-invocation=1 tile-matmuls=false" --split-input-file | FileCheck %s
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches="fuse=false channels-per-invocation=1 tile-matmuls=false" --split-input-file | FileCheck %s --check-prefix=NOFUSE
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches="block-size=32 channels-per-invocation=1 tile-matmuls=false" --split-input-file | FileCheck %s --check-prefix=B32

// --cnnc-gpu-map-to-launches on bufferized IR written the way the GPU
// pipeline leaves it (one memref.alloc per buffer, linalg ops on memrefs).
// Every top-level linalg op becomes one gpu.launch whose `cnnc.gpu_map`
// records the mapping: for ops with reduction loops the loop indexing
// output dim 1 (channel, group, depthwise channel) goes to grid y; the
// other parallel loops are flattened over x (`block` invocations, a power
// of two, per workgroup). Fused producers (bias broadcast), consumers
// (epilogue, copy) and padding (fill + copy) disappear as ops.

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A one-group conv with its bias broadcast before it and a relu after it:
// one launch. Grid y = the 8 output channels (loop 1); x flattens n, oh, ow
// (1 * 8 * 8 = 64 points, one workgroup of 64). The accumulator starts from
// the bias in a register, the relu is applied before the single store into
// the output, and the conv's own buffer is not stored (consumer-only).
// CHECK-LABEL: func.func @conv_bias_relu
// CHECK-SAME:    (%[[X:.+]]: memref<1x3x10x10xf32>, %[[W:.+]]: memref<8x3x3x3xf32>, %[[B:.+]]: memref<8xf32>, %[[Y:.+]]: memref<1x8x8x8xf32>)
// CHECK:         %[[ACC:.+]] = memref.alloc()
// CHECK-NOT:     linalg.
// CHECK:         gpu.launch
// CHECK:           %[[BIAS:.+]] = memref.load %[[B]][%{{.+}}] : memref<8xf32>
// CHECK:           %[[SUM:.+]] = scf.for {{.*}} iter_args(%{{.+}} = %[[BIAS]]) -> (f32)
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK:                 memref.load %[[X]]
// CHECK:                 memref.load %[[W]]
// CHECK:                 arith.mulf
// CHECK:                 arith.addf
// CHECK:           %[[RELU:.+]] = arith.maximumf %[[SUM]], %{{.+}} : f32
// CHECK-NOT:       memref.store {{.*}}%[[ACC]]
// CHECK:           memref.store %[[RELU]], %[[Y]][
// CHECK-NOT:       memref.store
// CHECK:           gpu.terminator
// CHECK-NEXT:    } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = ["producer", "consumer-only"], grid = array<i64: 1, 8, 1>, points = 64 : i64, x_loops = array<i64: 0, 2, 3>, y_loop = 1 : i64}}
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     linalg.
// CHECK:         return

// Without fusion: three launches, nothing fused; the conv reads its
// accumulator back from the buffer the broadcast wrote.
// NOFUSE-LABEL: func.func @conv_bias_relu
// NOFUSE:         gpu.launch
// NOFUSE:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 8, 1, 1>, points = 512 : i64, x_loops = array<i64: 0, 1, 2, 3>, y_loop = -1 : i64}}
// NOFUSE:         gpu.launch
// NOFUSE:           memref.load %{{.+}} : memref<1x8x8x8xf32>
// NOFUSE:           scf.for
// NOFUSE:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 1, 8, 1>, points = 64 : i64, x_loops = array<i64: 0, 2, 3>, y_loop = 1 : i64}}
// NOFUSE:         gpu.launch
// NOFUSE:           arith.maximumf
// NOFUSE:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 8, 1, 1>, points = 512 : i64, x_loops = array<i64: 0, 1, 2, 3>, y_loop = -1 : i64}}
// NOFUSE-NOT:     gpu.launch
// NOFUSE-NOT:     linalg.
// NOFUSE:         return
func.func @conv_bias_relu(%x: memref<1x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8xf32>, %y: memref<1x8x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.broadcast ins(%b : memref<8xf32>) outs(%acc : memref<1x8x8x8xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%acc : memref<1x8x8x8xf32>)
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x8x8x8xf32>) outs(%y : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Grouped convolutions (NGCHW): grid y = the group count, so a workgroup
// never straddles two groups; x flattens n, f (per group), oh, ow.
// g = 2, FGCHW filter: 8 filters per group, 8x8 outputs: 512 points.
// CHECK-LABEL: func.func @grouped_fgchw_g2
// CHECK:         gpu.launch
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 8, 2, 1>, points = 512 : i64, x_loops = array<i64: 0, 2, 3, 4>, y_loop = 1 : i64}}
// CHECK-NOT:     linalg.
// The block size option: 32 invocations per workgroup, twice the workgroups.
// B32-LABEL: func.func @grouped_fgchw_g2
// B32:         } {cnnc.gpu_map = {block = array<i64: 32, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 16, 2, 1>, points = 512 : i64, x_loops = array<i64: 0, 2, 3, 4>, y_loop = 1 : i64}}
func.func @grouped_fgchw_g2(%x: memref<1x2x4x10x10xf32>, %w: memref<8x2x4x3x3xf32>, %y: memref<1x2x8x8x8xf32>) {
  linalg.conv_2d_ngchw_fgchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x2x4x10x10xf32>, memref<8x2x4x3x3xf32>) outs(%y : memref<1x2x8x8x8xf32>)
  return
}

// -----

// g = 8, FGCHW: 4 filters per group, 4x4 outputs: 64 points per group.
// CHECK-LABEL: func.func @grouped_fgchw_g8
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 1, 8, 1>, points = 64 : i64, x_loops = array<i64: 0, 2, 3, 4>, y_loop = 1 : i64}}
func.func @grouped_fgchw_g8(%x: memref<1x8x2x6x6xf32>, %w: memref<4x8x2x3x3xf32>, %y: memref<1x8x4x4x4xf32>) {
  linalg.conv_2d_ngchw_fgchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x8x2x6x6xf32>, memref<4x8x2x3x3xf32>) outs(%y : memref<1x8x4x4x4xf32>)
  return
}

// -----

// g = 32, GFCHW (the filter layout backends/common emits), stride 2:
// 2 filters per group, 4x4 outputs: 32 points, a workgroup of 32.
// CHECK-LABEL: func.func @grouped_gfchw_g32
// CHECK:         gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c1{{(_[0-9]+)?}}, %{{.+}} = %c32{{(_[0-9]+)?}}, %{{.+}} = %c1{{(_[0-9]+)?}}) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c32{{(_[0-9]+)?}},
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 32, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 1, 32, 1>, points = 32 : i64, x_loops = array<i64: 0, 2, 3, 4>, y_loop = 1 : i64}}
func.func @grouped_gfchw_g32(%x: memref<1x32x2x9x9xf32>, %w: memref<32x2x2x3x3xf32>, %y: memref<1x32x2x4x4xf32>) {
  linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : memref<1x32x2x9x9xf32>, memref<32x2x2x3x3xf32>) outs(%y : memref<1x32x2x4x4xf32>)
  return
}

// -----

// g = 3 as backends/common lowers it: NCHW buffers viewed as NGCHW through
// expand_shape, the bias broadcast into the 4-d buffer and the relu on the
// 5-d views. The producer and the consumer still fuse through the views:
// grid y = 3 groups, 2 * 8 * 8 = 128 points in x, and the bias is read at
// the output channel recomposed from (group, filter).
// CHECK-LABEL: func.func @grouped_g3_views
// CHECK-SAME:    %[[B:[^:]+]]: memref<6xf32>, %[[Y:[^:]+]]: memref<1x6x8x8xf32>)
// CHECK:         %[[YV:.+]] = memref.expand_shape %[[Y]]
// CHECK-NOT:     linalg.
// CHECK:         gpu.launch
// CHECK:           memref.load %[[B]][%{{.+}}] : memref<6xf32>
// CHECK:           scf.for
// CHECK:           arith.maximumf
// CHECK:           memref.store %{{.+}}, %[[YV]][{{.+}}] : memref<1x3x2x8x8xf32>
// CHECK-NOT:       memref.store
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = ["producer", "consumer-only"], grid = array<i64: 2, 3, 1>, points = 128 : i64, x_loops = array<i64: 0, 2, 3, 4>, y_loop = 1 : i64}}
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     linalg.
func.func @grouped_g3_views(%x: memref<1x6x10x10xf32>, %w: memref<6x2x3x3xf32>, %b: memref<6xf32>, %y: memref<1x6x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x6x8x8xf32>
  linalg.broadcast ins(%b : memref<6xf32>) outs(%acc : memref<1x6x8x8xf32>) dimensions = [0, 2, 3]
  %xv = memref.expand_shape %x [[0], [1, 2], [3], [4]] output_shape [1, 3, 2, 10, 10] : memref<1x6x10x10xf32> into memref<1x3x2x10x10xf32>
  %wv = memref.expand_shape %w [[0, 1], [2], [3], [4]] output_shape [3, 2, 2, 3, 3] : memref<6x2x3x3xf32> into memref<3x2x2x3x3xf32>
  %accv = memref.expand_shape %acc [[0], [1, 2], [3], [4]] output_shape [1, 3, 2, 8, 8] : memref<1x6x8x8xf32> into memref<1x3x2x8x8xf32>
  linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%xv, %wv : memref<1x3x2x10x10xf32>, memref<3x2x2x3x3xf32>) outs(%accv : memref<1x3x2x8x8xf32>)
  %yv = memref.expand_shape %y [[0], [1, 2], [3], [4]] output_shape [1, 3, 2, 8, 8] : memref<1x6x8x8xf32> into memref<1x3x2x8x8xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%accv : memref<1x3x2x8x8xf32>) outs(%yv : memref<1x3x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Depthwise (g = C = 16): the channel loop is loop 3 of
// depthwise_conv_2d_nchw_chw (n, oh, ow, c, kh, kw); it goes to grid y.
// CHECK-LABEL: func.func @depthwise
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 1, 16, 1>, points = 64 : i64, x_loops = array<i64: 0, 1, 2>, y_loop = 3 : i64}}
func.func @depthwise(%x: memref<1x16x10x10xf32>, %w: memref<16x3x3xf32>, %y: memref<1x16x8x8xf32>) {
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x16x10x10xf32>, memref<16x3x3xf32>) outs(%y : memref<1x16x8x8xf32>)
  return
}

// -----

// The grouped pointwise form [N, G, F/G, P] (ShuffleNet g = 3): the group
// loop goes to grid y; x flattens n, the 16 filters of a group and the 16
// pixels. The reduction over the group's 8 input channels runs in one
// scf.for carrying the accumulator, loaded once from the output.
// CHECK-LABEL: func.func @grouped_pointwise
// CHECK-SAME:    %[[Y:[^:]+]]: memref<1x3x16x16xf32>)
// CHECK:         gpu.launch
// CHECK:           %[[INIT:.+]] = memref.load %[[Y]]
// CHECK:           %[[R:.+]] = scf.for %{{.+}} = %c0{{.*}} to %c8{{.*}} step %c1{{.*}} iter_args(%{{.+}} = %[[INIT]]) -> (f32)
// CHECK-NOT:         memref.store
// CHECK:           memref.store %[[R]], %[[Y]]
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 4, 3, 1>, points = 256 : i64, x_loops = array<i64: 0, 2, 3>, y_loop = 1 : i64}}
func.func @grouped_pointwise(%x: memref<1x3x8x16xf32>, %w: memref<3x16x8xf32>, %y: memref<1x3x16x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : memref<1x3x8x16xf32>, memref<3x16x8xf32>) outs(%y : memref<1x3x16x16xf32>) {
  ^bb0(%i: f32, %j: f32, %out: f32):
    %m = arith.mulf %i, %j : f32
    %r = arith.addf %out, %m : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A max pool: a reduction over the window, so the channel goes to grid y;
// 4x4 outputs per channel give a workgroup of 16 (no larger than the work).
// CHECK-LABEL: func.func @pool
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 16, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 1, 16, 1>, points = 16 : i64, x_loops = array<i64: 0, 2, 3>, y_loop = 1 : i64}}
func.func @pool(%x: memref<1x16x10x10xf32>, %y: memref<1x16x4x4xf32>) {
  %k = memref.alloc() : memref<3x3xf32>
  linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %k : memref<1x16x10x10xf32>, memref<3x3xf32>) outs(%y : memref<1x16x4x4xf32>)
  return
}

// -----

// A matrix product has no output dim 1 of a rank >= 3 result: no y loop,
// both parallel loops flattened over x.
// CHECK-LABEL: func.func @matmul
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 1, 1, 1>, points = 64 : i64, x_loops = array<i64: 0, 1>, y_loop = -1 : i64}}
func.func @matmul(%a: memref<8x16xf32>, %b: memref<16x8xf32>, %c: memref<8x8xf32>) {
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x8xf32>) outs(%c : memref<8x8xf32>)
  return
}

// -----

// 6x6 = 36 points: the invocations past the work are guarded off.
// (The block size is not pinned here: the code takes the next power of two,
// 64, which is larger than the work; see the report on Passes.td's "a power
// of two no larger than the work".)
// CHECK-LABEL: func.func @matmul_36
// CHECK:         gpu.launch
// CHECK:           %[[IN:.+]] = arith.cmpi ult, %{{.+}}, %c36{{.*}} : index
// CHECK:           scf.if %[[IN]] {
// CHECK:         } {cnnc.gpu_map = {block = array<i64: {{[0-9]+}}, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 1, 1, 1>, points = 36 : i64, x_loops = array<i64: 0, 1>, y_loop = -1 : i64}}
func.func @matmul_36(%a: memref<6x8xf32>, %b: memref<8x6xf32>, %c: memref<6x6xf32>) {
  linalg.matmul ins(%a, %b : memref<6x8xf32>, memref<8x6xf32>) outs(%c : memref<6x6xf32>)
  return
}

// -----

// Element-wise: no reduction loops, so no y loop even though output dim 1
// is a channel; all four loops flattened over x, 512 points in 8
// workgroups of 64, no guard (the work divides evenly).
// CHECK-LABEL: func.func @eltwise
// CHECK:         gpu.launch
// CHECK-NOT:       scf.if
// CHECK:           arith.addf
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 8, 1, 1>, points = 512 : i64, x_loops = array<i64: 0, 1, 2, 3>, y_loop = -1 : i64}}
// B32-LABEL: func.func @eltwise
// B32:         } {cnnc.gpu_map = {block = array<i64: 32, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 16, 1, 1>, points = 512 : i64, x_loops = array<i64: 0, 1, 2, 3>, y_loop = -1 : i64}}
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @eltwise(%a: memref<1x8x8x8xf32>, %b: memref<1x8x8x8xf32>, %c: memref<1x8x8x8xf32>) {
  linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a, %b : memref<1x8x8x8xf32>, memref<1x8x8x8xf32>) outs(%c : memref<1x8x8x8xf32>) {
  ^bb0(%i: f32, %j: f32, %out: f32):
    %r = arith.addf %i, %j : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// More workgroups than grid x holds (65535): 4M points in 65536 workgroups
// of 64 spill into grid z, and the linear id folds block z back in.
// CHECK-LABEL: func.func @eltwise_grid_z
// CHECK:         gpu.launch blocks(%[[BX:[^,]+]], %{{[^,]+}}, %[[BZ:[^)]+]]) in
// CHECK:           %[[Z:.+]] = arith.muli %[[BZ]], %c65535{{.*}} : index
// CHECK:           arith.addi %[[Z]], %[[BX]] : index
// CHECK:           arith.cmpi ult, %{{.+}}, %c4194304{{.*}} : index
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 65535, 1, 2>, points = 4194304 : i64, x_loops = array<i64: 0, 1, 2, 3>, y_loop = -1 : i64}}
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @eltwise_grid_z(%a: memref<1x64x256x256xf32>, %c: memref<1x64x256x256xf32>) {
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a : memref<1x64x256x256xf32>) outs(%c : memref<1x64x256x256xf32>) {
  ^bb0(%i: f32, %out: f32):
    %r = arith.negf %i : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Explicit padding as bufferization leaves it (a linalg.map fill of the
// padded buffer, a copy into its interior): the conv reads the copy's
// source where inside the interior and the fill value outside; the padded
// buffer is never read or written in the launch.
// CHECK-LABEL: func.func @conv_padded
// CHECK-SAME:    (%[[X:.+]]: memref<1x3x8x8xf32>, %{{.+}}: memref<4x3x3x3xf32>, %{{.+}}: memref<4xf32>, %[[Y:.+]]: memref<1x4x8x8xf32>)
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[PAD:.+]] = memref.alloc() {{.*}} : memref<1x3x10x10xf32>
// CHECK-NOT:     linalg.
// CHECK:         gpu.launch
// CHECK:           scf.for
// CHECK:             %[[V:.+]] = scf.if %{{.+}} -> (f32) {
// CHECK-NEXT:          %[[L:.+]] = memref.load %[[X]][{{.+}}] : memref<1x3x8x8xf32>
// CHECK-NEXT:          scf.yield %[[L]] : f32
// CHECK-NEXT:        } else {
// CHECK-NEXT:          scf.yield %[[ZERO]] : f32
// CHECK-NEXT:        }
// CHECK-NOT:       %[[PAD]]
// CHECK:           memref.store %{{.+}}, %[[Y]]
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = ["producer", "padding", "consumer-only"], grid = array<i64: 1, 4, 1>, points = 64 : i64, x_loops = array<i64: 0, 2, 3>, y_loop = 1 : i64}}
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     linalg.
// CHECK:         return
// Without fusion the fill and the copy are launches of their own (five).
// NOFUSE-LABEL: func.func @conv_padded
// NOFUSE-COUNT-5: gpu.launch
// NOFUSE-NOT:     gpu.launch
// NOFUSE:         return
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @conv_padded(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %b: memref<4xf32>, %y: memref<1x4x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %pad = memref.alloc() {alignment = 64 : i64} : memref<1x3x10x10xf32>
  linalg.map outs(%pad : memref<1x3x10x10xf32>)
    () {
      linalg.yield %cst : f32
    }
  %sub = memref.subview %pad[0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1] : memref<1x3x10x10xf32> to memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  linalg.copy ins(%x : memref<1x3x8x8xf32>) outs(%sub : memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>)
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x4x8x8xf32>
  linalg.broadcast ins(%b : memref<4xf32>) outs(%acc : memref<1x4x8x8xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%pad, %w : memref<1x3x10x10xf32>, memref<4x3x3x3xf32>) outs(%acc : memref<1x4x8x8xf32>)
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x4x8x8xf32>) outs(%y : memref<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A depthwise conv padded by linalg.fill with -1.0 (any fill value counts)
// and a copy at an asymmetric offset: the interior test subtracts the
// copy's offsets (0, 0, 2, 1) and compares with its sizes (1, 4, 6, 7).
// CHECK-LABEL: func.func @depthwise_padded_fill
// CHECK-SAME:    (%[[X:.+]]: memref<1x4x6x7xf32>
// CHECK:         %[[M1:.+]] = arith.constant -1.000000e+00 : f32
// CHECK:         gpu.launch
// CHECK:           arith.subi %{{.+}}, %c2{{.*}} : index
// CHECK:           arith.cmpi ult, %{{.+}}, %c6{{.*}} : index
// CHECK:           arith.subi %{{.+}}, %c1{{.*}} : index
// CHECK:           arith.cmpi ult, %{{.+}}, %c7{{.*}} : index
// CHECK:           scf.if
// CHECK-NEXT:        memref.load %[[X]]
// CHECK:           } else {
// CHECK-NEXT:        scf.yield %[[M1]] : f32
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = ["padding"], grid = array<i64: 1, 4, 1>, points = 64 : i64, x_loops = array<i64: 0, 1, 2>, y_loop = 3 : i64}}
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     linalg.
func.func @depthwise_padded_fill(%x: memref<1x4x6x7xf32>, %w: memref<4x3x3xf32>, %y: memref<1x4x8x8xf32>) {
  %m1 = arith.constant -1.000000e+00 : f32
  %pad = memref.alloc() {alignment = 64 : i64} : memref<1x4x10x10xf32>
  linalg.fill ins(%m1 : f32) outs(%pad : memref<1x4x10x10xf32>)
  %sub = memref.subview %pad[0, 0, 2, 1] [1, 4, 6, 7] [1, 1, 1, 1] : memref<1x4x10x10xf32> to memref<1x4x6x7xf32, strided<[400, 100, 10, 1], offset: 21>>
  linalg.copy ins(%x : memref<1x4x6x7xf32>) outs(%sub : memref<1x4x6x7xf32, strided<[400, 100, 10, 1], offset: 21>>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%pad, %w : memref<1x4x10x10xf32>, memref<4x3x3xf32>) outs(%y : memref<1x4x8x8xf32>)
  return
}

// -----

// The consumer is a copy into a concatenation's channel slice: the conv's
// result goes straight into the slice (a strided subview), not into its
// own buffer.
// CHECK-LABEL: func.func @conv_into_concat_slice
// CHECK-SAME:    %[[Y:[^:]+]]: memref<1x16x8x8xf32>)
// CHECK:         %[[ACC:.+]] = memref.alloc()
// CHECK:         %[[SLICE:.+]] = memref.subview %[[Y]][0, 8, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1]
// CHECK:         gpu.launch
// CHECK-NOT:       memref.store {{.*}}%[[ACC]]
// CHECK:           memref.store %{{.+}}, %[[SLICE]][{{.+}}] : memref<1x8x8x8xf32, strided<[1024, 64, 8, 1], offset: 512>>
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = ["producer", "consumer-only"], grid = array<i64: 1, 8, 1>, points = 64 : i64, x_loops = array<i64: 0, 2, 3>, y_loop = 1 : i64}}
// CHECK-NOT:     linalg.
func.func @conv_into_concat_slice(%x: memref<1x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8xf32>, %y: memref<1x16x8x8xf32>) {
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.broadcast ins(%b : memref<8xf32>) outs(%acc : memref<1x8x8x8xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%acc : memref<1x8x8x8xf32>)
  %slice = memref.subview %y[0, 8, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x16x8x8xf32> to memref<1x8x8x8xf32, strided<[1024, 64, 8, 1], offset: 512>>
  linalg.copy ins(%acc : memref<1x8x8x8xf32>) outs(%slice : memref<1x8x8x8xf32, strided<[1024, 64, 8, 1], offset: 512>>)
  return
}

// -----

// The conv's buffer is read again after its epilogue (a residual add
// further on): the epilogue fuses, but the conv's own result is still
// stored ("consumer", not "consumer-only"); the add is a launch of its own.
// CHECK-LABEL: func.func @consumer_result_still_read
// CHECK-SAME:    %[[Y:[^:]+]]: memref<1x8x8x8xf32>, %[[Z:[^:]+]]: memref<1x8x8x8xf32>)
// CHECK:         %[[ACC:.+]] = memref.alloc()
// CHECK:         gpu.launch
// CHECK:           %[[S:.+]] = scf.for
// CHECK:           memref.store %[[S]], %[[ACC]][
// CHECK:           %[[R:.+]] = arith.maximumf %[[S]]
// CHECK:           memref.store %[[R]], %[[Y]][
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = ["producer", "consumer"], grid = array<i64: 1, 8, 1>, points = 64 : i64, x_loops = array<i64: 0, 2, 3>, y_loop = 1 : i64}}
// CHECK:         gpu.launch
// CHECK:           memref.load %[[ACC]]
// CHECK:           memref.load %[[Y]]
// CHECK:           arith.addf
// CHECK:           memref.store %{{.+}}, %[[Z]][
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 8, 1, 1>, points = 512 : i64, x_loops = array<i64: 0, 1, 2, 3>, y_loop = -1 : i64}}
// CHECK-NOT:     linalg.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @consumer_result_still_read(%x: memref<1x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8xf32>, %y: memref<1x8x8x8xf32>, %z: memref<1x8x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.broadcast ins(%b : memref<8xf32>) outs(%acc : memref<1x8x8x8xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%acc : memref<1x8x8x8xf32>)
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x8x8x8xf32>) outs(%y : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc, %y : memref<1x8x8x8xf32>, memref<1x8x8x8xf32>) outs(%z : memref<1x8x8x8xf32>) {
  ^bb0(%i: f32, %j: f32, %out: f32):
    %s = arith.addf %i, %j : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// An epilogue in place (relu from and into the conv's buffer) overwrites
// the result: one store, of the relu, into that buffer (consumer-only).
// The negation reading it after that is not adjacent to the conv: a launch
// of its own.
// CHECK-LABEL: func.func @consumer_in_place
// CHECK:         %[[ACC:.+]] = memref.alloc()
// CHECK:         gpu.launch
// CHECK:           %[[S:.+]] = scf.for
// CHECK:           %[[R:.+]] = arith.maximumf %[[S]]
// CHECK-NEXT:      memref.store %[[R]], %[[ACC]][
// CHECK-NEXT:      gpu.terminator
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = ["producer", "consumer-only"], grid = array<i64: 1, 8, 1>, points = 64 : i64, x_loops = array<i64: 0, 2, 3>, y_loop = 1 : i64}}
// CHECK:         gpu.launch
// CHECK:           memref.load %[[ACC]]
// CHECK:           arith.negf
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 8, 1, 1>, points = 512 : i64, x_loops = array<i64: 0, 1, 2, 3>, y_loop = -1 : i64}}
// CHECK-NOT:     linalg.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @consumer_in_place(%x: memref<1x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8xf32>, %y: memref<1x8x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.broadcast ins(%b : memref<8xf32>) outs(%acc : memref<1x8x8x8xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%acc : memref<1x8x8x8xf32>)
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x8x8x8xf32>) outs(%acc : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x8x8x8xf32>) outs(%y : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  }
  return
}

// -----

// NEGATIVE: the op after the conv reads its buffer at another point (a
// transpose of H and W): not fusable point-wise. The bias still fuses; the
// conv stores its result and the transpose is a launch of its own.
// CHECK-LABEL: func.func @no_consumer_transposed
// CHECK:         %[[ACC:.+]] = memref.alloc()
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.+}}, %[[ACC]][
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = ["producer"], grid = array<i64: 1, 8, 1>, points = 64 : i64, x_loops = array<i64: 0, 2, 3>, y_loop = 1 : i64}}
// CHECK:         gpu.launch
// CHECK:           memref.load %[[ACC]]
// CHECK:           arith.maximumf
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 8, 1, 1>, points = 512 : i64, x_loops = array<i64: 0, 1, 2, 3>, y_loop = -1 : i64}}
// CHECK-NOT:     gpu.launch
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#tr = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
func.func @no_consumer_transposed(%x: memref<1x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8xf32>, %y: memref<1x8x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.broadcast ins(%b : memref<8xf32>) outs(%acc : memref<1x8x8x8xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%acc : memref<1x8x8x8xf32>)
  linalg.generic {indexing_maps = [#tr, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x8x8x8xf32>) outs(%y : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// NEGATIVE: the op after the conv reads its buffer at the same point and
// at a transposed one: the second read needs other invocations' results.
// CHECK-LABEL: func.func @no_consumer_second_read
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = ["producer"]
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = []
// CHECK-NOT:     gpu.launch
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#tr = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
func.func @no_consumer_second_read(%x: memref<1x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8xf32>, %y: memref<1x8x8x8xf32>) {
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.broadcast ins(%b : memref<8xf32>) outs(%acc : memref<1x8x8x8xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%acc : memref<1x8x8x8xf32>)
  linalg.generic {indexing_maps = [#id4, #tr, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc, %acc : memref<1x8x8x8xf32>, memref<1x8x8x8xf32>) outs(%y : memref<1x8x8x8xf32>) {
  ^bb0(%i: f32, %j: f32, %out: f32):
    %r = arith.addf %i, %j : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// NEGATIVE: another op lies between the conv and its relu (an unrelated
// element-wise op): the relu is not the conv's neighbour and does not fuse;
// the op in between reads nothing of the conv's and does not fuse either.
// CHECK-LABEL: func.func @no_consumer_op_between
// CHECK:         %[[ACC:.+]] = memref.alloc()
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.+}}, %[[ACC]][
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = ["producer"]
// CHECK:         gpu.launch
// CHECK:           arith.negf
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = []
// CHECK:         gpu.launch
// CHECK:           memref.load %[[ACC]]
// CHECK:           arith.maximumf
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = []
// CHECK-NOT:     gpu.launch
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @no_consumer_op_between(%x: memref<1x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8xf32>, %y: memref<1x8x8x8xf32>, %u: memref<1x8x8x8xf32>, %v: memref<1x8x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.broadcast ins(%b : memref<8xf32>) outs(%acc : memref<1x8x8x8xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%acc : memref<1x8x8x8xf32>)
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%u : memref<1x8x8x8xf32>) outs(%v : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x8x8x8xf32>) outs(%y : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// NEGATIVE: the op between the conv and its relu also reads the conv's
// buffer: it is the adjacent one and fuses (with the result stored, since
// the relu reads it too); the relu stays a launch of its own.
// CHECK-LABEL: func.func @reader_between
// CHECK:         %[[ACC:.+]] = memref.alloc()
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.+}}, %[[ACC]][
// CHECK:           arith.negf
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = ["producer", "consumer"]
// CHECK:         gpu.launch
// CHECK:           memref.load %[[ACC]]
// CHECK:           arith.maximumf
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = []
// CHECK-NOT:     gpu.launch
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @reader_between(%x: memref<1x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %b: memref<8xf32>, %y: memref<1x8x8x8xf32>, %v: memref<1x8x8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.broadcast ins(%b : memref<8xf32>) outs(%acc : memref<1x8x8x8xf32>) dimensions = [0, 2, 3]
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%acc : memref<1x8x8x8xf32>)
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x8x8x8xf32>) outs(%v : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x8x8x8xf32>) outs(%y : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %cst : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// NEGATIVE: the padded buffer is read by a second op too: the padding is
// not fused (the buffer must exist), so the fill and the copy stay
// launches and the conv reads the padded buffer itself.
// CHECK-LABEL: func.func @padded_read_twice
// CHECK:         %[[PAD:.+]] = memref.alloc() {{.*}} : memref<1x3x10x10xf32>
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.+}}, %[[PAD]][
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = []
// CHECK:         gpu.launch
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = []
// CHECK:         gpu.launch
// CHECK-NOT:       scf.if
// CHECK:           memref.load %[[PAD]]
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = [], grid = array<i64: 1, 4, 1>, points = 64 : i64, x_loops = array<i64: 0, 2, 3>, y_loop = 1 : i64}}
// CHECK:         gpu.launch
// CHECK:           memref.load %[[PAD]]
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = []
// CHECK-NOT:     gpu.launch
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @padded_read_twice(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %y: memref<1x4x8x8xf32>, %z: memref<1x3x10x10xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %pad = memref.alloc() {alignment = 64 : i64} : memref<1x3x10x10xf32>
  linalg.fill ins(%cst : f32) outs(%pad : memref<1x3x10x10xf32>)
  %sub = memref.subview %pad[0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1] : memref<1x3x10x10xf32> to memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  linalg.copy ins(%x : memref<1x3x8x8xf32>) outs(%sub : memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%pad, %w : memref<1x3x10x10xf32>, memref<4x3x3x3xf32>) outs(%y : memref<1x4x8x8xf32>)
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%pad : memref<1x3x10x10xf32>) outs(%z : memref<1x3x10x10xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// NEGATIVE: the op after the bias broadcast overwrites its buffer without
// reading it (an element-wise op, not an accumulation): no producer fusion;
// the broadcast stays a launch of its own. (The copy after the op fuses as
// its consumer; the op's result is then stored as well, because the dead
// broadcast still counts as a user of the buffer, which is conservative,
// so "consumer" and "consumer-only" are both accepted here.)
// CHECK-LABEL: func.func @no_producer_init_unread
// CHECK:         gpu.launch
// CHECK:           memref.load %{{.+}} : memref<8xf32>
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = []
// CHECK:         gpu.launch
// CHECK-NOT:       memref<8xf32>
// CHECK:           arith.negf
// CHECK:         } {cnnc.gpu_map = {{{.*}}fused = ["consumer{{(-only)?}}"]
// CHECK-NOT:     gpu.launch
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @no_producer_init_unread(%b: memref<8xf32>, %u: memref<1x8x8x8xf32>, %y: memref<1x8x8x8xf32>) {
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
  linalg.broadcast ins(%b : memref<8xf32>) outs(%acc : memref<1x8x8x8xf32>) dimensions = [0, 2, 3]
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%u : memref<1x8x8x8xf32>) outs(%acc : memref<1x8x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  linalg.copy ins(%acc : memref<1x8x8x8xf32>) outs(%y : memref<1x8x8x8xf32>)
  return
}

// -----

// A zero fill and a matrix product straight into an output argument (no
// allocation): the fill is the producer, so the accumulator starts from the
// fill value in a register and the argument is stored once.
// CHECK-LABEL: func.func @matmul_fill_into_output
// CHECK-SAME:    %[[C:[^:]+]]: memref<8x8xf32>)
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NOT:     linalg.
// CHECK:         gpu.launch
// CHECK-NOT:       memref.load %[[C]]
// CHECK:           %[[S:.+]] = scf.for {{.*}} iter_args(%{{.+}} = %[[ZERO]]) -> (f32)
// CHECK:           memref.store %[[S]], %[[C]][
// CHECK-NOT:       memref.store
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64, fused = ["producer"], grid = array<i64: 1, 1, 1>, points = 64 : i64, x_loops = array<i64: 0, 1>, y_loop = -1 : i64}}
// CHECK-NOT:     gpu.launch
// CHECK-NOT:     linalg.
func.func @matmul_fill_into_output(%a: memref<8x16xf32>, %b: memref<16x8xf32>, %c: memref<8x8xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  linalg.fill ins(%cst : f32) outs(%c : memref<8x8xf32>)
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x8xf32>) outs(%c : memref<8x8xf32>)
  return
}
