//===- Passes.td - The Vulkan backend --------------------*- tablegen -*-===//
#ifndef CNNC_BACKENDS_VULKAN_PASSES_TD
#define CNNC_BACKENDS_VULKAN_PASSES_TD

include "mlir/Pass/PassBase.td"

def VulkanConvertToSPIRV : Pass<"cnnc-vulkan-convert-to-spirv",
                                "mlir::ModuleOp"> {
  let summary = "Every gpu.module's kernels to a spirv.module (Vulkan)";
  let description = [{
    Gives every gpu.module the Vulkan 1.1 compute target environment
    (Shader, storage buffers) and every kernel its entry-point ABI (the
    workgroup size of its launch, `known_block_size`), then converts a copy
    of each gpu.module to a spirv.module in front of it: gpu, scf (to
    structured control flow, which Vulkan requires), arith, math (GLSL
    extended instructions), memref (storage buffers, strided views with
    their static offsets) and func. The gpu.modules stay for the host's
    gpu.launch_func ops. Kernel argument i is binding i of set 0.
  }];
  let dependentDialects = ["mlir::spirv::SPIRVDialect"];
}

#endif // CNNC_BACKENDS_VULKAN_PASSES_TD
