//===- FuseConvActivation.cpp - Residual and activation into the epilogue -===//
#include "passes/Passes.h"

#include "dialects/cnn/CNNActivation.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace cnnc {
#define GEN_PASS_DEF_FUSECONVACTIVATION
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Replaces `root` by `conv` with its epilogue extended: `residual` added
/// (the conv has none yet), or `act` applied after what it has.
void fuse(PatternRewriter &rewriter, Operation *root, cnn::Conv2DOp conv,
          Value residual, const std::optional<cnn::Activation> &act) {
  rewriter.setInsertionPoint(root);
  auto fused = rewriter.create<cnn::Conv2DOp>(
      rewriter.getFusedLoc({conv.getLoc(), root->getLoc()}), conv.getType(),
      conv.getInputs(), conv.getFilter(), conv.getBias(),
      residual ? residual : conv.getResidual(), conv.getStridesAttr(),
      conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupsAttr(),
      act ? rewriter.getStringAttr(act->kind) : nullptr,
      !act || act->params.empty() ? nullptr
                                  : rewriter.getDenseF32ArrayAttr(act->params));
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
    fuse(rewriter, op, conv, Value(), act);
    rewriter.eraseOp(conv);
    return success();
  }
};

/// The activation `x * gate(x)` is, for the gates exporters use: SiLU for
/// a sigmoid, hard_swish for hard_sigmoid(1/6, 1/2) (how torch exports
/// Hardswish before opset 14).
std::optional<cnn::Activation> selfGated(Operation *gate) {
  if (isa<cnn::SigmoidOp>(gate))
    return cnn::Activation{"silu", {}};
  if (auto h = dyn_cast<cnn::HardSigmoidOp>(gate))
    if (std::abs(h.getAlpha().convertToFloat() - 1.0f / 6.0f) < 1e-6f &&
        h.getBeta().convertToFloat() == 0.5f)
      return cnn::Activation{"hard_swish", {}};
  return std::nullopt;
}

/// mul(c, gate(c)) with c a conv used by just those two (see selfGated).
struct FuseSelfGated : OpRewritePattern<cnn::MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [x, gateValue] : {std::pair(mul.getLhs(), mul.getRhs()),
                                std::pair(mul.getRhs(), mul.getLhs())}) {
      Operation *gate = gateValue.getDefiningOp();
      cnn::Conv2DOp conv = plainConv(x);
      std::optional<cnn::Activation> act =
          gate ? selfGated(gate) : std::nullopt;
      if (!act || !conv || gate->getOperand(0) != x || !gate->hasOneUse() ||
          mul.getType() != conv.getType() ||
          !llvm::all_of(conv->getUsers(), [&](Operation *user) {
            return user == mul || user == gate;
          }))
        continue;
      fuse(rewriter, mul, conv, Value(), act);
      rewriter.eraseOp(gate);
      rewriter.eraseOp(conv);
      return success();
    }
    return failure();
  }
};

/// add(c, r) with c a conv used only there, and r of c's type (a residual
/// connection): r is added in c's epilogue, before any activation that
/// follows the add is fused too.
struct FuseResidualAdd : OpRewritePattern<cnn::AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::AddOp add,
                                PatternRewriter &rewriter) const override {
    for (auto [x, residual] : {std::pair(add.getLhs(), add.getRhs()),
                               std::pair(add.getRhs(), add.getLhs())}) {
      cnn::Conv2DOp conv = plainConv(x);
      if (!conv || conv.getResidual() || !conv->hasOneUse() || x == residual ||
          residual.getType() != conv.getType() ||
          add.getType() != conv.getType())
        continue;
      fuse(rewriter, add, conv, residual, std::nullopt);
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
    patterns.add<FuseActivationOp, FuseSelfGated, FuseResidualAdd>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
