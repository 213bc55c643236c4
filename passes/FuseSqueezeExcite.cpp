//===- FuseSqueezeExcite.cpp - SE blocks into one op ----------------------===//
#include "passes/Passes.h"

#include "dialects/cnn/CNNActivation.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace cnnc {
#define GEN_PASS_DEF_FUSESQUEEZEEXCITE
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// [N, K] followed by size-1 dims only: one vector of K values per image.
bool isChannelVector(Value v) {
  ArrayRef<int64_t> shape = shapeOf(v);
  return shape.size() >= 2 &&
         llvm::all_of(shape.drop_front(2), [](int64_t d) { return d == 1; });
}

/// A splat constant's value.
std::optional<float> splatValue(Value v) {
  DenseFPElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat())
    return std::nullopt;
  return attr.getSplatValue<float>();
}

/// One fully connected layer of the excitation, `act(weight . input +
/// bias)`, with `weight` still in the form its op had.
struct Dense {
  Value input, weight, bias;
  bool transposed = false; // weight is [in, out] (Gemm without trans_b)
  std::optional<cnn::Activation> act;
};

/// Walks an SE block backwards from the gate operand of the multiply,
/// collecting the ops that the fused op replaces; each must have exactly
/// one user, the op collected before it.
class SqueezeExciteMatcher {
public:
  SmallVector<Operation *> chain;

  /// The OpTy defining `v`, if `v` is its only use; it joins the chain.
  template <typename OpTy> OpTy take(Value v) {
    auto op = v.getDefiningOp<OpTy>();
    if (!op || !op->hasOneUse())
      return nullptr;
    chain.push_back(op);
    return op;
  }

  /// Skips reshapes between channel vectors of the same [N, K] (Flatten
  /// before a Gemm, the Reshape back to [N, K, 1, 1] after it).
  Value skipReshapes(Value v) {
    while (auto reshape = v.getDefiningOp<cnn::ReshapeOp>()) {
      Value in = reshape.getInput();
      if (!reshape->hasOneUse() || !isChannelVector(v) ||
          !isChannelVector(in) ||
          shapeOf(v).take_front(2) != shapeOf(in).take_front(2))
        break;
      chain.push_back(reshape);
      v = in;
    }
    return v;
  }

  /// The activation op on `v`, or `relu6(x + 3) / 6` (also spelled
  /// `* (1/6)`), which is Keras' hard sigmoid as tf2onnx exports it:
  /// hard_sigmoid(1/6, 1/2). Sets `v` to the activation's input.
  std::optional<cnn::Activation> activation(Value &v) {
    Operation *op = v.getDefiningOp();
    if (!op || !op->hasOneUse())
      return std::nullopt;
    if (std::optional<cnn::Activation> act = cnn::getActivation(op)) {
      chain.push_back(op);
      v = op->getOperand(0);
      return act;
    }
    if (Value x = relu6OfPlus3Over6(op)) {
      v = x;
      return cnn::Activation{"hard_sigmoid", {1.0f / 6.0f, 0.5f}};
    }
    return std::nullopt;
  }

