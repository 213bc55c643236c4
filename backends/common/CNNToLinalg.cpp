//===- CNNToLinalg.cpp - cnn to linalg on tensors -------------------------===//
//
// The lowering every backend shares. Each pattern turns one cnn op into
// linalg/tensor/arith ops on tensors; tiling and vectorization decisions are
// made later, on linalg, by each backend's pipeline.
//
//===----------------------------------------------------------------------===//
#include "backends/common/Passes.h"
#include "dialects/cnn/CNNActivation.h"
#include "dialects/cnn/CNNOps.h"
#include "dialects/cnn/CNNShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

namespace cnnc {
#define GEN_PASS_DEF_CONVERTCNNTOLINALG
#include "backends/common/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value f32Const(OpBuilder &b, Location loc, double value) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(value));
}

Value filled(OpBuilder &b, Location loc, RankedTensorType type,
             double value) {
  Value empty = b.create<tensor::EmptyOp>(loc, type.getShape(),
                                          type.getElementType());
  return b.create<linalg::FillOp>(loc, f32Const(b, loc, value), empty)
      .getResult(0);
}

/// The map from a result of `rank` dims to an operand of shape `shape`
/// under NumPy broadcasting: trailing dims align, size-1 dims read index 0.
AffineMap broadcastMap(MLIRContext *ctx, unsigned rank,
                       ArrayRef<int64_t> shape, ArrayRef<int64_t> result) {
  SmallVector<AffineExpr> exprs;
  unsigned offset = rank - shape.size();
  for (auto [i, extent] : llvm::enumerate(shape))
    exprs.push_back(extent == 1 && result[offset + i] != 1
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(offset + i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// An element-wise linalg.generic producing `type` from `inputs`, each
/// broadcast to `type` by NumPy rules.
Value elementwise(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange inputs, BodyFn body) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(
        broadcastMap(ctx, rank, tensorType(in).getShape(), type.getShape()));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value init = b.create<tensor::EmptyOp>(loc, type.getShape(),
                                         type.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return b
      .create<linalg::GenericOp>(
          loc, type, inputs, init, maps, iterators,
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            nb.create<linalg::YieldOp>(nloc,
                                       body(nb, nloc, args.drop_back()));
          })
      .getResult(0);
}

/// `values` along dim 1 broadcast over a tensor of type `type`.
Value broadcastChannels(OpBuilder &b, Location loc, Value values,
                        RankedTensorType type) {
  Value init = b.create<tensor::EmptyOp>(loc, type.getShape(),
                                         type.getElementType());
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (i != 1)
      dims.push_back(i);
  return b.create<linalg::BroadcastOp>(loc, values, init, dims).getResult()[0];
}

/// Pads the H and W dims of an NCHW tensor with `value`: `low` = (top,
/// left), `high` = (bottom, right).
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                 double value) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto type = tensorType(input);
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> lo(4, b.getIndexAttr(0)), hi(4, b.getIndexAttr(0));
  for (int i = 0; i < 2; ++i) {
    shape[2 + i] += low[i] + high[i];
    lo[2 + i] = b.getIndexAttr(low[i]);
    hi[2 + i] = b.getIndexAttr(high[i]);
  }
  auto padded = RankedTensorType::get(shape, type.getElementType());
  return b.create<tensor::PadOp>(loc, padded, input, lo, hi,
                                 f32Const(b, loc, value));
}

/// End padding that a pooling/conv window needs so that every one of the
/// `out` windows lies inside the padded input: the explicit pad, or more
/// where ceil_mode rounds the output up.
int64_t endPad(int64_t in, int64_t out, int64_t kernel, int64_t stride,
               int64_t dilation, int64_t padBegin, int64_t padEnd) {
  int64_t needed = (out - 1) * stride + dilation * (kernel - 1) + 1;
  return std::max(padEnd, needed - in - padBegin);
}

DenseIntElementsAttr i64Tensor(OpBuilder &b, ArrayRef<int64_t> values) {
  return b.getI64TensorAttr(values);
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

Value clampValue(OpBuilder &b, Location loc, Value x, float lo, float hi) {
  Value low = b.create<arith::MaximumFOp>(loc, x, f32Const(b, loc, lo));
  return b.create<arith::MinimumFOp>(loc, low, f32Const(b, loc, hi));
}

Value sigmoidValue(OpBuilder &b, Location l, Value x) {
  Value e = b.create<math::ExpOp>(l, b.create<arith::NegFOp>(l, x));
  Value one = f32Const(b, l, 1.0);
  return b.create<arith::DivFOp>(l, one, b.create<arith::AddFOp>(l, one, e));
}

/// tanh(|x|) = (1 - t) / (1 + t) with t = exp(-2|x|) <= 1, which neither
/// overflows nor loses the sign; the sign is copied back from x.
Value tanhValue(OpBuilder &b, Location l, Value x) {
  Value a = b.create<math::AbsFOp>(l, x);
  Value t = b.create<math::ExpOp>(
      l, b.create<arith::MulFOp>(l, a, f32Const(b, l, -2.0)));
  Value one = f32Const(b, l, 1.0);
  Value r = b.create<arith::DivFOp>(l, b.create<arith::SubFOp>(l, one, t),
                                    b.create<arith::AddFOp>(l, one, t));
  return b.create<math::CopySignOp>(l, r, x);
}

/// What `act` computes on the scalar `x`: the one definition that the
/// activation ops and convolution epilogues both lower through.
Value buildActivation(OpBuilder &b, Location l, const cnn::Activation &act,
                      Value x) {
  ArrayRef<float> p = act.params;
  StringRef kind = act.kind;
  if (kind == "relu")
    return b.create<arith::MaximumFOp>(l, x, f32Const(b, l, 0.0));
  if (kind == "clip")
    return clampValue(b, l, x, p[0], p[1]);
  if (kind == "sigmoid")
    return sigmoidValue(b, l, x);
  if (kind == "silu")
    return b.create<arith::MulFOp>(l, x, sigmoidValue(b, l, x));
  if (kind == "tanh")
    return tanhValue(b, l, x);
  if (kind == "hard_swish") {
    Value lin = b.create<math::FmaOp>(l, x, f32Const(b, l, 1.0 / 6.0),
                                      f32Const(b, l, 0.5));
    return b.create<arith::MulFOp>(l, x, clampValue(b, l, lin, 0.0f, 1.0f));
  }
  if (kind == "hard_sigmoid") {
    Value lin = b.create<math::FmaOp>(l, x, f32Const(b, l, p[0]),
                                      f32Const(b, l, p[1]));
    return clampValue(b, l, lin, 0.0f, 1.0f);
  }
  // leaky_relu (the verifier admits no other kind)
  Value neg = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLT, x,
                                      f32Const(b, l, 0.0));
  Value scaled = b.create<arith::MulFOp>(l, x, f32Const(b, l, p[0]));
  return b.create<arith::SelectOp>(l, neg, scaled, x);
}

