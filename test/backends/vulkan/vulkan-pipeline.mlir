// RUN: cnnc-opt %s --cnnc-vulkan | FileCheck %s
// RUN: cnnc-opt %s --cnnc-target="target=vulkan" | FileCheck %s

// --cnnc-vulkan (= --cnnc-gpu-kernels then --cnnc-vulkan-spirv, and what
// --cnnc-target=target=vulkan runs) from linalg on tensors: a sigmoid and a
// 2x2 max pool after it, two kernels, each a serializable spirv.module next
// to its gpu.module. The sigmoid's 1x4x8x8 result is the one intermediate
// (1024 bytes of workspace); the pool's -inf fill fuses into it, so its
// accumulator starts from the constant instead of a load.
// CHECK:       module attributes {cnnc.workspace_bytes = 1024 : i64, gpu.container_module}
// CHECK:       func.func @main(%[[X:[^:]+]]: memref<1x4x8x8xf32> {cnn.name = "x"}, %[[Y:[^:]+]]: memref<1x4x4x4xf32> {cnn.name = "y"}, %{{[^:]+}}: memref<1024xi8>)
// CHECK:         gpu.launch_func @main_kernel::@main_kernel blocks in (%c4, %c1, %c1) threads in (%c64, %c1, %c1) args(%[[X]] : memref<1x4x8x8xf32>, %[[T:[^ ]+]] : memref<1x4x8x8xf32>){{$}}
// CHECK-NEXT:    gpu.launch_func @main_kernel_0::@main_kernel blocks in (%c1, %c4, %c1) threads in (%c16, %c1, %c1) args(%[[T]] : memref<1x4x8x8xf32>, %[[Y]] : memref<1x4x4x4xf32>){{$}}
// CHECK-NEXT:    return

// CHECK:       spirv.module @__spv__main_kernel Logical GLSL450 requires #spirv.vce<{{.+}}, [Shader], [SPV_KHR_storage_buffer_storage_class]>
// CHECK-DAG:     spirv.GlobalVariable @main_kernel_arg_0 bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.array<256 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-DAG:     spirv.GlobalVariable @main_kernel_arg_1 bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.array<256 x f32, stride=4> [0])>, StorageBuffer>
// CHECK:         spirv.GL.Exp
// CHECK:         spirv.EntryPoint "GLCompute" @main_kernel
// CHECK-NEXT:    spirv.ExecutionMode @main_kernel "LocalSize", 64, 1, 1
// CHECK:       gpu.module @main_kernel

// CHECK:       spirv.module @__spv__main_kernel_0
// CHECK-DAG:     spirv.GlobalVariable @main_kernel_arg_0 bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.array<256 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-DAG:     spirv.GlobalVariable @main_kernel_arg_1 bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.array<64 x f32, stride=4> [0])>, StorageBuffer>
// CHECK:         %[[NINF:.+]] = spirv.Constant 0xFF800000 : f32
// CHECK:         spirv.mlir.loop {
// CHECK-NEXT:      spirv.Branch ^bb1(%{{.+}}, %[[NINF]] : i32, f32)
// CHECK:           spirv.mlir.loop {
// CHECK:             spirv.GL.FMax
// CHECK:         spirv.EntryPoint "GLCompute" @main_kernel
// CHECK-NEXT:    spirv.ExecutionMode @main_kernel "LocalSize", 16, 1, 1
// CHECK:       gpu.module @main_kernel_0
// CHECK-NOT:   spirv.module

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @main(%x: tensor<1x4x8x8xf32> {cnn.name = "x"}) -> (tensor<1x4x4x4xf32> {cnn.name = "y"}) {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %one = arith.constant 1.000000e+00 : f32
    %n = arith.negf %in : f32
    %ex = math.exp %n : f32
    %d = arith.addf %one, %ex : f32
    %sg = arith.divf %one, %d : f32
    linalg.yield %sg : f32
  } -> tensor<1x4x8x8xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %pe = tensor.empty() : tensor<1x4x4x4xf32>
  %pf = linalg.fill ins(%ninf : f32) outs(%pe : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%s, %win : tensor<1x4x8x8xf32>, tensor<2x2xf32>) outs(%pf : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %p : tensor<1x4x4x4xf32>
}
