//===- VulkanPipeline.cpp - linalg to SPIR-V kernels ----------------------===//
#include "backends/vulkan/VulkanPipeline.h"
#include "backends/gpu/GPUPipeline.h"
#include "backends/vulkan/Passes.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cnnc::buildVulkanSPIRVPipeline(OpPassManager &pm) {
  pm.addPass(createVulkanConvertToSPIRV());
  OpPassManager &spv = pm.nest<spirv::ModuleOp>();
  spv.addPass(spirv::createSPIRVLowerABIAttributesPass());
  spv.addPass(createCanonicalizerPass());
  spv.addPass(spirv::createSPIRVUpdateVCEPass());
}

void cnnc::registerVulkanPipelines() {
  PassPipelineRegistration<>(
      "cnnc-vulkan-spirv",
      "outlined GPU kernels to serializable spirv.modules (Vulkan)",
      buildVulkanSPIRVPipeline);
  PassPipelineRegistration<>(
      "cnnc-vulkan", "linalg on tensors to spirv.modules (Vulkan)",
      [](OpPassManager &pm) {
        buildGPUKernelPipeline(pm);
        buildVulkanSPIRVPipeline(pm);
      });
}