/// `v` with the activation `kind` (none when absent) applied to every
/// element: the epilogue of a conv2d or a squeeze_excite layer.
Value applyActivation(OpBuilder &b, Location loc,
                      std::optional<StringRef> kind,
                      std::optional<ArrayRef<float>> params, Value v) {
  if (!kind)
    return v;
  cnn::Activation act{kind->str(), {}};
  if (params)
    act.params.assign(params->begin(), params->end());
  return elementwise(b, loc, tensorType(v), v,
                     [&](OpBuilder &nb, Location l, ValueRange a) {
                       return buildActivation(nb, l, act, a[0]);
                     });
}

/// `inputs` concatenated along `axis` into a tensor of `type`: each is
/// inserted into its slice of one destination, which the backends can have
/// its producer write in place.
Value concatenate(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange inputs, int64_t axis) {
  Value result =
      b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  int64_t offset = 0;
  for (Value in : inputs) {
    ArrayRef<int64_t> shape = tensorType(in).getShape();
    SmallVector<OpFoldResult> offsets(shape.size(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(shape.size(), b.getIndexAttr(1));
    for (int64_t extent : shape)
      sizes.push_back(b.getIndexAttr(extent));
    offsets[axis] = b.getIndexAttr(offset);
    offset += shape[axis];
    result = b.create<tensor::InsertSliceOp>(loc, in, result, offsets, sizes,
                                             strides);
  }
  return result;
}

/// The input of a conv2d: its inputs concatenated along the channels when
/// there are several.
Value convInput(OpBuilder &b, Location loc, cnn::Conv2DOp op,
                ValueRange inputs) {
  if (inputs.size() == 1)
    return inputs.front();
  SmallVector<int64_t> shape(tensorType(inputs.front()).getShape());
  shape[1] = op.getInputChannels();
  return concatenate(b, loc, RankedTensorType::get(shape, b.getF32Type()),
                     inputs, 1);
}

/// The conv2d epilogue on its accumulated `result`: the residual added,
/// then the activation; element-wise ops that the backends apply in the
/// convolution's registers.
Value convEpilogue(OpBuilder &b, Location loc, cnn::Conv2DOp op,
                   Value residual, Value result) {
  if (residual)
    result = elementwise(b, loc, tensorType(result), {result, residual},
                         [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                           return nb.create<arith::AddFOp>(l, a[0], a[1]);
                         });
  return applyActivation(b, loc, op.getActivation(), op.getActivationParams(),
                         result);
}

/// A 1x1 convolution with unit strides and no padding, not depthwise: a
/// matrix product per image and group, [F/G, C/G] x [C/G, H*W].
bool isPointwise(cnn::Conv2DOp op) {
  ArrayRef<int64_t> filter = op.getFilter().getType().getShape();
  auto ones = [](ArrayRef<int64_t> v) {
    return llvm::all_of(v, [](int64_t x) { return x == 1; });
  };
  return !op.isDepthwise() && filter[2] == 1 && filter[3] == 1 &&
         ones(op.getStrides()) &&
         llvm::all_of(op.getPads(), [](int64_t p) { return p == 0; });
}

/// out[n, f, p] += filter[f, c] * input[n, c, p] over the flattened spatial
/// dim p: a contraction whose innermost parallel loop is unit-stride in
/// both the input and the output. With G > 1 groups, a batch of G such
/// products, out[n, g, f, p] += filter[g, f, c] * input[n, g, c, p]: the
/// group is a loop of its own, so no tile of the backends ever straddles
/// two groups.
Value pointwiseConv(OpBuilder &b, Location loc, Value input, Value filter,
                    Value init, int64_t groups) {
  MLIRContext *ctx = b.getContext();
  SmallVector<ReassociationIndices> spatial = {{0}, {1}, {2, 3}};
  Value in = b.create<tensor::CollapseShapeOp>(loc, input, spatial);
  Value w = b.create<tensor::CollapseShapeOp>(
      loc, filter, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  Value out = b.create<tensor::CollapseShapeOp>(loc, init, spatial);
  using utils::IteratorType;
  SmallVector<AffineMap> maps;
  SmallVector<IteratorType> iterators(groups > 1 ? 4 : 3,
                                      IteratorType::parallel);
  iterators.push_back(IteratorType::reduction);
  if (groups > 1) {
    // [N, C, P] -> [N, G, C/G, P], [F, C/G] -> [G, F/G, C/G].
    auto split = [&](Value v, int64_t dim) -> Value {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape[dim] /= groups;
      shape.insert(shape.begin() + dim, groups);
      SmallVector<ReassociationIndices> reassoc;
      for (int64_t i = 0, r = 0; i < type.getRank(); ++i) {
        if (i == dim)
          reassoc.push_back({r++, r++});
        else
          reassoc.push_back({r++});
      }
      return b.create<tensor::ExpandShapeOp>(
          loc, RankedTensorType::get(shape, type.getElementType()), v,
          reassoc);
    };
    in = split(in, 1);
    w = split(w, 0);
    out = split(out, 1);
    AffineExpr n, g, f, p, c;
    bindDims(ctx, n, g, f, p, c);
    maps = {AffineMap::get(5, 0, {n, g, c, p}, ctx),
            AffineMap::get(5, 0, {g, f, c}, ctx),
            AffineMap::get(5, 0, {n, g, f, p}, ctx)};
  } else {
    AffineExpr n, f, p, c;
    bindDims(ctx, n, f, p, c);
    maps = {AffineMap::get(4, 0, {n, c, p}, ctx),
            AffineMap::get(4, 0, {f, c}, ctx),
            AffineMap::get(4, 0, {n, f, p}, ctx)};
  }
  Value product =
      b.create<linalg::GenericOp>(
           loc, out.getType(), ValueRange{in, w}, out, maps, iterators,
           [](OpBuilder &nb, Location l, ValueRange a) {
             Value mul = nb.create<arith::MulFOp>(l, a[0], a[1]);
             nb.create<linalg::YieldOp>(
                 l, ValueRange{nb.create<arith::AddFOp>(l, a[2], mul)});
           })
          .getResult(0);
  if (groups > 1)
    product = b.create<tensor::CollapseShapeOp>(
        loc, product, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}});
  return b.create<tensor::ExpandShapeOp>(loc, init.getType(), product,
                                         spatial);
}

struct ConvPattern : OpConversionPattern<cnn::Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(cnn::Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    ArrayRef<int64_t> pads = op.getPads();
    Value input = padSpatial(rewriter, loc,
                             convInput(rewriter, loc, op, adaptor.getInputs()),
                             pads.take_front(2), pads.drop_front(2), 0.0);
    Value filter = adaptor.getFilter();
    Value init = adaptor.getBias()
                     ? broadcastChannels(rewriter, loc, adaptor.getBias(),
                                         resultType)
                     : filled(rewriter, loc, resultType, 0.0);
    auto strides = i64Tensor(rewriter, op.getStrides());
    auto dilations = i64Tensor(rewriter, op.getDilations());
    int64_t groups = op.getGroups();

    Value result;
    if (isPointwise(op)) {
      result = pointwiseConv(rewriter, loc, input, filter, init, groups);
    } else if (groups == 1) {
      result = rewriter
                   .create<linalg::Conv2DNchwFchwOp>(
                       loc, resultType, ValueRange{input, filter}, init,
                       strides, dilations)
                   .getResult(0);
    } else if (op.isDepthwise()) {
      // [C, 1, KH, KW] -> [C, KH, KW]
      Value dwFilter = rewriter.create<tensor::CollapseShapeOp>(
          loc, filter, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
      result = rewriter
                   .create<linalg::DepthwiseConv2DNchwChwOp>(
                       loc, resultType, ValueRange{input, dwFilter}, init,
                       strides, dilations)
                   .getResult(0);
    } else {
      // Split channels into groups: input [N, G, C/G, H, W], filter
      // [G, F/G, C/G, KH, KW], result [N, G, F/G, OH, OW].
      auto expand = [&](Value v, ArrayRef<int64_t> shape,
                        SmallVector<ReassociationIndices> reassoc) -> Value {
        auto type = RankedTensorType::get(shape, resultType.getElementType());
        return rewriter.create<tensor::ExpandShapeOp>(loc, type, v, reassoc);
      };
      ArrayRef<int64_t> in = tensorType(input).getShape();
      ArrayRef<int64_t> fs = tensorType(filter).getShape();
      ArrayRef<int64_t> out = resultType.getShape();
      SmallVector<ReassociationIndices> dim1 = {{0}, {1, 2}, {3}, {4}};
      SmallVector<ReassociationIndices> dim0 = {{0, 1}, {2}, {3}, {4}};
      Value gInput =
          expand(input, {in[0], groups, in[1] / groups, in[2], in[3]}, dim1);
      Value gFilter = expand(
          filter, {groups, fs[0] / groups, fs[1], fs[2], fs[3]}, dim0);
      Value gInit =
          expand(init, {out[0], groups, out[1] / groups, out[2], out[3]}, dim1);
      Value conv = rewriter
                       .create<linalg::Conv2DNgchwGfchwOp>(
                           loc, gInit.getType(), ValueRange{gInput, gFilter},
                           gInit, strides, dilations)
                       .getResult(0);
      result = rewriter.create<tensor::CollapseShapeOp>(loc, resultType, conv,
                                                        dim1);
    }
    rewriter.replaceOp(op, convEpilogue(rewriter, loc, op,
                                        adaptor.getResidual(), result));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

struct BatchNormPattern : OpConversionPattern<cnn::BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(cnn::BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    // Per-channel scale and shift, computed once over the C channels, then
    // one fused multiply-add per element.
    auto paramType = tensorType(adaptor.getScale());
    float eps = op.getEpsilon().convertToFloat();
    Value scale = elementwise(
        rewriter, loc, paramType, {adaptor.getScale(), adaptor.getVariance()},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value var = b.create<arith::AddFOp>(l, a[1], f32Const(b, l, eps));
          return b.create<arith::MulFOp>(l, a[0],
                                         b.create<math::RsqrtOp>(l, var));
        });
    Value shift = elementwise(
        rewriter, loc, paramType, {adaptor.getBias(), adaptor.getMean(), scale},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value ms = b.create<arith::MulFOp>(l, a[1], a[2]);
          return b.create<arith::SubFOp>(l, a[0], ms);
        });
    // Reshape [C] to [1, C, 1, ...] so that NumPy broadcasting applies.
    SmallVector<int64_t> shape(type.getRank(), 1);
    shape[1] = type.getDimSize(1);
    auto bcastType = RankedTensorType::get(shape, type.getElementType());
    SmallVector<ReassociationIndices> reassoc(1);
    for (int64_t i = 0; i < type.getRank(); ++i)
      reassoc[0].push_back(i);
    auto asChannels = [&](Value v) -> Value {
      return rewriter.create<tensor::ExpandShapeOp>(loc, bcastType, v,
                                                    reassoc);
    };
    Value result = elementwise(
        rewriter, loc, type,
        {adaptor.getInput(), asChannels(scale), asChannels(shift)},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<math::FmaOp>(l, a[0], a[1], a[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};


template <typename SourceOp, typename ArithOp>
struct BinaryPattern : OpConversionPattern<SourceOp> {
  using OpConversionPattern<SourceOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SourceOp op, typename SourceOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, elementwise(rewriter, op.getLoc(), op.getType(),
                        adaptor.getOperands(),
                        [](OpBuilder &b, Location l, ValueRange a) -> Value {
                          return b.create<ArithOp>(l, a[0], a[1]);
                        }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

struct MaxPoolPattern : OpConversionPattern<cnn::MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(),
                      d = op.getDilations(), p = op.getPads();
    ArrayRef<int64_t> in = op.getInput().getType().getShape();
    int64_t high[2];
    for (int i = 0; i < 2; ++i)
      high[i] = endPad(in[2 + i], type.getDimSize(2 + i), k[i], s[i], d[i],
                       p[i], p[2 + i]);
    double lowest = -std::numeric_limits<float>::infinity();
    Value input =
        padSpatial(rewriter, loc, adaptor.getInput(), p.take_front(2), high,
                   lowest);
    Value window = rewriter.create<tensor::EmptyOp>(loc, k, type.getElementType());
    Value init = filled(rewriter, loc, type, lowest);
    rewriter.replaceOp(op, rewriter
                               .create<linalg::PoolingNchwMaxOp>(
                                   loc, type, ValueRange{input, window}, init,
                                   i64Tensor(rewriter, s),
                                   i64Tensor(rewriter, d))
                               .getResult(0));
    return success();
  }
};

/// Number of input (or, with `includePad`, input and explicit pad) positions
/// each output window along one dim covers.
SmallVector<int64_t> windowCounts(int64_t in, int64_t out, int64_t kernel,
                                  int64_t stride, int64_t padBegin,
                                  int64_t padEnd, bool includePad) {
  int64_t lo = includePad ? -padBegin : 0;
  int64_t hi = includePad ? in + padEnd : in;
  SmallVector<int64_t> counts;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * stride - padBegin;
    counts.push_back(std::min(start + kernel, hi) - std::max(start, lo));
  }
  return counts;
}

struct AvgPoolPattern : OpConversionPattern<cnn::AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(),
                      p = op.getPads();
    ArrayRef<int64_t> in = op.getInput().getType().getShape();
    int64_t out[2] = {type.getDimSize(2), type.getDimSize(3)};
    int64_t high[2];
    SmallVector<int64_t> counts[2];
    for (int i = 0; i < 2; ++i) {
      high[i] = endPad(in[2 + i], out[i], k[i], s[i], 1, p[i], p[2 + i]);
      counts[i] = windowCounts(in[2 + i], out[i], k[i], s[i], p[i], p[2 + i],
                               op.getCountIncludePad());
    }
    Value input =
        padSpatial(rewriter, loc, adaptor.getInput(), p.take_front(2), high, 0);
    Value window = rewriter.create<tensor::EmptyOp>(loc, k, type.getElementType());
    int64_t ones[2] = {1, 1};
    Value sum = rewriter
                    .create<linalg::PoolingNchwSumOp>(
                        loc, type, ValueRange{input, window},
                        filled(rewriter, loc, type, 0.0),
                        i64Tensor(rewriter, s), i64Tensor(rewriter, ones))
                    .getResult(0);
    // The divisor of every output position is known at compile time.
    SmallVector<float> reciprocals;
    for (int64_t cy : counts[0])
      for (int64_t cx : counts[1])
        reciprocals.push_back(1.0f / static_cast<float>(cy * cx));
    auto recipType = RankedTensorType::get({out[0], out[1]}, rewriter.getF32Type());
    Value recip = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(recipType, ArrayRef<float>(reciprocals)));
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, {sum, recip},
                        [](OpBuilder &b, Location l, ValueRange a) -> Value {
                          return b.create<arith::MulFOp>(l, a[0], a[1]);
                        }));
    return success();
  }
};

