//===- Pipeline.cpp - The graph optimization pipeline ---------------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cnnc::buildGraphOptimizationPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFoldConvBatchNorm());
  pm.addNestedPass<func::FuncOp>(createFuseConvActivation());
  pm.addNestedPass<func::FuncOp>(createFoldChannelShuffle());
  pm.addNestedPass<func::FuncOp>(createFuseSqueezeExcite());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void cnnc::registerGraphPipelines() {
  PassPipelineRegistration<>("cnnc-graph-opt",
                             "the graph optimizations of cnnc -O1",
                             buildGraphOptimizationPipeline);
}
