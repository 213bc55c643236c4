// RUN: cnnc-opt %s --cnnc-vulkan-spirv | FileCheck %s
// RUN: cnnc-opt %s --cnnc-vulkan-convert-to-spirv | FileCheck %s --check-prefix=ABI

// --cnnc-vulkan-spirv on outlined kernels (gpu.modules as
// --cnnc-gpu-kernels leaves them): each gpu.module gets a spirv.module
// @__spv__NAME in front of it (the gpu.module and the host's launch_func
// ops stay), a GLCompute entry point whose LocalSize is the kernel's
// known_block_size, one StorageBuffer global per kernel argument at set 0,
// binding i, math.exp as GL.Exp, scf.for as structured control flow
// (spirv.mlir.loop) and scf.if as spirv.mlir.selection. The module needs
// only Shader and storage buffers (the Vulkan 1.1 environment).

// The host function is untouched.
// CHECK-LABEL: func.func @main
// CHECK:         gpu.launch_func @k_sigmoid::@k_sigmoid blocks in (%c4, %c1, %c1) threads in (%c32, %c1, %c1)
// CHECK:         gpu.launch_func @k_loop::@k_loop
// CHECK:         gpu.launch_func @k_slice::@k_slice

// CHECK:       spirv.module @__spv__k_sigmoid Logical GLSL450 requires #spirv.vce<v{{[0-9.]+}}, [Shader], [SPV_KHR_storage_buffer_storage_class]> attributes {spirv.target_env = #spirv.target_env<#spirv.vce<v1.3, [Shader], [SPV_KHR_storage_buffer_storage_class]>, api=Vulkan
// CHECK-DAG:     spirv.GlobalVariable @[[S0:k_sigmoid_arg_0]] bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.array<128 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-DAG:     spirv.GlobalVariable @[[S1:k_sigmoid_arg_1]] bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.array<128 x f32, stride=4> [0])>, StorageBuffer>
// CHECK:         spirv.func @k_sigmoid() "None"
// CHECK:           %[[IN:.+]] = spirv.Load "StorageBuffer"
// CHECK:           %[[NEG:.+]] = spirv.FNegate %[[IN]] : f32
// CHECK:           %[[EXP:.+]] = spirv.GL.Exp %[[NEG]] : f32
// CHECK:           %[[DEN:.+]] = spirv.FAdd %[[EXP]], %{{.+}} : f32
// CHECK:           %[[SIG:.+]] = spirv.FDiv %{{.+}}, %[[DEN]] : f32
// CHECK:           %[[PTR:.+]] = spirv.AccessChain %{{.+}}[%{{.+}}, %{{.+}}] : !spirv.ptr<!spirv.struct<(!spirv.array<128 x f32, stride=4> [0])>, StorageBuffer>, i32, i32
// CHECK:           spirv.Store "StorageBuffer" %[[PTR]], %[[SIG]] : f32
// CHECK:           spirv.Return
// CHECK:         spirv.EntryPoint "GLCompute" @k_sigmoid, @__builtin__WorkgroupId__, @__builtin__LocalInvocationId__
// CHECK-NEXT:    spirv.ExecutionMode @k_sigmoid "LocalSize", 32, 1, 1
// CHECK:       gpu.module @k_sigmoid attributes {spirv.target_env
// CHECK:         gpu.func @k_sigmoid(