template <typename SourceOp, bool isMax>
struct GlobalPoolPattern : OpConversionPattern<SourceOp> {
  using OpConversionPattern<SourceOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SourceOp op, typename SourceOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    MLIRContext *ctx = rewriter.getContext();
    ArrayRef<int64_t> in = op.getInput().getType().getShape();
    // Reduce into [N, C, 1, 1]: the output map pins H and W to 0.
    AffineExpr n = getAffineDimExpr(0, ctx), c = getAffineDimExpr(1, ctx),
               zero = getAffineConstantExpr(0, ctx);
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(4, ctx),
                                   AffineMap::get(4, 0, {n, c, zero, zero},
                                                  ctx)};
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {
        IteratorType::parallel, IteratorType::parallel,
        IteratorType::reduction, IteratorType::reduction};
    double initValue = isMax ? -std::numeric_limits<float>::infinity() : 0.0;
    Value reduced =
        rewriter
            .create<linalg::GenericOp>(
                loc, type, adaptor.getInput(),
                filled(rewriter, loc, type, initValue), maps, iterators,
                [](OpBuilder &b, Location l, ValueRange a) {
                  Value r = isMax ? b.create<arith::MaximumFOp>(l, a[0], a[1])
                                        .getResult()
                                  : b.create<arith::AddFOp>(l, a[0], a[1])
                                        .getResult();
                  b.create<linalg::YieldOp>(l, r);
                })
            .getResult(0);
    if (!isMax) {
      float inv = 1.0f / static_cast<float>(in[2] * in[3]);
      reduced = elementwise(rewriter, loc, type, reduced,
                            [&](OpBuilder &b, Location l, ValueRange a) {
                              return b.create<arith::MulFOp>(
                                  l, a[0], f32Const(b, l, inv));
                            });
    }
    rewriter.replaceOp(op, reduced);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement and dense layers