  /// A 1x1 convolution on [N, C, 1, 1] or a Gemm on [N, C] defining `v`;
  /// `act` is the activation op found after it, if any, which a conv's
  /// epilogue activation must not double.
  FailureOr<Dense> dense(Value v, std::optional<cnn::Activation> act) {
    Dense d;
    d.act = act;
    if (auto conv = take<cnn::Conv2DOp>(v)) {
      ArrayRef<int64_t> filter = shapeOf(conv.getFilter());
      if (conv.getGroups() != 1 || filter[2] != 1 || filter[3] != 1 ||
          conv.getResidual() || !conv.getInput() ||
          !isChannelVector(conv.getInput()) ||
          llvm::any_of(conv.getPads(), [](int64_t p) { return p != 0; }))
        return failure();
      if (std::optional<StringRef> kind = conv.getActivation()) {
        if (d.act)
          return failure(); // two activations in a row
        d.act = cnn::Activation{kind->str(), {}};
        if (auto params = conv.getActivationParams())
          d.act->params.assign(params->begin(), params->end());
      }
      d.input = conv.getInput();
      d.weight = conv.getFilter();
      d.bias = conv.getBias();
      return d;
    }
    if (auto gemm = take<cnn::GemmOp>(v)) {
      if (gemm.getTransA() || gemm.getAlpha().convertToFloat() != 1.0f ||
          (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f))
        return failure();
      int64_t out = shapeOf(gemm.getResult())[1];
      if (Value c = gemm.getC()) {
        ArrayRef<int64_t> bias = shapeOf(c);
        if (bias.empty() || bias.back() != out ||
            llvm::any_of(bias.drop_back(), [](int64_t d) { return d != 1; }))
          return failure(); // not one bias per output
      }
      d.input = gemm.getA();
      d.weight = gemm.getB();
      d.bias = gemm.getC();
      d.transposed = !gemm.getTransB();
      return d;
    }
    return failure();
  }

private:
  /// x when `op` is `div(clip(add(x, 3), 0, 6), 6)` or `mul(clip(...),
  /// 1/6)` (operands of add and mul in either order), else null.
  Value relu6OfPlus3Over6(Operation *op) {
    if (!isa<cnn::DivOp, cnn::MulOp>(op))
      return nullptr;
    Value clipped = op->getOperand(0), scale = op->getOperand(1);
    if (isa<cnn::MulOp>(op) && splatValue(clipped))
      std::swap(clipped, scale);
    std::optional<float> k = splatValue(scale);
    float expected = isa<cnn::DivOp>(op) ? 6.0f : 1.0f / 6.0f;
    auto clip = clipped.getDefiningOp<cnn::ClipOp>();
    if (!k || std::abs(*k - expected) > 1e-6f || !clip || !clip->hasOneUse() ||
        clip.getMin().convertToFloat() != 0.0f ||
        clip.getMax().convertToFloat() != 6.0f ||
        clip.getType() != op->getResult(0).getType())
      return nullptr;
    auto add = clip.getInput().getDefiningOp<cnn::AddOp>();
    if (!add || !add->hasOneUse())
      return nullptr;
    Value x = splatValue(add.getRhs()) == 3.0f   ? add.getLhs()
              : splatValue(add.getLhs()) == 3.0f ? add.getRhs()
                                                 : nullptr;
    if (!x || x.getType() != clip.getType())
      return nullptr;
    chain.append({op, clip, add});
    return x;
  }
};

/// `v` as a constant or a cnn.reshape of type `type`.
Value reshaped(PatternRewriter &rewriter, Location loc, Value v,
               ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, rewriter.getF32Type());
  if (shapeOf(v) == shape)
    return v;
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)))
    return rewriter.create<arith::ConstantOp>(loc, attr.reshape(type));
  return rewriter.create<cnn::ReshapeOp>(loc, type, v);
}

/// The [out, in] weight matrix of `d`; a transposed constant is
/// transposed at compile time.
Value weightMatrix(PatternRewriter &rewriter, Location loc, const Dense &d,
                   int64_t out, int64_t in) {
  if (!d.transposed)
    return reshaped(rewriter, loc, d.weight, {out, in});
  auto type = RankedTensorType::get({out, in}, rewriter.getF32Type());
  DenseFPElementsAttr attr;
  if (matchPattern(d.weight, m_Constant(&attr))) {
    SmallVector<float> values = llvm::to_vector(attr.getValues<float>());
    SmallVector<float> result(values.size());
    for (int64_t r = 0; r < in; ++r)
      for (int64_t c = 0; c < out; ++c)
        result[c * in + r] = values[r * out + c];
    return rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(type, ArrayRef<float>(result)));
  }
  return rewriter.create<cnn::TransposeOp>(loc, type, d.weight,
                                           ArrayRef<int64_t>{1, 0});
}

