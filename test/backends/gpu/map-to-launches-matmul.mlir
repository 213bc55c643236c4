// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches --split-input-file | FileCheck %s

// A 1x1 convolution as a contraction (out[n, f, p] += w[f, c] * in[n, c, p])
// with 64 output channels over 100 pixels: workgroup-memory tiles. The rows
// are the pixels (loop 2, the output's contiguous dim, so that neighbouring
// invocations store neighbouring words), the columns the channels (loop 1).
// Each workgroup of 64 invocations computes a 32 x 32 block (grid 2 x 4:
// channels in x, pixels in y), each invocation 4 x 4 of it; the 48 input
// channels run in steps of 16, each step staging a 16-deep, 32-wide tile of
// each operand (k-major) in workgroup memory between two barriers. The bias
// broadcast before it is fused (the accumulators start from the bias).
// CHECK-LABEL: func.func @pointwise
// CHECK:         gpu.launch
// CHECK-SAME:      workgroup(%[[A:.+]] : memref<16x32xf32, #gpu.address_space<workgroup>>, %[[B:.+]] : memref<16x32xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for %{{.+}} = %{{c0[_0-9]*}} to %{{c48[_0-9]*}} step %{{c16[_0-9]*}}
// CHECK:             memref.store %{{.+}}, %[[A]]
// CHECK:             memref.store %{{.+}}, %[[B]]
// CHECK:             gpu.barrier
// CHECK:             scf.for %{{.+}} = %{{c0[_0-9]*}} to %{{c16[_0-9]*}} step %{{c1[_0-9]*}}
// CHECK-COUNT-16:      arith.mulf
// CHECK:             gpu.barrier
// CHECK-COUNT-16:  scf.if
// CHECK:         } {cnnc.gpu_map = {block = array<i64: 64, 1, 1>, fused = ["producer"], grid = array<i64: 2, 4, 1>, loops = array<i64: 2, 1, 3>, matmul_tile = array<i64: 32, 32, 16>, micro_tile = array<i64: 4, 4>}}
// CHECK-NOT:     linalg.
#in = affine_map<(n, f, p, c) -> (n, c, p)>
#w = affine_map<(n, f, p, c) -> (f, c)>
#out = affine_map<(n, f, p, c) -> (n, f, p)>
func.func @pointwise(%x: memref<1x48x100xf32>, %w: memref<64x48xf32>, %bias: memref<64xf32>, %y: memref<1x64x100xf32>) {
  linalg.broadcast ins(%bias : memref<64xf32>) outs(%y : memref<1x64x100xf32>) dimensions = [0, 2]
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : memref<1x48x100xf32>, memref<64x48xf32>) outs(%y : memref<1x64x100xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A classifier (batch 1): the row extent 1 is too short to tile; the plain
// mapping (one invocation per output) stays.
// CHECK-LABEL: func.func @classifier
// CHECK-NOT:     workgroup(
// CHECK:         cnnc.gpu_map = {block = array<i64: 64, 1, 1>, channels_per_invocation = 1 : i64
func.func @classifier(%x: memref<1x512xf32>, %w: memref<512x1000xf32>, %y: memref<1x1000xf32>) {
  linalg.matmul ins(%x, %w : memref<1x512xf32>, memref<512x1000xf32>) outs(%y : memref<1x1000xf32>)
  return
}

// -----

// Not out + a * b (a max-plus product): zero-padded tiles would change it,
// so it is not tiled.
// CHECK-LABEL: func.func @max_plus
// CHECK-NOT:     workgroup(
// CHECK:         cnnc.gpu_map = {block = array<i64: 64, 1, 1>
#a2 = affine_map<(i, j, k) -> (i, k)>
#b2 = affine_map<(i, j, k) -> (k, j)>
#o2 = affine_map<(i, j, k) -> (i, j)>
func.func @max_plus(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %y: memref<64x64xf32>) {
  linalg.generic {indexing_maps = [#a2, #b2, #o2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%y : memref<64x64xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    %m = arith.maximumf %o, %s : f32
    linalg.yield %m : f32
  }
  return
}

// tile-matmuls=false keeps every op on the plain mapping.
// RUN: cnnc-opt %s --cnnc-gpu-map-to-launches=tile-matmuls=false --split-input-file | FileCheck %s --check-prefix=OFF
// OFF-LABEL: func.func @pointwise
// OFF-NOT:     workgroup(
// OFF:         channels_per_invocation = 4 : i64