//===----------------------------------------------------------------------===//

struct ConcatPattern : OpConversionPattern<cnn::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, concatenate(rewriter, op.getLoc(), op.getType(),
                                       adaptor.getInputs(), op.getAxis()));
    return success();
  }
};

struct ReshapePattern : OpConversionPattern<cnn::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value value = adaptor.getInput();
    auto all = [](int64_t rank) {
      SmallVector<ReassociationIndices> r(1);
      for (int64_t i = 0; i < rank; ++i)
        r[0].push_back(i);
      return r;
    };
    // Any static reshape is a collapse to 1-D followed by an expand; both
    // are free views after bufferization. Rank 0 (one element) collapses
    // and expands with no groups.
    int64_t srcRank = tensorType(value).getRank();
    if (srcRank == 0 || type.getRank() == 0) {
      value = srcRank == 0
                  ? rewriter.create<tensor::ExpandShapeOp>(
                        loc, type, value, SmallVector<ReassociationIndices>{})
                        .getResult()
                  : rewriter.create<tensor::CollapseShapeOp>(
                        loc, type, value, SmallVector<ReassociationIndices>{})
                        .getResult();
      rewriter.replaceOp(op, value);
      return success();
    }
    if (srcRank != 1)
      value = rewriter.create<tensor::CollapseShapeOp>(loc, value, all(srcRank));
    if (type.getRank() != 1)
      value = rewriter.create<tensor::ExpandShapeOp>(loc, type, value,
                                                     all(type.getRank()));
    rewriter.replaceOp(op, value);
    return success();
  }
};

