//===- VulkanPipeline.h - linalg to SPIR-V kernels --------------*- C++ -*-===//
#ifndef CNNC_BACKENDS_VULKAN_VULKANPIPELINE_H
#define CNNC_BACKENDS_VULKAN_VULKANPIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace cnnc {

/// gpu.modules to spirv.modules, ABI lowered, version/capabilities/
/// extensions set: every kernel ready to serialize.
void buildVulkanSPIRVPipeline(mlir::OpPassManager &pm);
void registerVulkanPipelines();

} // namespace cnnc

#endif // CNNC_BACKENDS_VULKAN_VULKANPIPELINE_H
