//===- CPUPipeline.cpp - cnn to LLVM for the CPU --------------------------===//
#include "backends/cpu/CPUPipeline.h"
#include "backends/common/Passes.h"
#include "backends/cpu/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cnnc::buildCNNToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createConvertCNNToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// Copies between buffers as linalg.copy, so that they become loops like
/// everything else instead of calls into MLIR's C runner utilities.
static LogicalResult linalgCopy(OpBuilder &b, Location loc, Value from,
                                Value to) {
  b.create<linalg::CopyOp>(loc, from, to);
  return success();
}

void cnnc::buildCPUBufferizePipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizationOptions options;
  options.memCpyFn = linalgCopy;
  options.bufferizeFunctionBoundaries = true;
  options.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  pm.addNestedPass<func::FuncOp>(createCPUGroupTiling());
  pm.addNestedPass<func::FuncOp>(createCPUTileAndVectorize());
  pm.addNestedPass<func::FuncOp>(createCPUConvKernels());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createCPUInterchangeForVectorization());
  pm.addNestedPass<func::FuncOp>(createCPUPrivateDestinations());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(options));
  bufferization::BufferResultsToOutParamsOpts outParams;
  // hoistStaticAllocs would save the copy of each output but crashes in
  // MLIR 19 on a function that returns one of its arguments.
  outParams.memCpyFn = linalgCopy;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCPUForwardCopies());
  pm.addPass(createCPUPlanMemory());
  bufferization::buildBufferDeallocationPipeline(pm, {});
  pm.addPass(createBufferizationToMemRefPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
}

void cnnc::buildCPUToLLVMPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createCPUApproximateMath());
  VectorTransferToSCFOptions vectorToSCF;
  vectorToSCF.enableFullUnroll();
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(vectorToSCF));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void cnnc::buildCPUPipeline(OpPassManager &pm) {
  buildCNNToLinalgPipeline(pm);
  buildCPUBufferizePipeline(pm);
  buildCPUToLLVMPipeline(pm);
}

void cnnc::registerCPUPipelines() {
  PassPipelineRegistration<>("cnnc-cnn-to-linalg",
                             "cnn to linalg on tensors (every backend)",
                             buildCNNToLinalgPipeline);
  PassPipelineRegistration<>("cnnc-cpu-bufferize",
                             "linalg on tensors to loops over memrefs (CPU)",
                             buildCPUBufferizePipeline);
  PassPipelineRegistration<>("cnnc-cpu-to-llvm",
                             "loops over memrefs to the LLVM dialect (CPU)",
                             buildCPUToLLVMPipeline);
  PassPipelineRegistration<>("cnnc-cpu", "cnn to the LLVM dialect (CPU)",
                             buildCPUPipeline);
}