Value transpose2D(OpBuilder &b, Location loc, Value v) {
  ArrayRef<int64_t> s = tensorType(v).getShape();
  Value init = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{s[1], s[0]},
                                         tensorType(v).getElementType());
  return b.create<linalg::TransposeOp>(loc, v, init, ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// The transpose of a 2-D constant.
DenseElementsAttr transposed2D(DenseElementsAttr attr) {
  auto type = cast<RankedTensorType>(attr.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  SmallVector<float> values = llvm::to_vector(attr.getValues<float>());
  SmallVector<float> result(values.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      result[c * rows + r] = values[r * cols + c];
  return DenseElementsAttr::get(
      RankedTensorType::get({cols, rows}, type.getElementType()),
      ArrayRef<float>(result));
}

struct GemmPattern : OpConversionPattern<cnn::GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    float alpha = op.getAlpha().convertToFloat();
    float beta = op.getBeta().convertToFloat();
    Value a = adaptor.getA(), b = adaptor.getB();
    if (op.getTransA())
      a = transpose2D(rewriter, loc, a);
    if (alpha != 1.0f)
      a = elementwise(rewriter, loc, tensorType(a), a,
                      [&](OpBuilder &nb, Location l, ValueRange v) {
                        return nb.create<arith::MulFOp>(
                            l, v[0], f32Const(nb, l, alpha));
                      });
    Value init = filled(rewriter, loc, type, 0.0);
    if (Value c = adaptor.getC())
      init = elementwise(rewriter, loc, type, c,
                         [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
                           if (beta == 1.0f)
                             return v[0];
                           return nb.create<arith::MulFOp>(
                               l, v[0], f32Const(nb, l, beta));
                         });
    // Constant weights (a classifier's) are transposed at compile time, so
    // that the product reads them along unit-stride rows.
    DenseElementsAttr weights;
    bool transB = op.getTransB();
    if (transB && matchPattern(b, m_Constant(&weights))) {
      b = rewriter.create<arith::ConstantOp>(loc, transposed2D(weights));
      transB = false;
    }
    Value result =
        transB
            ? rewriter
                  .create<linalg::MatmulTransposeBOp>(
                      loc, type, ValueRange{a, b}, init)
                  .getResult(0)
            : rewriter.create<linalg::MatmulOp>(loc, type, ValueRange{a, b}, init)
                  .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct MatMulPattern : OpConversionPattern<cnn::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value init = filled(rewriter, op.getLoc(), op.getType(), 0.0);
    rewriter.replaceOp(op, rewriter
                               .create<linalg::MatmulOp>(
                                   op.getLoc(), op.getType(),
                                   adaptor.getOperands(), init)
                               .getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Activations and arithmetic beyond the core set
//===----------------------------------------------------------------------===//

template <typename SourceOp>
struct ActivationPattern : OpConversionPattern<SourceOp> {
  using OpConversionPattern<SourceOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SourceOp op, typename SourceOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    cnn::Activation act = *cnn::getActivation(op);
    rewriter.replaceOp(
        op, elementwise(rewriter, op.getLoc(), op.getType(), adaptor.getInput(),
                        [&](OpBuilder &b, Location l, ValueRange a) {
                          return buildActivation(b, l, act, a[0]);
                        }));
    return success();
  }
};

struct PReluPattern : OpConversionPattern<cnn::PReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::PReluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op,
        elementwise(rewriter, op.getLoc(), op.getType(), adaptor.getOperands(),
                    [](OpBuilder &b, Location l, ValueRange a) -> Value {
                      Value neg =
                          b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLT,
                                                  a[0], f32Const(b, l, 0.0));
                      Value scaled = b.create<arith::MulFOp>(l, a[0], a[1]);
                      return b.create<arith::SelectOp>(l, neg, scaled, a[0]);
                    }));
    return success();
  }
};

/// Reduces `input` over `axes` with `combine(element, accumulator)` from
/// `init`; reduced dims stay as size 1 with `keepDims`.
Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
             bool keepDims, double init, BodyFn combine) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType inType = tensorType(input);
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < inType.getRank(); ++i) {
    bool reduced = llvm::is_contained(axes, i);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (reduced && !keepDims)
      continue;
    shape.push_back(reduced ? 1 : inType.getDimSize(i));
    outExprs.push_back(reduced ? getAffineConstantExpr(0, ctx)
                               : getAffineDimExpr(i, ctx));
  }
  auto outType = RankedTensorType::get(shape, inType.getElementType());
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(inType.getRank(), ctx),
      AffineMap::get(inType.getRank(), 0, outExprs, ctx)};
  return b
      .create<linalg::GenericOp>(
          loc, outType, input, filled(b, loc, outType, init), maps, iterators,
          [&](OpBuilder &nb, Location l, ValueRange a) {
            nb.create<linalg::YieldOp>(l, combine(nb, l, a));
          })
      .getResult(0);
}

Value addValues(OpBuilder &b, Location l, ValueRange a) {
  return b.create<arith::AddFOp>(l, a[0], a[1]);
}

struct SoftmaxPattern : OpConversionPattern<cnn::SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis();
    Value max = reduce(rewriter, loc, adaptor.getInput(), axis, true,
                       -std::numeric_limits<float>::infinity(),
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return b.create<arith::MaximumFOp>(l, a[0], a[1]);
                       });
    Value exp =
        elementwise(rewriter, loc, type, {adaptor.getInput(), max},
                    [](OpBuilder &b, Location l, ValueRange a) -> Value {
                      return b.create<math::ExpOp>(
                          l, b.create<arith::SubFOp>(l, a[0], a[1]));
                    });
    Value sum = reduce(rewriter, loc, exp, axis, true, 0.0, addValues);
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, {exp, sum},
                        [](OpBuilder &b, Location l, ValueRange a) -> Value {
                          return b.create<arith::DivFOp>(l, a[0], a[1]);
                        }));
    return success();
  }
};

struct ReduceMeanPattern : OpConversionPattern<cnn::ReduceMeanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::ReduceMeanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> in = op.getInput().getType().getShape();
    int64_t count = 1;
    for (int64_t axis : op.getAxes())
      count *= in[axis];
    Value sum = reduce(rewriter, loc, adaptor.getInput(), op.getAxes(),
                       op.getKeepdims(), 0.0, addValues);
    float inv = 1.0f / static_cast<float>(count);
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, op.getType(), sum,
                        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                          return b.create<arith::MulFOp>(l, a[0],
                                                         f32Const(b, l, inv));
                        }));
    return success();
  }
};

