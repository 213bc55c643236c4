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
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(options));
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.memCpyFn = linalgCopy;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  PlanMemoryOptions plan;
  plan.alignment = kGPUBufferAlignment;
  pm.addPass(createPlanMemory(plan));
  pm.addPass(createBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createGPUMapToLaunches());
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
