// RUN: cnnc-opt %s --cnnc-forward-copies --split-input-file | FileCheck %s

// A concat of two pointwise convs (as the matrix-product kernels write them:
// loops carrying the buffer, through a collapsed view) and then copied into
// the output. Every piece is computed in its place in the output, through
// the inverse of its views: no copy and no buffer is left.
// CHECK-LABEL: func @concat_pointwise
// CHECK-SAME:    (%[[X:.+]]: memref<1x32x256xf32>, %[[OUT:[a-z0-9]+]]: memref<1x64x16x16xf32>)
// CHECK-NOT:   memref.alloc
// CHECK-NOT:   linalg.copy
// CHECK:       %[[S0:.+]] = memref.subview %[[OUT]][0, 0, 0, 0] [1, 32, 16, 16] [1, 1, 1, 1] : memref<1x64x16x16xf32> to memref<1x32x16x16xf32, strided<[16384, 256, 16, 1]>>
// CHECK:       %[[C0:.+]] = memref.collapse_shape %[[S0]] {{\[}}[0], [1], [2, 3]] : memref<1x32x16x16xf32, strided<[16384, 256, 16, 1]>> into memref<1x32x256xf32, strided<[16384, 256, 1]>>
// CHECK:       scf.for
// CHECK-NOT:     iter_args
// CHECK:         vector.transfer_write %{{.+}}, %[[C0]]
// CHECK:       %[[S1:.+]] = memref.subview %[[OUT]][0, 32, 0, 0] [1, 32, 16, 16] [1, 1, 1, 1] : memref<1x64x16x16xf32> to memref<1x32x16x16xf32, strided<[16384, 256, 16, 1], offset: 8192>>
// CHECK:       %[[C1:.+]] = memref.collapse_shape %[[S1]] {{\[}}[0], [1], [2, 3]]
// CHECK:       scf.for
// CHECK:         vector.transfer_write %{{.+}}, %[[C1]]
// CHECK-NOT:   linalg.copy
// CHECK:       return
func.func @concat_pointwise(%x: memref<1x32x256xf32>, %out: memref<1x64x16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %zero = arith.constant 0.0 : f32
  %a = memref.alloc() {alignment = 64 : i64} : memref<1x32x16x16xf32>
  %ca = memref.collapse_shape %a [[0], [1], [2, 3]] : memref<1x32x16x16xf32> into memref<1x32x256xf32>
  %0 = scf.for %i = %c0 to %c32 step %c1 iter_args(%buf = %ca) -> (memref<1x32x256xf32>) {
    %1 = scf.for %j = %c0 to %c256 step %c64 iter_args(%buf2 = %buf) -> (memref<1x32x256xf32>) {
      %v = vector.transfer_read %x[%c0, %i, %j], %zero {in_bounds = [true]} : memref<1x32x256xf32>, vector<64xf32>
      vector.transfer_write %v, %buf2[%c0, %i, %j] {in_bounds = [true]} : vector<64xf32>, memref<1x32x256xf32>
      scf.yield %buf2 : memref<1x32x256xf32>
    }
    scf.yield %1 : memref<1x32x256xf32>
  }
  %ea = memref.expand_shape %0 [[0], [1], [2, 3]] output_shape [1, 32, 16, 16] : memref<1x32x256xf32> into memref<1x32x16x16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<1x32x256xf32>
  %2 = scf.for %i = %c0 to %c32 step %c1 iter_args(%buf = %b) -> (memref<1x32x256xf32>) {
    %1 = scf.for %j = %c0 to %c256 step %c64 iter_args(%buf2 = %buf) -> (memref<1x32x256xf32>) {
      %v = vector.transfer_read %x[%c0, %i, %j], %zero {in_bounds = [true]} : memref<1x32x256xf32>, vector<64xf32>
      %w = arith.addf %v, %v : vector<64xf32>
      vector.transfer_write %w, %buf2[%c0, %i, %j] {in_bounds = [true]} : vector<64xf32>, memref<1x32x256xf32>
      scf.yield %buf2 : memref<1x32x256xf32>
    }
    scf.yield %1 : memref<1x32x256xf32>
  }
  %eb = memref.expand_shape %2 [[0], [1], [2, 3]] output_shape [1, 32, 16, 16] : memref<1x32x256xf32> into memref<1x32x16x16xf32>
  %cat = memref.alloc() {alignment = 64 : i64} : memref<1x64x16x16xf32>
  %s0 = memref.subview %cat[0, 0, 0, 0] [1, 32, 16, 16] [1, 1, 1, 1] : memref<1x64x16x16xf32> to memref<1x32x16x16xf32, strided<[16384, 256, 16, 1]>>
  linalg.copy ins(%ea : memref<1x32x16x16xf32>) outs(%s0 : memref<1x32x16x16xf32, strided<[16384, 256, 16, 1]>>)
  %s1 = memref.subview %cat[0, 32, 0, 0] [1, 32, 16, 16] [1, 1, 1, 1] : memref<1x64x16x16xf32> to memref<1x32x16x16xf32, strided<[16384, 256, 16, 1], offset: 8192>>
  linalg.copy ins(%eb : memref<1x32x16x16xf32>) outs(%s1 : memref<1x32x16x16xf32, strided<[16384, 256, 16, 1], offset: 8192>>)
  linalg.copy ins(%cat : memref<1x64x16x16xf32>) outs(%out : memref<1x64x16x16xf32>)
  return
}