/// Square, zero-pad along C, sum `size` consecutive channels, then
/// x * (bias + alpha / size * sum)^-beta.
struct LRNPattern : OpConversionPattern<cnn::LRNOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::LRNOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    int64_t size = op.getSize();
    int64_t before = (size - 1) / 2, after = size - 1 - before;
    Value squares =
        elementwise(rewriter, loc, type, adaptor.getInput(),
                    [](OpBuilder &b, Location l, ValueRange a) -> Value {
                      return b.create<arith::MulFOp>(l, a[0], a[0]);
                    });
    SmallVector<int64_t> padded(type.getShape());
    padded[1] += size - 1;
    SmallVector<OpFoldResult> lo(4, rewriter.getIndexAttr(0)),
        hi(4, rewriter.getIndexAttr(0));
    lo[1] = rewriter.getIndexAttr(before);
    hi[1] = rewriter.getIndexAttr(after);
    Value paddedSquares = rewriter.create<tensor::PadOp>(
        loc, RankedTensorType::get(padded, type.getElementType()), squares, lo,
        hi, f32Const(rewriter, loc, 0.0));
    // sum[n, c, h, w] = sum_k padded[n, c + k, h, w]; the [size] window
    // operand only gives k its range.
    AffineExpr n, c, h, w, k;
    bindDims(ctx, n, c, h, w, k);
    SmallVector<AffineMap> maps = {AffineMap::get(5, 0, {n, c + k, h, w}, ctx),
                                   AffineMap::get(5, 0, {k}, ctx),
                                   AffineMap::get(5, 0, {n, c, h, w}, ctx)};
    using utils::IteratorType;
    SmallVector<IteratorType> iterators(4, IteratorType::parallel);
    iterators.push_back(IteratorType::reduction);
    Value window =
        rewriter.create<tensor::EmptyOp>(loc, size, type.getElementType());
    Value sum =
        rewriter
            .create<linalg::GenericOp>(
                loc, type, ValueRange{paddedSquares, window},
                filled(rewriter, loc, type, 0.0), maps, iterators,
                [](OpBuilder &b, Location l, ValueRange a) {
                  b.create<linalg::YieldOp>(
                      l, ValueRange{b.create<arith::AddFOp>(l, a[0], a[2])});
                })
            .getResult(0);
    float scale = op.getAlpha().convertToFloat() / static_cast<float>(size);
    float bias = op.getBias().convertToFloat();
    float beta = op.getBeta().convertToFloat();
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, {adaptor.getInput(), sum},
                        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                          Value base = b.create<math::FmaOp>(
                              l, a[1], f32Const(b, l, scale),
                              f32Const(b, l, bias));
                          Value denom = b.create<math::PowFOp>(
                              l, base, f32Const(b, l, -beta));
                          return b.create<arith::MulFOp>(l, a[0], denom);
                        }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement beyond concat and reshape
//===----------------------------------------------------------------------===//

struct TransposePattern : OpConversionPattern<cnn::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value init = rewriter.create<tensor::EmptyOp>(op.getLoc(), type.getShape(),
                                                  type.getElementType());
    rewriter.replaceOp(op, rewriter
                               .create<linalg::TransposeOp>(op.getLoc(),
                                                            adaptor.getInput(),
                                                            init, op.getPerm())
                               .getResult()[0]);
    return success();
  }
};

/// A static tensor.extract_slice of `source`.
Value extractSlice(OpBuilder &b, Location loc, Value source,
                   ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                   ArrayRef<int64_t> strides) {
  auto type = RankedTensorType::get(sizes, tensorType(source).getElementType());
  return b.create<tensor::ExtractSliceOp>(loc, type, source, ValueRange{},
                                          ValueRange{}, ValueRange{}, offsets,
                                          sizes, strides);
}

struct SlicePattern : OpConversionPattern<cnn::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       extractSlice(rewriter, op.getLoc(), adaptor.getInput(),
                                    op.getOffsets(), op.getType().getShape(),
                                    op.getStrides()));
    return success();
  }
};

struct SplitPattern : OpConversionPattern<cnn::SplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t axis = op.getAxis();
    int64_t rank = op.getInput().getType().getRank();
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    SmallVector<Value> parts;
    for (Value result : op.getResults()) {
      ArrayRef<int64_t> sizes = tensorType(result).getShape();
      parts.push_back(extractSlice(rewriter, op.getLoc(), adaptor.getInput(),
                                   offsets, sizes, strides));
      offsets[axis] += sizes[axis];
    }
    rewriter.replaceOp(op, parts);
    return success();
  }
};

/// A one-input, one-result channel_permute that is a channel shuffle
/// (result channel k*a + i is input channel i*b + k) as one transpose of
/// [N, a, b, H, W], instead of C/a strided runs; null if it is not one.
Value asShuffle(OpBuilder &b, cnn::ChannelPermuteOp op,
                cnn::ChannelPermuteOp::Adaptor adaptor) {
  if (op.getInputs().size() != 1 || op.getResults().size() != 1)
    return nullptr;
  ArrayRef<int64_t> sources = op.getSources();
  int64_t channels = sources.size();
  if (channels < 2 || channels != tensorType(op.getInputs()[0]).getDimSize(1) ||
      sources[0] != 0 || sources[1] <= 0 || channels % sources[1] != 0)
    return nullptr;
  int64_t rows = sources[1], groups = channels / rows;
  for (int64_t j = 0; j < channels; ++j)
    if (sources[j] != (j % groups) * rows + j / groups)
      return nullptr;
  Location loc = op.getLoc();
  RankedTensorType type = tensorType(op.getResults()[0]);
  ArrayRef<int64_t> s = type.getShape();
  SmallVector<ReassociationIndices> split = {{0}, {1, 2}, {3}, {4}};
  Value grouped = b.create<tensor::ExpandShapeOp>(
      loc, RankedTensorType::get({s[0], groups, rows, s[2], s[3]},
                                 type.getElementType()),
      adaptor.getInputs()[0], split);
  Value init = b.create<tensor::EmptyOp>(
      loc, ArrayRef<int64_t>{s[0], rows, groups, s[2], s[3]},
      type.getElementType());
  Value swapped = b.create<linalg::TransposeOp>(loc, grouped, init,
                                                ArrayRef<int64_t>{0, 2, 1, 3, 4})
                      .getResult()[0];
  return b.create<tensor::CollapseShapeOp>(loc, type, swapped, split);
}

