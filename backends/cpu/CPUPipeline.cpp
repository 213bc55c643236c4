//===- CPUPipeline.cpp - cnn to LLVM for the CPU --------------------------===//
#include "backends/cpu/CPUPipeline.h"
#include "backends/common/Bufferize.h"
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

void cnnc::buildCPUBufferizePipeline(OpPassManager &pm,
                                     const CPUVectorShape &vectors) {
  CPUGroupTilingOptions groupTiling;
  groupTiling.vectorWidth = vectors.width;
  groupTiling.numVectorRegisters = vectors.registers;
  pm.addNestedPass<func::FuncOp>(createCPUGroupTiling(groupTiling));
  pm.addNestedPass<func::FuncOp>(
      createCPUTileAndVectorize({vectors.width, vectors.registers}));
  pm.addNestedPass<func::FuncOp>(createCPUConvKernels());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createCPUInterchangeForVectorization());
  buildBufferizePipeline(pm);
  pm.addPass(createPlanMemory());
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

void cnnc::buildCPUPipeline(OpPassManager &pm, const CPUVectorShape &vectors) {
  buildCNNToLinalgPipeline(pm);
  buildCPUBufferizePipeline(pm, vectors);
  buildCPUToLLVMPipeline(pm);
}

namespace {
/// The target's vector registers, as `cnnc` derives them from `--mcpu`
/// (the defaults are AVX-512's).
struct VectorShapeOptions : PassPipelineOptions<VectorShapeOptions> {
  Option<int64_t> width{*this, "vector-width",
                        llvm::cl::desc("f32 lanes of a vector register"),
                        llvm::cl::init(16)};
  Option<int64_t> registers{*this, "vector-registers",
                            llvm::cl::desc("vector registers of the target"),
                            llvm::cl::init(32)};
  cnnc::CPUVectorShape shape() const { return {width, registers}; }
};
} // namespace

void cnnc::registerCPUPipelines() {
  PassPipelineRegistration<>("cnnc-cnn-to-linalg",
                             "cnn to linalg on tensors (every backend)",
                             buildCNNToLinalgPipeline);
  PassPipelineRegistration<VectorShapeOptions>(
      "cnnc-cpu-bufferize", "linalg on tensors to loops over memrefs (CPU)",
      [](OpPassManager &pm, const VectorShapeOptions &options) {
        buildCPUBufferizePipeline(pm, options.shape());
      });
  PassPipelineRegistration<>("cnnc-cpu-to-llvm",
                             "loops over memrefs to the LLVM dialect (CPU)",
                             buildCPUToLLVMPipeline);
  PassPipelineRegistration<VectorShapeOptions>(
      "cnnc-cpu", "cnn to the LLVM dialect (CPU)",
      [](OpPassManager &pm, const VectorShapeOptions &options) {
        buildCPUPipeline(pm, options.shape());
      });
}
