//===- ApproximateMath.cpp - Transcendentals as vector polynomials --------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CPUAPPROXIMATEMATH
#include "backends/cpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct CPUApproximateMathPass
    : cnnc::impl::CPUApproximateMathBase<CPUApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