/// Each result of a channel_permute is built from runs of channels that
/// come from one input at a constant positive stride: one strided
/// extract_slice and one insert_slice per run, so a concat, a split or a
/// shuffle costs a copy of each channel at most (none for a result that is
/// a whole input). The graph passes leave none of these on the networks
/// they fold (see --cnn-fold-channel-shuffle).
struct ChannelPermutePattern : OpConversionPattern<cnn::ChannelPermuteOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::ChannelPermuteOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    if (Value shuffled = asShuffle(rewriter, op, adaptor)) {
      rewriter.replaceOp(op, shuffled);
      return success();
    }
    SmallVector<Value> results;
    for (auto [r, result] : llvm::enumerate(op.getResults())) {
      RankedTensorType type = tensorType(result);
      ArrayRef<int64_t> shape = type.getShape();
      Value built;
      int64_t at = 0;
      for (cnn::ChannelPermuteOp::Run run : op.getRuns(r)) {
        Value in = adaptor.getInputs()[run.input];
        Value part = in;
        if (run.length != tensorType(in).getDimSize(1) || run.stride != 1)
          part = extractSlice(rewriter, loc, in, {0, run.first, 0, 0},
                              {shape[0], run.length, shape[2], shape[3]},
                              {1, run.stride, 1, 1});
        if (run.length == shape[1]) {
          built = part;
        } else {
          if (!built)
            built = rewriter.create<tensor::EmptyOp>(loc, shape,
                                                     type.getElementType());
          built = rewriter.create<tensor::InsertSliceOp>(
              loc, part, built, ValueRange{}, ValueRange{}, ValueRange{},
              ArrayRef<int64_t>{0, at, 0, 0}, tensorType(part).getShape(),
              ArrayRef<int64_t>{1, 1, 1, 1});
        }
        at += run.length;
      }
      results.push_back(built);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// `edge` and `reflect` padding, one dim at a time: the input goes in the
/// middle, and each padded row is a copy of one input row (the border row,
/// or its mirror image), so only static slices are needed.
Value padByCopies(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> pads, bool reflect) {
  int64_t rank = tensorType(input).getRank();
  Value current = input;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t low = pads[d], high = pads[rank + d];
    if (low == 0 && high == 0)
      continue;
    ArrayRef<int64_t> in = tensorType(current).getShape();
    SmallVector<int64_t> shape(in), zeros(rank, 0), ones(rank, 1);
    shape[d] += low + high;
    Value result = b.create<tensor::EmptyOp>(
        loc, shape, tensorType(input).getElementType());
    auto insert = [&](Value part, int64_t at) {
      SmallVector<int64_t> offsets(rank, 0);
      offsets[d] = at;
      result = b.create<tensor::InsertSliceOp>(
          loc, part, result, ValueRange{}, ValueRange{}, ValueRange{}, offsets,
          tensorType(part).getShape(), ones);
    };
    auto row = [&](int64_t index) {
      SmallVector<int64_t> offsets(rank, 0), sizes(in);
      offsets[d] = index;
      sizes[d] = 1;
      return extractSlice(b, loc, current, offsets, sizes, ones);
    };
    int64_t n = in[d];
    insert(current, low);
    for (int64_t j = 0; j < low; ++j)
      insert(row(reflect ? low - j : 0), j);
    for (int64_t j = 0; j < high; ++j)
      insert(row(reflect ? n - 2 - j : n - 1), low + n + j);
    current = result;
  }
  return current;
}

struct PadPattern : OpConversionPattern<cnn::PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> pads = op.getPads();
    int64_t rank = op.getInput().getType().getRank();
    Value result;
    if (op.getMode() == "constant") {
      SmallVector<OpFoldResult> lo, hi;
      for (int64_t d = 0; d < rank; ++d) {
        lo.push_back(rewriter.getIndexAttr(pads[d]));
        hi.push_back(rewriter.getIndexAttr(pads[rank + d]));
      }
      result = rewriter.create<tensor::PadOp>(
          loc, op.getType(), adaptor.getInput(), lo, hi,
          f32Const(rewriter, loc, op.getValue().convertToFloat()));
    } else {
      result = padByCopies(rewriter, loc, adaptor.getInput(), pads,
                           op.getMode() == "reflect");
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Squeeze-and-excitation
//===----------------------------------------------------------------------===//

/// act(input . weight^T + bias): input [N, K], weight [O, K], bias [O].
/// The weight is read transposed, [K, O] (at compile time when constant),
/// so that the product vectorizes along the output channels, the shape the
/// backends' matrix-product kernels take.
Value denseLayer(OpBuilder &b, Location loc, Value input, Value weight,
                 Value bias, std::optional<StringRef> kind,
                 std::optional<ArrayRef<float>> params) {
  MLIRContext *ctx = b.getContext();
  DenseElementsAttr constant;
  Value columns = matchPattern(weight, m_Constant(&constant))
                      ? b.create<arith::ConstantOp>(loc, transposed2D(constant))
                      : transpose2D(b, loc, weight);
  int64_t n = tensorType(input).getDimSize(0);
  int64_t o = tensorType(weight).getDimSize(0);
  auto type = RankedTensorType::get({n, o}, b.getF32Type());
  Value init = b.create<tensor::EmptyOp>(loc, type.getShape(),
                                         type.getElementType());
  init = b.create<linalg::BroadcastOp>(loc, bias, init, ArrayRef<int64_t>{0})
             .getResult()[0];
  AffineExpr i, j, k;
  bindDims(ctx, i, j, k);
  SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {i, k}, ctx),
                                 AffineMap::get(3, 0, {k, j}, ctx),
                                 AffineMap::get(3, 0, {i, j}, ctx)};
  using utils::IteratorType;
  SmallVector<IteratorType> iterators = {
      IteratorType::parallel, IteratorType::parallel, IteratorType::reduction};
  Value out = b.create<linalg::GenericOp>(
                   loc, type, ValueRange{input, columns}, init, maps,
                   iterators,
                   [](OpBuilder &nb, Location l, ValueRange a) {
                     Value mul = nb.create<arith::MulFOp>(l, a[0], a[1]);
                     nb.create<linalg::YieldOp>(
                         l, ValueRange{nb.create<arith::AddFOp>(l, a[2], mul)});
                   })
                  .getResult(0);
  return applyActivation(b, loc, kind, params, out);
}

/// The gate of every image and channel, [N, C]: the spatial mean of the
/// input through the two dense layers. A few thousand operations against
/// the N*C*H*W of the scale itself.
Value excitation(OpBuilder &b, Location loc, cnn::SqueezeExciteOp op,
                 cnn::SqueezeExciteOp::Adaptor adaptor) {
  ArrayRef<int64_t> in = op.getInput().getType().getShape();
  Value sum = reduce(b, loc, adaptor.getInput(), {2, 3}, false, 0.0, addValues);
  float inv = 1.0f / static_cast<float>(in[2] * in[3]);
  Value mean = elementwise(b, loc, tensorType(sum), sum,
                           [&](OpBuilder &nb, Location l, ValueRange a) {
                             return nb.create<arith::MulFOp>(
                                 l, a[0], f32Const(nb, l, inv));
                           });
  Value hidden = denseLayer(b, loc, mean, adaptor.getW1(), adaptor.getB1(),
                            op.getActivation(), op.getActivationParams());
  return denseLayer(b, loc, hidden, adaptor.getW2(), adaptor.getB2(),
                    op.getGate(), op.getGateParams());
}

/// A pointwise convolution (one group) whose input is a squeeze_excite used
/// by it alone and whose filter is no larger than an image's channel plane
/// (F <= H*W): it applies the scale to its filter instead, per image, which
/// costs fewer operations than scaling the input.
cnn::SqueezeExciteOp scaledInputOf(cnn::Conv2DOp conv) {
  Value input = conv.getInput();
  auto se = input ? input.getDefiningOp<cnn::SqueezeExciteOp>() : nullptr;
  if (!se)
    return nullptr;
  ArrayRef<int64_t> in = cast<RankedTensorType>(input.getType()).getShape();
  if (!se->hasOneUse() || !isPointwise(conv) || conv.getGroups() != 1 ||
      conv.getFilter().getType().getDimSize(0) > in[2] * in[3])
    return nullptr;
  return se;
}

