//===- FuseElementwise.cpp - Element-wise fusion without recomputation ----===//
#include "backends/common/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "backends/common/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Fuses into all-parallel consumers only.
bool intoElementwiseConsumer(OpOperand *use) {
  auto consumer = dyn_cast<linalg::LinalgOp>(use->getOwner());
  return consumer && consumer.getNumReductionLoops() == 0;
}

struct FuseElementwisePass
    : cnnc::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns,
                                                 intoElementwiseConsumer);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns,
                                                      intoElementwiseConsumer);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
