//===- Bufferize.cpp - Tensors to buffers, for every backend --------------===//
#include "backends/common/Bufferize.h"
#include "backends/common/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"

using namespace mlir;

/// Copies between buffers as linalg.copy, so that they become loops or
/// kernels like everything else instead of calls into a runtime library.
static LogicalResult linalgCopy(OpBuilder &b, Location loc, Value from,
                                Value to) {
  b.create<linalg::CopyOp>(loc, from, to);
  return success();
}

void cnnc::buildBufferizePipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizationOptions options;
  options.memCpyFn = linalgCopy;
  options.bufferizeFunctionBoundaries = true;
  options.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  pm.addNestedPass<func::FuncOp>(createPrivateDestinations());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(options));
  bufferization::BufferResultsToOutParamsOpts outParams;
  // hoistStaticAllocs would save the copy of each output but crashes in
  // MLIR 19 on a function that returns one of its arguments.
  outParams.memCpyFn = linalgCopy;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createForwardCopies());
}
