//===- LowerMath.cpp - Math in kernels without libdevice ------------------===//
#include "backends/cuda/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CUDALOWERMATH
#include "backends/cuda/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {
struct CudaLowerMathPass : cnnc::impl::CudaLowerMathBase<CudaLowerMathPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet expand(ctx);
    populateExpandPowFPattern(expand);
    populateMathPolynomialApproximationPatterns(expand);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(expand))))
      return signalPassFailure();
    // The rest one for one to LLVM intrinsics; everything else stays.
    LLVMTypeConverter types(ctx);
    RewritePatternSet patterns(ctx);
    populateMathToLLVMConversionPatterns(types, patterns);
    ConversionTarget target(*ctx);
    target.addLegalDialect<LLVM::LLVMDialect>();
    target.addIllegalDialect<math::MathDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    target.addIllegalDialect<math::MathDialect>();
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