// The reduction loop becomes a spirv.mlir.loop whose header block carries
// the induction variable and the accumulator; grid y is WorkgroupId[1].
// CHECK:       spirv.module @__spv__k_loop
// CHECK-DAG:     spirv.GlobalVariable @k_loop_arg_0 bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.array<128 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-DAG:     spirv.GlobalVariable @k_loop_arg_1 bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.array<32 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-DAG:     spirv.GlobalVariable @k_loop_arg_2 bind(0, 2) : !spirv.ptr<!spirv.struct<(!spirv.array<64 x f32, stride=4> [0])>, StorageBuffer>
// CHECK:         spirv.func @k_loop() "None"
// CHECK:           %[[WG:.+]] = spirv.Load "Input" %{{.+}} : vector<3xi32>
// CHECK-NEXT:      spirv.CompositeExtract %[[WG]][1 : i32] : vector<3xi32>
// CHECK:           spirv.mlir.loop {
// CHECK-NEXT:        spirv.Branch ^bb1(%{{.+}}, %{{.+}} : i32, f32)
// CHECK-NEXT:      ^bb1(%[[K:.+]]: i32, %[[ACC:.+]]: f32):
// CHECK-NEXT:        %[[CMP:.+]] = spirv.SLessThan %[[K]], %{{.+}} : i32
// CHECK-NEXT:        spirv.BranchConditional %[[CMP]], ^bb2, ^bb3
// CHECK:             spirv.FMul
// CHECK:             %[[NEXT:.+]] = spirv.FAdd %[[ACC]], %{{.+}} : f32
// CHECK:             spirv.Branch ^bb1(%{{.+}}, %[[NEXT]] : i32, f32)
// CHECK:           ^bb3:
// CHECK-NEXT:        spirv.mlir.merge
// CHECK:           spirv.Store "StorageBuffer"
// CHECK:         spirv.EntryPoint "GLCompute" @k_loop
// CHECK-NEXT:    spirv.ExecutionMode @k_loop "LocalSize", 16, 1, 1
// CHECK:       gpu.module @k_loop

// The guard is a spirv.mlir.selection; the strided view of the slice is
// its base buffer addressed at the view's static offset (128 floats).
// CHECK:       spirv.module @__spv__k_slice
// CHECK:         spirv.GlobalVariable @k_slice_arg_1 bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.array<{{[0-9]+}} x f32, stride=4> [0])>, StorageBuffer>
// CHECK:         spirv.func @k_slice() "None"
// CHECK:           %[[G:.+]] = spirv.ULessThan %{{.+}}, %cst100_i32 : i32
// CHECK:           spirv.mlir.selection {
// CHECK-NEXT:        spirv.BranchConditional %[[G]], ^bb1, ^bb2
// CHECK:             spirv.IAdd %{{.+}}, %cst128_i32 : i32
// CHECK:             spirv.Store "StorageBuffer"
// CHECK:             spirv.mlir.merge
// CHECK:         spirv.EntryPoint "GLCompute" @k_slice
// CHECK-NEXT:    spirv.ExecutionMode @k_slice "LocalSize", 32, 1, 1
// CHECK:       gpu.module @k_slice
// CHECK-NOT:   spirv.module

// Before the ABI lowering: kernel argument i is interface variable (0, i)
// and every kernel's entry-point ABI has its launch's workgroup size.
// ABI:       spirv.func @k_sigmoid(%{{[^:]+}}: !spirv.ptr<{{.+}}, StorageBuffer> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 0)>}, %{{[^:]+}}: !spirv.ptr<{{.+}}, StorageBuffer> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 1)>})
// ABI:       gpu.func @k_sigmoid({{.*}}) kernel attributes {{{.*}}spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [32, 1, 1]>}
// ABI:       spirv.func @k_loop({{.*}}#spirv.interface_var_abi<(0, 2)>})
// ABI:       gpu.func @k_loop({{.*}}) kernel attributes {{{.*}}spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [16, 1, 1]>}
// ABI:       gpu.func @k_slice({{.*}}) kernel attributes {{{.*}}spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [32, 1, 1]>}