// -----

// A concat of a 3x3 conv and a depthwise conv into a buffer read later. The
// concat buffer is allocated after the pieces: it moves above the first.
// CHECK-LABEL: func @concat_conv_depthwise
// CHECK:       %[[CAT:.+]] = memref.alloc(){{.*}} : memref<1x16x8x8xf32>
// CHECK-NEXT:  %[[S0:.+]] = memref.subview %[[CAT]][0, 0, 0, 0] [1, 8, 8, 8]
// CHECK:       linalg.fill {{.*}} outs(%[[S0]] : memref<1x8x8x8xf32, strided<[1024, 64, 8, 1]>>)
// CHECK:       linalg.conv_2d_nchw_fchw {{.*}} outs(%[[S0]] : memref<1x8x8x8xf32, strided<[1024, 64, 8, 1]>>)
// CHECK:       %[[S1:.+]] = memref.subview %[[CAT]][0, 8, 0, 0] [1, 8, 8, 8]
// CHECK:       linalg.depthwise_conv_2d_nchw_chw {{.*}} outs(%[[S1]] : memref<1x8x8x8xf32, strided<[1024, 64, 8, 1], offset: 512>>)
// CHECK-NOT:   linalg.copy
// CHECK:       linalg.generic {{.*}} ins(%[[CAT]] : memref<1x16x8x8xf32>)
func.func @concat_conv_depthwise(%x: memref<1x8x10x10xf32>, %w: memref<8x8x3x3xf32>, %dw: memref<8x3x3xf32>, %out: memref<1x16x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<1x8x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%a : memref<1x8x8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x8x10x10xf32>, memref<8x8x3x3xf32>) outs(%a : memref<1x8x8x8xf32>)
  %b = memref.alloc() : memref<1x8x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%b : memref<1x8x8x8xf32>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %dw : memref<1x8x10x10xf32>, memref<8x3x3xf32>) outs(%b : memref<1x8x8x8xf32>)
  %cat = memref.alloc() : memref<1x16x8x8xf32>
  %s0 = memref.subview %cat[0, 0, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x16x8x8xf32> to memref<1x8x8x8xf32, strided<[1024, 64, 8, 1]>>
  linalg.copy ins(%a : memref<1x8x8x8xf32>) outs(%s0 : memref<1x8x8x8xf32, strided<[1024, 64, 8, 1]>>)
  %s1 = memref.subview %cat[0, 8, 0, 0] [1, 8, 8, 8] [1, 1, 1, 1] : memref<1x16x8x8xf32> to memref<1x8x8x8xf32, strided<[1024, 64, 8, 1], offset: 512>>
  linalg.copy ins(%b : memref<1x8x8x8xf32>) outs(%s1 : memref<1x8x8x8xf32, strided<[1024, 64, 8, 1], offset: 512>>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%cat : memref<1x16x8x8xf32>) outs(%out : memref<1x16x8x8xf32>) {
  ^bb0(%in: f32, %o: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A piece reached through a collapse and an expand: the buffer becomes the
// expand of the collapse of the target, and its own views are retyped.
// CHECK-LABEL: func @concat_reshaped
// CHECK-SAME:    %[[OUT:[a-z0-9]+]]: memref<16x16xf32>
// CHECK:       %[[S:.+]] = memref.subview %[[OUT]][8, 0] [8, 16] [1, 1] : memref<16x16xf32> to memref<8x16xf32, strided<[16, 1], offset: 128>>
// CHECK:       %[[E:.+]] = memref.expand_shape %[[S]] {{\[}}[0], [1, 2]] output_shape [8, 4, 4] : memref<8x16xf32, strided<[16, 1], offset: 128>> into memref<8x4x4xf32, strided<[16, 4, 1], offset: 128>>
// CHECK:       %[[V:.+]] = memref.subview %[[E]][0, 0, 0] [8, 4, 2] [1, 1, 1] : memref<8x4x4xf32, strided<[16, 4, 1], offset: 128>> to memref<8x4x2xf32, strided<[16, 4, 1], offset: 128>>
// CHECK:       linalg.fill {{.*}} outs(%[[V]]
// CHECK:       linalg.fill {{.*}} outs(%[[E]]
// CHECK-NOT:   linalg.copy ins(%{{.*}} : memref<8x16xf32>) outs(%{{.*}} offset: 128>>)
func.func @concat_reshaped(%x: memref<8x16xf32>, %out: memref<16x16xf32>) {
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  %a = memref.alloc() : memref<8x4x4xf32>
  %v = memref.subview %a[0, 0, 0] [8, 4, 2] [1, 1, 1] : memref<8x4x4xf32> to memref<8x4x2xf32, strided<[16, 4, 1]>>
  linalg.fill ins(%one : f32) outs(%v : memref<8x4x2xf32, strided<[16, 4, 1]>>)
  linalg.fill ins(%two : f32) outs(%a : memref<8x4x4xf32>)
  %c = memref.collapse_shape %a [[0], [1, 2]] : memref<8x4x4xf32> into memref<8x16xf32>
  %s0 = memref.subview %out[0, 0] [8, 16] [1, 1] : memref<16x16xf32> to memref<8x16xf32, strided<[16, 1]>>
  linalg.copy ins(%x : memref<8x16xf32>) outs(%s0 : memref<8x16xf32, strided<[16, 1]>>)
  %s1 = memref.subview %out[8, 0] [8, 16] [1, 1] : memref<16x16xf32> to memref<8x16xf32, strided<[16, 1], offset: 128>>
  linalg.copy ins(%c : memref<8x16xf32>) outs(%s1 : memref<8x16xf32, strided<[16, 1], offset: 128>>)
  return
}

// -----

// The result is computed in a buffer that is then copied to the output:
// it is computed in the output instead, and the copy goes away.
// CHECK-LABEL: func @main
// CHECK-SAME:    (%[[IN:.+]]: memref<16xf32>, %[[OUT:[a-z0-9]+]]: memref<16xf32>)
// CHECK-NOT:   memref.alloc
// CHECK:       linalg.copy ins(%[[IN]] : memref<16xf32>) outs(%[[OUT]] : memref<16xf32>)
// CHECK-NEXT:  return
func.func @main(%in: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%in : memref<16xf32>) outs(%a : memref<16xf32>)
  linalg.copy ins(%a : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}

// -----

// The source is read after the copy: the copy stays.
// CHECK-LABEL: func @read_after
// CHECK:       memref.alloc
// CHECK:       linalg.copy ins(%{{.+}} : memref<8xf32>) outs(%{{.+}} : memref<8xf32, strided<[1]>>)
// CHECK:       memref.load
func.func @read_after(%out: memref<16xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<8xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<8xf32>)
  %s = memref.subview %out[0] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1]>>
  linalg.copy ins(%a : memref<8xf32>) outs(%s : memref<8xf32, strided<[1]>>)
  %r = memref.load %a[%c0] : memref<8xf32>
  return %r : f32
}

// -----

// The target's region is read, then written, between the allocation and the
// copy: both copies stay. The piece at [8, 16) is written through a disjoint
// box meanwhile, which does not stop it.
// CHECK-LABEL: func @target_touched
// CHECK:       memref.alloc() : memref<8xf32>
// CHECK:       linalg.copy ins(%{{.+}} : memref<8xf32>)
// CHECK:       memref.alloc() : memref<8xf32>
// CHECK:       linalg.copy ins(%{{.+}} : memref<8xf32>)
// CHECK-LABEL: func @disjoint_box
// CHECK-NOT:   memref.alloc
// CHECK-NOT:   linalg.copy
func.func @target_touched(%out: memref<16xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<8xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<8xf32>)
  %r = memref.load %out[%c0] : memref<16xf32>
  %s = memref.subview %out[0] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1]>>
  linalg.copy ins(%a : memref<8xf32>) outs(%s : memref<8xf32, strided<[1]>>)
  %b = memref.alloc() : memref<8xf32>
  linalg.fill ins(%one : f32) outs(%b : memref<8xf32>)
  %t = memref.subview %out[4] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1], offset: 4>>
  linalg.fill ins(%one : f32) outs(%t : memref<8xf32, strided<[1], offset: 4>>)
  linalg.copy ins(%b : memref<8xf32>) outs(%t : memref<8xf32, strided<[1], offset: 4>>)
  return %r : f32
}
func.func @disjoint_box(%out: memref<16xf32>) {
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<8xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<8xf32>)
  %hi = memref.subview %out[8] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1], offset: 8>>
  linalg.fill ins(%one : f32) outs(%hi : memref<8xf32, strided<[1], offset: 8>>)
  %s = memref.subview %out[0] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1]>>
  linalg.copy ins(%a : memref<8xf32>) outs(%s : memref<8xf32, strided<[1]>>)
  return
}

