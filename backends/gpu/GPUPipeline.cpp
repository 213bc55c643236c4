//===- GPUPipeline.cpp - linalg to outlined GPU kernels -------------------===//
#include "backends/gpu/GPUPipeline.h"
#include "backends/common/Bufferize.h"
#include "backends/common/Passes.h"
#include "backends/gpu/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cnnc::buildGPUKernelPipeline(OpPassManager &pm) {
  buildBufferizePipeline(pm);
  pm.addPass(createBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());
  // Fusion needs each buffer as its own allocation: before planning.
  pm.addNestedPass<func::FuncOp>(createGPUMapToLaunches());
  pm.addPass(createCanonicalizerPass());
  PlanMemoryOptions plan;
  plan.alignment = kGPUBufferAlignment;
  pm.addPass(createPlanMemory(plan));
  // Constants go into the kernels, so that kernels take buffers only.
  pm.addPass(createGpuLauchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void cnnc::registerGPUPipelines() {
  PassPipelineRegistration<>(
      "cnnc-gpu-kernels",
      "linalg on tensors to a host function launching outlined GPU kernels",
      buildGPUKernelPipeline);
}