module attributes {gpu.container_module} {
  func.func @main(%x: memref<1x8x4x4xf32>, %w: memref<4x8xf32>, %y: memref<1x4x4x4xf32>, %z: memref<1x8x4x4xf32>, %cat: memref<1x16x4x4xf32>) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c16 = arith.constant 16 : index
    %c32 = arith.constant 32 : index
    %slice = memref.subview %cat[0, 8, 0, 0] [1, 8, 4, 4] [1, 1, 1, 1] : memref<1x16x4x4xf32> to memref<1x8x4x4xf32, strided<[256, 16, 4, 1], offset: 128>>
    gpu.launch_func @k_sigmoid::@k_sigmoid blocks in (%c4, %c1, %c1) threads in (%c32, %c1, %c1) args(%x : memref<1x8x4x4xf32>, %z : memref<1x8x4x4xf32>)
    gpu.launch_func @k_loop::@k_loop blocks in (%c1, %c4, %c1) threads in (%c16, %c1, %c1) args(%z : memref<1x8x4x4xf32>, %w : memref<4x8xf32>, %y : memref<1x4x4x4xf32>)
    gpu.launch_func @k_slice::@k_slice blocks in (%c4, %c1, %c1) threads in (%c32, %c1, %c1) args(%z : memref<1x8x4x4xf32>, %slice : memref<1x8x4x4xf32, strided<[256, 16, 4, 1], offset: 128>>)
    return
  }
  // sigmoid(x) = 1 / (1 + exp(-x)), element-wise over 128 points.
  gpu.module @k_sigmoid {
    gpu.func @k_sigmoid(%in: memref<1x8x4x4xf32>, %out: memref<1x8x4x4xf32>) kernel attributes {known_block_size = array<i32: 32, 1, 1>, known_grid_size = array<i32: 4, 1, 1>} {
      %c0 = arith.constant 0 : index
      %c4 = arith.constant 4 : index
      %c32 = arith.constant 32 : index
      %one = arith.constant 1.000000e+00 : f32
      %bx = gpu.block_id x
      %tx = gpu.thread_id x
      %b = arith.muli %bx, %c32 : index
      %i = arith.addi %b, %tx : index
      %w = arith.remui %i, %c4 : index
      %r = arith.divui %i, %c4 : index
      %h = arith.remui %r, %c4 : index
      %c = arith.divui %r, %c4 : index
      %v = memref.load %in[%c0, %c, %h, %w] : memref<1x8x4x4xf32>
      %n = arith.negf %v : f32
      %e = math.exp %n : f32
      %d = arith.addf %one, %e : f32
      %s = arith.divf %one, %d : f32
      memref.store %s, %out[%c0, %c, %h, %w] : memref<1x8x4x4xf32>
      gpu.return
    }
  }
  // A 1x1 conv as a reduction over 8 input channels in an scf.for carrying
  // the accumulator; grid y is the output channel.
  gpu.module @k_loop {
    gpu.func @k_loop(%in: memref<1x8x4x4xf32>, %wt: memref<4x8xf32>, %out: memref<1x4x4x4xf32>) kernel attributes {known_block_size = array<i32: 16, 1, 1>, known_grid_size = array<i32: 1, 4, 1>} {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c4 = arith.constant 4 : index
      %c8 = arith.constant 8 : index
      %zero = arith.constant 0.000000e+00 : f32
      %f = gpu.block_id y
      %tx = gpu.thread_id x
      %w = arith.remui %tx, %c4 : index
      %h = arith.divui %tx, %c4 : index
      %acc = scf.for %k = %c0 to %c8 step %c1 iter_args(%a = %zero) -> (f32) {
        %v = memref.load %in[%c0, %k, %h, %w] : memref<1x8x4x4xf32>
        %q = memref.load %wt[%f, %k] : memref<4x8xf32>
        %m = arith.mulf %v, %q : f32
        %s = arith.addf %a, %m : f32
        scf.yield %s : f32
      }
      memref.store %acc, %out[%c0, %f, %h, %w] : memref<1x4x4x4xf32>
      gpu.return
    }
  }
  // A copy into a concatenation's channel slice: the argument is a strided
  // view with a static offset, and a guard for the points past the work.
  gpu.module @k_slice {
    gpu.func @k_slice(%in: memref<1x8x4x4xf32>, %out: memref<1x8x4x4xf32, strided<[256, 16, 4, 1], offset: 128>>) kernel attributes {known_block_size = array<i32: 32, 1, 1>, known_grid_size = array<i32: 4, 1, 1>} {
      %c0 = arith.constant 0 : index
      %c4 = arith.constant 4 : index
      %c32 = arith.constant 32 : index
      %c100 = arith.constant 100 : index
      %bx = gpu.block_id x
      %tx = gpu.thread_id x
      %b = arith.muli %bx, %c32 : index
      %i = arith.addi %b, %tx : index
      %inside = arith.cmpi ult, %i, %c100 : index
      scf.if %inside {
        %w = arith.remui %i, %c4 : index
        %r = arith.divui %i, %c4 : index
        %h = arith.remui %r, %c4 : index
        %c = arith.divui %r, %c4 : index
        %v = memref.load %in[%c0, %c, %h, %w] : memref<1x8x4x4xf32>
        memref.store %v, %out[%c0, %c, %h, %w] : memref<1x8x4x4xf32, strided<[256, 16, 4, 1], offset: 128>>
      }
      gpu.return
    }
  }
}
