//===- FuseConvActivation.cpp - Activation into the conv's epilogue -------===//
#include "passes/Passes.h"

#include "dialects/cnn/CNNActivation.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_FUSECONVACTIVATION
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Replaces `root` by `conv` with `act` in its epilogue.
void fuse(PatternRewriter &rewriter, Operation *root, cnn::Conv2DOp conv,
          const cnn::Activation &act) {
  rewriter.setInsertionPoint(root);
  auto fused = rewriter.create<cnn::Conv2DOp>(
      rewriter.getFusedLoc({conv.getLoc(), root->getLoc()}), conv.getType(),
      conv.getInput(), conv.getFilter(), conv.getBias(), conv.getStridesAttr(),
      conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr(),
      rewriter.getStringAttr(act.kind),
      act.params.empty() ? nullptr
                         : rewriter.getDenseF32ArrayAttr(act.params));
  rewriter.replaceOp(root, fused.getResult());
}

/// A conv without an activation yet, or null.
cnn::Conv2DOp plainConv(Value v) {
  auto conv = v.getDefiningOp<cnn::Conv2DOp>();
  return conv && !conv.getActivation() ? conv : nullptr;
}

struct FuseActivationOp : RewritePattern {
  FuseActivationOp(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    std::optional<cnn::Activation> act = cnn::getActivation(op);
    if (!act)
      return failure();
    cnn::Conv2DOp conv = plainConv(op->getOperand(0));
    if (!conv || !conv->hasOneUse())
      return failure();
    fuse(rewriter, op, conv, *act);
    rewriter.eraseOp(conv);
    return success();
  }
};

/// mul(c, sigmoid(c)) with c a conv used by just those two: SiLU (swish).
struct FuseSiLU : OpRewritePattern<cnn::MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [x, gate] : {std::pair(mul.getLhs(), mul.getRhs()),
                           std::pair(mul.getRhs(), mul.getLhs())}) {
      auto sigmoid = gate.getDefiningOp<cnn::SigmoidOp>();
      cnn::Conv2DOp conv = plainConv(x);
      if (!sigmoid || !conv || sigmoid.getInput() != x ||
          !sigmoid->hasOneUse() || mul.getType() != conv.getType() ||
          !llvm::all_of(conv->getUsers(), [&](Operation *user) {
            return user == mul || user == sigmoid;
          }))
        continue;
      fuse(rewriter, mul, conv, cnn::Activation{"silu", {}});
      rewriter.eraseOp(sigmoid);
      rewriter.eraseOp(conv);
      return success();
    }
    return failure();
  }
};

struct FuseConvActivationPass
    : cnnc::impl::FuseConvActivationBase<FuseConvActivationPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseActivationOp, FuseSiLU>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
