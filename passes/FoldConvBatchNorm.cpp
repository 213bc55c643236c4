//===- FoldConvBatchNorm.cpp - BatchNorm into the preceding conv ----------===//
#include "passes/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace cnnc {
#define GEN_PASS_DEF_FOLDCONVBATCHNORM
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The float values of a constant tensor, or nothing if it is not one.
std::optional<SmallVector<float>> constantValues(Value v) {
  DenseFPElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return llvm::to_vector(attr.getValues<float>());
}

struct FoldBatchNormIntoConv : OpRewritePattern<cnn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<cnn::Conv2DOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a conv used once");
    if (conv.getActivation() || conv.getResidual())
      return rewriter.notifyMatchFailure(bn, "the conv has an epilogue");
    auto filter = constantValues(conv.getFilter());
    auto gamma = constantValues(bn.getScale());
    auto beta = constantValues(bn.getBias());
    auto mean = constantValues(bn.getMean());
    auto var = constantValues(bn.getVariance());
    std::optional<SmallVector<float>> bias =
        conv.getBias() ? constantValues(conv.getBias())
                       : SmallVector<float>(gamma ? gamma->size() : 0, 0.0f);
    if (!filter || !gamma || !beta || !mean || !var || !bias)
      return rewriter.notifyMatchFailure(bn, "weights are not constants");

    int64_t channels = static_cast<int64_t>(gamma->size());
    int64_t perChannel = static_cast<int64_t>(filter->size()) / channels;
    double eps = bn.getEpsilon().convertToDouble();
    SmallVector<float> newFilter(filter->size()), newBias(channels);
    for (int64_t f = 0; f < channels; ++f) {
      double scale = (*gamma)[f] / std::sqrt(double((*var)[f]) + eps);
      for (int64_t i = 0; i < perChannel; ++i)
        newFilter[f * perChannel + i] =
            static_cast<float>((*filter)[f * perChannel + i] * scale);
      newBias[f] = static_cast<float>(((*bias)[f] - (*mean)[f]) * scale +
                                      (*beta)[f]);
    }
    auto filterType = conv.getFilter().getType();
    auto biasType = RankedTensorType::get({channels}, rewriter.getF32Type());
    Location loc = conv.getLoc();
    Value w = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(filterType, ArrayRef<float>(newFilter)));
    Value b = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(biasType, ArrayRef<float>(newBias)));
    // The folded op carries both nodes' locations.
    auto fused = rewriter.create<cnn::Conv2DOp>(
        rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()}), conv.getType(),
        conv.getInputs(), w, b, /*residual=*/Value(), conv.getStridesAttr(),
        conv.getPadsAttr(),
        conv.getDilationsAttr(), conv.getGroupsAttr(), /*activation=*/nullptr,
        /*activation_params=*/nullptr);
    rewriter.replaceOp(bn, fused.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FoldConvBatchNormPass
    : cnnc::impl::FoldConvBatchNormBase<FoldConvBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormIntoConv>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