/// Lowered on its own, a squeeze_excite is one element-wise multiply,
/// which the element-wise fusion merges into a consumer like a residual
/// add; one whose consumer scales its filter instead (see scaledInputOf)
/// is lowered with that consumer.
struct SqueezeExcitePattern : OpConversionPattern<cnn::SqueezeExciteOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(cnn::SqueezeExciteOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value gate = rewriter.create<tensor::ExpandShapeOp>(
        loc,
        RankedTensorType::get({type.getDimSize(0), type.getDimSize(1), 1, 1},
                              type.getElementType()),
        excitation(rewriter, loc, op, adaptor),
        SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, {adaptor.getInput(), gate},
                        [](OpBuilder &b, Location l, ValueRange a) -> Value {
                          return b.create<arith::MulFOp>(l, a[0], a[1]);
                        }));
    return success();
  }
};

/// conv(x * s) = conv'(x) with filter'[n, f, c] = filter[f, c] * s[n, c]:
/// a small element-wise op, then the same matrix product as any pointwise
/// convolution, batched over the images, so the backends' matrix-product
/// kernels run it and x is read once, unscaled.
struct ScaledPointwiseConvPattern : OpConversionPattern<cnn::Conv2DOp> {
  ScaledPointwiseConvPattern(MLIRContext *ctx)
      : OpConversionPattern(ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(cnn::Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    cnn::SqueezeExciteOp se = scaledInputOf(op);
    if (!se)
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    SmallVector<Value> seOperands = llvm::map_to_vector(
        se->getOperands(), [&](Value v) { return rewriter.getRemappedValue(v); });
    cnn::SqueezeExciteOp::Adaptor seAdaptor(seOperands, se);
    int64_t n = type.getDimSize(0), f = type.getDimSize(1);
    int64_t c = se.getType().getDimSize(1);
    // s [N, C] -> [N, 1, C]; filter [F, C, 1, 1] -> [F, C].
    Value gate = rewriter.create<tensor::ExpandShapeOp>(
        loc, RankedTensorType::get({n, 1, c}, type.getElementType()),
        excitation(rewriter, loc, se, seAdaptor),
        SmallVector<ReassociationIndices>{{0}, {1, 2}});
    Value filter = rewriter.create<tensor::CollapseShapeOp>(
        loc, adaptor.getFilter(),
        SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
    Value scaled = elementwise(
        rewriter, loc, RankedTensorType::get({n, f, c}, type.getElementType()),
        {filter, gate}, [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::MulFOp>(l, a[0], a[1]);
        });
    SmallVector<ReassociationIndices> spatial = {{0}, {1}, {2, 3}};
    Value in = rewriter.create<tensor::CollapseShapeOp>(
        loc, seAdaptor.getInput(), spatial);
    Value init =
        adaptor.getBias()
            ? broadcastChannels(rewriter, loc, adaptor.getBias(), type)
            : filled(rewriter, loc, type, 0.0);
    Value out = rewriter.create<tensor::CollapseShapeOp>(loc, init, spatial);
    AffineExpr i, j, p, k;
    bindDims(ctx, i, j, p, k);
    SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {i, k, p}, ctx),
                                   AffineMap::get(4, 0, {i, j, k}, ctx),
                                   AffineMap::get(4, 0, {i, j, p}, ctx)};
    using utils::IteratorType;
    SmallVector<IteratorType> iterators(3, IteratorType::parallel);
    iterators.push_back(IteratorType::reduction);
    Value product =
        rewriter
            .create<linalg::GenericOp>(
                loc, out.getType(), ValueRange{in, scaled}, out, maps,
                iterators,
                [](OpBuilder &b, Location l, ValueRange a) {
                  Value mul = b.create<arith::MulFOp>(l, a[0], a[1]);
                  b.create<linalg::YieldOp>(
                      l, ValueRange{b.create<arith::AddFOp>(l, a[2], mul)});
                })
            .getResult(0);
    Value result = rewriter.create<tensor::ExpandShapeOp>(loc, type, product,
                                                          spatial);
    rewriter.replaceOp(op, convEpilogue(rewriter, loc, op,
                                        adaptor.getResidual(), result));
    rewriter.eraseOp(se);
    return success();
  }
};

struct ConvertCNNToLinalgPass
    : cnnc::impl::ConvertCNNToLinalgBase<ConvertCNNToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<cnn::CNNDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect,
                           func::FuncDialect>();
    RewritePatternSet patterns(ctx);
    patterns.add<ConvPattern, BatchNormPattern, ActivationPattern<cnn::ReluOp>,
                 ActivationPattern<cnn::ClipOp>,
                 BinaryPattern<cnn::AddOp, arith::AddFOp>,
                 BinaryPattern<cnn::MulOp, arith::MulFOp>, MaxPoolPattern,
                 AvgPoolPattern, GlobalPoolPattern<cnn::GlobalAvgPoolOp, false>,
                 GlobalPoolPattern<cnn::GlobalMaxPoolOp, true>, ConcatPattern,
                 ReshapePattern, GemmPattern, MatMulPattern>(ctx);
    patterns
        .add<ActivationPattern<cnn::SigmoidOp>, ActivationPattern<cnn::TanhOp>,
             ActivationPattern<cnn::HardSwishOp>,
             ActivationPattern<cnn::LeakyReluOp>,
             ActivationPattern<cnn::HardSigmoidOp>, PReluPattern,
             BinaryPattern<cnn::SubOp, arith::SubFOp>,
             BinaryPattern<cnn::DivOp, arith::DivFOp>, SoftmaxPattern,
             ReduceMeanPattern, LRNPattern, TransposePattern, SlicePattern,
             SplitPattern, PadPattern, ChannelPermutePattern>(ctx);
    // A squeeze_excite that its consumer absorbs is lowered with it.
    target.addDynamicallyLegalOp<cnn::SqueezeExciteOp>(
        [](cnn::SqueezeExciteOp op) {
          auto conv = op->hasOneUse()
                          ? dyn_cast<cnn::Conv2DOp>(*op->user_begin())
                          : nullptr;
          return conv && scaledInputOf(conv);
        });
    patterns.add<SqueezeExcitePattern, ScaledPointwiseConvPattern>(ctx);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
