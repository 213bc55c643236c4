// RUN: cnnc-opt %s --cnnc-vulkan-convert-to-spirv -split-input-file -verify-diagnostics

// A Vulkan entry point needs its workgroup size (LocalSize): a kernel
// without known_block_size (not made by --cnnc-gpu-kernels) is refused.
module attributes {gpu.container_module} {
  gpu.module @k {
    // expected-error @+1 {{kernel without a known workgroup size}}
    gpu.func @k(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
