//===- Registration.cpp - Everything cnnc's tools register ----------------===//
#include "compiler/Registration.h"

#include "backends/common/Passes.h"
#include "backends/Target.h"
#include "backends/cpu/CPUPipeline.h"
#include "backends/cpu/CPUTarget.h"
#include "backends/gpu/GPUPipeline.h"
#include "backends/gpu/Passes.h"
#include "backends/vulkan/Passes.h"
#include "backends/cuda/CudaPipeline.h"
#include "backends/cuda/CudaTarget.h"
#include "backends/cuda/Passes.h"
#include "backends/vulkan/VulkanPipeline.h"
#include "backends/vulkan/VulkanTarget.h"
#include "backends/cpu/Passes.h"
#include "dialects/cnn/CNNDialect.h"
#include "passes/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void cnnc::registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::cnn::CNNDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void cnnc::registerPassesAndPipelines() {
  mlir::registerAllPasses();
  registerCNNCCommonPasses();
  registerCNNCGraphPasses();
  registerGraphPipelines();
  registerCNNCCPUPasses();
  registerCPUPipelines();
  registerCNNCGPUPasses();
  registerGPUPipelines();
  registerCNNCVulkanPasses();
  registerVulkanPipelines();
  registerCNNCCudaPasses();
  registerCudaPipelines();
  registerTargets();
  registerTargetPipeline();
}

void cnnc::registerTargets() {
  registerCPUTarget();
  registerVulkanTarget();
  registerCudaTarget();
}
