//===- LowerMath.cpp - Math in kernels without libdevice ------------------===//
#include "backends/cuda/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CUDALOWERMATH
#include "backends/cuda/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// What the approximations use and convert-gpu-to-nvvm leaves alone
/// (math.fma, math.copysign) as the LLVM intrinsics (PTX fma.rn.f32, and
/// bit operations).
template <typename From, typename To>
struct ToLLVM : OpRewritePattern<From> {
  using OpRewritePattern<From>::OpRewritePattern;
  LogicalResult matchAndRewrite(From op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<To>(op, op->getResultTypes(),
                                    op->getOperands());
    return success();
  }
};

struct CudaLowerMathPass : cnnc::impl::CudaLowerMathBase<CudaLowerMathPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet expand(ctx);
    populateExpandPowFPattern(expand);
    populateMathPolynomialApproximationPatterns(expand);
    expand.add<ToLLVM<math::FmaOp, LLVM::FMAOp>,
               ToLLVM<math::CopySignOp, LLVM::CopySignOp>>(ctx);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(expand))))
      return signalPassFailure();
  }
};

} // namespace
