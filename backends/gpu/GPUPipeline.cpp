//===- GPUPipeline.cpp - linalg to outlined GPU kernels -------------------===//
#include "backends/gpu/GPUPipeline.h"
#include "backends/common/Passes.h"
#include "backends/gpu/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// Copies between buffers as linalg.copy, so that they become kernels like
/// everything else.
static LogicalResult linalgCopy(OpBuilder &b, Location loc, Value from,
                                Value to) {
  b.create<linalg::CopyOp>(loc, from, to);
  return success();
}

void cnnc::buildGPUKernelPipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizationOptions options;
  options.memCpyFn = linalgCopy;
  options.bufferizeFunctionBoundaries = true;
  options.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  pm.addNestedPass<func::FuncOp>(createPrivateDestinations());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(options));
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.memCpyFn = linalgCopy;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  // Concatenation pieces and results computed where they are copied to.
  pm.addPass(createForwardCopies());
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