// -----

// The buffer of the second piece is written while it overlaps the target of
// the first: the first copy stays (the second, into [4, 12), goes: nothing
// touches that box between its buffer's allocation and its copy).
// CHECK-LABEL: func @overlapping_box
// CHECK:       %[[A:.+]] = memref.alloc() : memref<8xf32>
// CHECK-NOT:   memref.alloc
// CHECK-NOT:   linalg.copy
// CHECK:       linalg.copy ins(%[[A]] : memref<8xf32>)
// CHECK-NOT:   linalg.copy
func.func @overlapping_box(%out: memref<16xf32>) {
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<8xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<8xf32>)
  %mid = memref.subview %out[4] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1], offset: 4>>
  %b = memref.alloc() : memref<8xf32>
  linalg.fill ins(%one : f32) outs(%b : memref<8xf32>)
  linalg.copy ins(%b : memref<8xf32>) outs(%mid : memref<8xf32, strided<[1], offset: 4>>)
  %s = memref.subview %out[0] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1]>>
  linalg.copy ins(%a : memref<8xf32>) outs(%s : memref<8xf32, strided<[1]>>)
  return
}

// -----

// Users that need the buffer's identity layout (a call, a cast) and a
// reshape that the target's strides do not allow keep their copies.
// CHECK-LABEL: func @needs_identity
// CHECK:       call @use
// CHECK:       linalg.copy
// CHECK:       memref.cast
// CHECK:       linalg.copy
// CHECK-LABEL: func @not_collapsible
// CHECK:       linalg.copy
func.func private @use(memref<8xf32>)
func.func private @use_dynamic(memref<?xf32>)
func.func @needs_identity(%out: memref<16xf32>) {
  %a = memref.alloc() : memref<8xf32>
  call @use(%a) : (memref<8xf32>) -> ()
  %s = memref.subview %out[0] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1]>>
  linalg.copy ins(%a : memref<8xf32>) outs(%s : memref<8xf32, strided<[1]>>)
  %b = memref.alloc() : memref<8xf32>
  %d = memref.cast %b : memref<8xf32> to memref<?xf32>
  call @use_dynamic(%d) : (memref<?xf32>) -> ()
  %t = memref.subview %out[8] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1], offset: 8>>
  linalg.copy ins(%b : memref<8xf32>) outs(%t : memref<8xf32, strided<[1], offset: 8>>)
  return
}
func.func @not_collapsible(%x: memref<2x4xf32>, %out: memref<2x8xf32>) {
  %a = memref.alloc() : memref<8xf32>
  %e = memref.expand_shape %a [[0, 1]] output_shape [2, 4] : memref<8xf32> into memref<2x4xf32>
  linalg.copy ins(%x : memref<2x4xf32>) outs(%e : memref<2x4xf32>)
  %s = memref.subview %out[0, 0] [2, 4] [1, 1] : memref<2x8xf32> to memref<2x4xf32, strided<[8, 1]>>
  linalg.copy ins(%e : memref<2x4xf32>) outs(%s : memref<2x4xf32, strided<[8, 1]>>)
  return
}