/// The [out] bias of `d`, zeros when it has none.
Value biasVector(PatternRewriter &rewriter, Location loc, const Dense &d,
                 int64_t out) {
  if (d.bias)
    return reshaped(rewriter, loc, d.bias, {out});
  auto type = RankedTensorType::get({out}, rewriter.getF32Type());
  return rewriter.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(type, 0.0f));
}

std::pair<StringAttr, DenseF32ArrayAttr>
activationAttrs(PatternRewriter &rewriter,
                const std::optional<cnn::Activation> &act) {
  if (!act)
    return {nullptr, nullptr};
  return {rewriter.getStringAttr(act->kind),
          act->params.empty() ? nullptr
                              : rewriter.getDenseF32ArrayAttr(act->params)};
}

/// mul(x, s) or mul(s, x) with s = gate(dense(act(dense(mean_hw(x))))).
struct FuseSqueezeExcite : OpRewritePattern<cnn::MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [x, s] : {std::pair(mul.getLhs(), mul.getRhs()),
                        std::pair(mul.getRhs(), mul.getLhs())})
      if (succeeded(fuse(mul, x, s, rewriter)))
        return success();
    return rewriter.notifyMatchFailure(mul, "not a squeeze-excite block");
  }

  LogicalResult fuse(cnn::MulOp mul, Value x, Value s,
                     PatternRewriter &rewriter) const {
    ArrayRef<int64_t> xShape = shapeOf(x);
    if (xShape.size() != 4 || mul.getType() != x.getType() ||
        shapeOf(s) != ArrayRef<int64_t>{xShape[0], xShape[1], 1, 1})
      return failure();
    SqueezeExciteMatcher m;
    Value v = m.skipReshapes(s);
    std::optional<cnn::Activation> gate = m.activation(v);
    FailureOr<Dense> fc2 = m.dense(m.skipReshapes(v), gate);
    if (failed(fc2) || !fc2->act)
      return failure();
    v = m.skipReshapes(fc2->input);
    std::optional<cnn::Activation> act = m.activation(v);
    FailureOr<Dense> fc1 = m.dense(m.skipReshapes(v), act);
    if (failed(fc1))
      return failure();
    v = m.skipReshapes(fc1->input);
    Value pooled;
    if (auto pool = m.take<cnn::GlobalAvgPoolOp>(v))
      pooled = pool.getInput();
    else if (auto mean = m.take<cnn::ReduceMeanOp>(v))
      if (mean.getAxes() == ArrayRef<int64_t>{2, 3})
        pooled = mean.getInput();
    int64_t channels = xShape[1];
    int64_t reduced = shapeOf(fc2->input)[1];
    if (pooled != x || shapeOf(fc1->input)[1] != channels)
      return failure();

    Location loc = rewriter.getFusedLoc(llvm::to_vector(llvm::map_range(
        llvm::concat<Operation *const>(ArrayRef<Operation *>{mul}, m.chain),
        [](Operation *op) { return op->getLoc(); })));
    rewriter.setInsertionPoint(mul);
    Value w1 = weightMatrix(rewriter, loc, *fc1, reduced, channels);
    Value b1 = biasVector(rewriter, loc, *fc1, reduced);
    Value w2 = weightMatrix(rewriter, loc, *fc2, channels, reduced);
    Value b2 = biasVector(rewriter, loc, *fc2, channels);
    auto [actKind, actParams] = activationAttrs(rewriter, fc1->act);
    auto [gateKind, gateParams] = activationAttrs(rewriter, fc2->act);
    rewriter.replaceOpWithNewOp<cnn::SqueezeExciteOp>(
        mul, mul.getType(), x, w1, b1, w2, b2, actKind, actParams, gateKind,
        gateParams);
    for (Operation *op : m.chain)
      rewriter.eraseOp(op);
    return success();
  }
};

struct FuseSqueezeExcitePass
    : cnnc::impl::FuseSqueezeExciteBase<FuseSqueezeExcitePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseSqueezeExcite>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
