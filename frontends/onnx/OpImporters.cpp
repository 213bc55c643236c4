//===- OpImporters.cpp - One importer per ONNX operator -------------------===//
//
// Each importer reads its node's attributes and inputs with the opset's
// semantics, computes the result shape with the dialect's shape functions
// and creates one cnn op (or folds to compile-time data). The table at the
// bottom is the registry: the importer looks operators up there, and the
// operator documentation is generated from it.
//
//===----------------------------------------------------------------------===//
#include "frontends/onnx/NodeContext.h"

#include "dialects/cnn/CNNOps.h"

#include <limits>

using namespace mlir;
using namespace cnnc::onnx_import;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Normalizes an axis that may be negative (allowed from `negativeFrom`).
FailureOr<int64_t> normalizeAxis(NodeContext &ctx, int64_t axis, int64_t rank,
                                 int negativeFrom = 11) {
  if (axis < 0 && ctx.opset() >= negativeFrom)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return ctx.emitError() << "axis " << axis << " is out of range for rank "
                           << rank;
  return axis;
}

/// Reads a 2-element spatial attribute (strides, dilations, kernel_shape).
FailureOr<SmallVector<int64_t>> pairAttr(NodeContext &ctx, StringRef name,
                                         ArrayRef<int64_t> def) {
  SmallVector<int64_t> v = ctx.attrInts(name, def);
  if (v.size() != 2)
    return ctx.emitError() << "attribute '" << name
                           << "' must have 2 values (only 2-D is supported), "
                              "got "
                           << v.size();
  return v;
}

/// Pads (top, left, bottom, right) from `pads` or `auto_pad`.
FailureOr<SmallVector<int64_t>> spatialPads(NodeContext &ctx,
                                            ArrayRef<int64_t> input,
                                            ArrayRef<int64_t> kernel,
                                            ArrayRef<int64_t> strides,
                                            ArrayRef<int64_t> dilations) {
  std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  SmallVector<int64_t> pads = ctx.attrInts("pads", {0, 0, 0, 0});
  if (pads.size() != 4)
    return ctx.emitError() << "attribute 'pads' must have 4 values, got "
                           << pads.size();
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return ctx.emitError() << "negative pads are not supported";
  if (autoPad == "NOTSET")
    return pads;
  if (ctx.hasAttr("pads"))
    return ctx.emitError() << "attributes 'pads' and 'auto_pad' (" << autoPad
                           << ") are mutually exclusive";
  if (autoPad == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.emitError() << "invalid auto_pad '" << autoPad << "'";
  for (int i = 0; i < 2; ++i) {
    int64_t in = input[2 + i];
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t window = dilations[i] * (kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + window - in);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[2 + i] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

FailureOr<Shape> require4D(NodeContext &ctx, int input, StringRef what) {
  FailureOr<Shape> shape = ctx.inputShape(input);
  if (failed(shape))
    return failure();
  if (shape->size() != 4)
    return ctx.emitError() << what << " must be 4-D (NCHW); only 2-D spatial "
                              "operators are supported, got rank "
                           << shape->size();
  return shape;
}

//===----------------------------------------------------------------------===//
// Convolution and normalization
//===----------------------------------------------------------------------===//

LogicalResult importConv(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0), w = ctx.input(1);
  if (failed(x) || failed(w))
    return failure();
  Value bias;
  if (ctx.hasInput(2)) {
    FailureOr<Value> b = ctx.input(2);
    if (failed(b))
      return failure();
    bias = *b;
  }
  FailureOr<Shape> in = require4D(ctx, 0, "input");
  FailureOr<Shape> filter = require4D(ctx, 1, "filter");
  if (failed(in) || failed(filter))
    return failure();
  ArrayRef<int64_t> kernel = ArrayRef<int64_t>(*filter).drop_front(2);
  if (ctx.hasAttr("kernel_shape") &&
      ArrayRef<int64_t>(ctx.attrInts("kernel_shape", {})) != kernel)
    return ctx.emitError() << "attribute 'kernel_shape' does not match the "
                              "filter's spatial shape";
  auto strides = pairAttr(ctx, "strides", {1, 1});
  auto dilations = pairAttr(ctx, "dilations", {1, 1});
  if (failed(strides) || failed(dilations))
    return failure();
  auto pads = spatialPads(ctx, *in, kernel, *strides, *dilations);
  if (failed(pads))
    return failure();
  int64_t groups = ctx.attrInt("group", 1);
  if (bias && (typeOf(bias).getRank() != 1 ||
               typeOf(bias).getDimSize(0) != (*filter)[0]))
    return ctx.emitError() << "bias must be 1-D with one value per output "
                              "channel";
  FailureOr<Shape> shape =
      mlir::cnn::inferConv2DShape(*in, *filter, *strides, *pads, *dilations,
                                  groups, [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  ctx.setOutput(0, ctx.create<mlir::cnn::Conv2DOp>(
                       ctx.f32Type(*shape), ValueRange{*x}, *w, bias,
                       /*residual=*/Value(), *strides, *pads,
                       *dilations, groups, /*activation=*/nullptr,
                       /*activation_params=*/nullptr));
  return success();
}

LogicalResult importBatchNorm(NodeContext &ctx) {
  SmallVector<Value> operands;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = ctx.input(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  float epsilon = ctx.attrFloat("epsilon", 1e-5f);
  (void)ctx.attrFloat("momentum", 0.9f); // training only
  if (ctx.opset() < 9 && ctx.attrInt("spatial", 1) != 1)
    return ctx.emitError() << "only spatial=1 is supported";
  if (ctx.opset() >= 14 && ctx.attrInt("training_mode", 0) != 0)
    return ctx.emitError() << "training_mode=1 is not supported (inference "
                              "only)";
  RankedTensorType type = typeOf(operands[0]);
  if (type.getRank() < 2)
    return ctx.emitError() << "input must have rank >= 2";
  for (int i = 1; i < 5; ++i)
    if (typeOf(operands[i]).getRank() != 1 ||
        typeOf(operands[i]).getDimSize(0) != type.getDimSize(1))
      return ctx.emitError() << "input " << i
                             << " must be 1-D with one value per channel ("
                             << type.getDimSize(1) << ")";
  ctx.setOutput(0, ctx.create<mlir::cnn::BatchNormOp>(
                       type, operands[0], operands[1], operands[2],
                       operands[3], operands[4],
                       ctx.builder().getF32FloatAttr(epsilon)));
  return success();
}

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

LogicalResult importRelu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  ctx.setOutput(0, ctx.create<mlir::cnn::ReluOp>(*x));
  return success();
}

/// A scalar bound of Clip given as an input (opset >= 11).
FailureOr<float> clipBound(NodeContext &ctx, int i, float def) {
  if (!ctx.hasInput(i))
    return def;
  FailureOr<const ConstTensor *> c =
      ctx.constantInput(i, i == 1 ? "min" : "max");
  if (failed(c))
    return failure();
  if (!(*c)->isFloat || (*c)->numElements() != 1)
    return ctx.emitError() << "input " << i << " must be a float scalar";
  return (*c)->floats[0];
}

LogicalResult importClip(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  float inf = std::numeric_limits<float>::infinity();
  float lo = -inf, hi = inf;
  if (ctx.opset() < 11) {
    lo = ctx.attrFloat("min", -inf);
    hi = ctx.attrFloat("max", inf);
  } else {
    FailureOr<float> l = clipBound(ctx, 1, -inf), h = clipBound(ctx, 2, inf);
    if (failed(l) || failed(h))
      return failure();
    lo = *l;
    hi = *h;
  }
  if (lo > hi)
    return ctx.emitError() << "min (" << lo << ") is greater than max (" << hi
                           << ")";
  auto &b = ctx.builder();
  ctx.setOutput(0, ctx.create<mlir::cnn::ClipOp>(*x, b.getF32FloatAttr(lo),
                                                 b.getF32FloatAttr(hi)));
  return success();
}

template <typename OpTy> LogicalResult importBinary(NodeContext &ctx) {
  FailureOr<Value> a = ctx.input(0), b = ctx.input(1);
  if (failed(a) || failed(b))
    return failure();
  FailureOr<Shape> shape = mlir::cnn::inferBroadcastShape(
      typeOf(*a).getShape(), typeOf(*b).getShape(),
      [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  ctx.setOutput(0, ctx.create<OpTy>(ctx.f32Type(*shape), *a, *b));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult importPool(NodeContext &ctx, bool isMax) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<Shape> in = require4D(ctx, 0, "input");
  if (failed(x) || failed(in))
    return failure();
  auto kernel = pairAttr(ctx, "kernel_shape", {});
  auto strides = pairAttr(ctx, "strides", {1, 1});
  bool hasDilations = isMax ? ctx.opset() >= 10 : ctx.opset() >= 19;
  auto dilations = hasDilations ? pairAttr(ctx, "dilations", {1, 1})
                                : FailureOr<SmallVector<int64_t>>(
                                      SmallVector<int64_t>{1, 1});
  if (failed(kernel) || failed(strides) || failed(dilations))
    return failure();
  bool ceilMode = ctx.opset() >= 10 && ctx.attrInt("ceil_mode", 0) != 0;
  auto pads = spatialPads(ctx, *in, *kernel, *strides, *dilations);
  if (failed(pads))
    return failure();
  FailureOr<Shape> shape = mlir::cnn::inferPool2DShape(
      *in, *kernel, *strides, *pads, *dilations, ceilMode,
      [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  auto type = ctx.f32Type(*shape);
  if (isMax) {
    if (ctx.attrInt("storage_order", 0) != 0)
      return ctx.emitError() << "storage_order=1 is not supported";
    ctx.setOutput(0, ctx.create<mlir::cnn::MaxPool2DOp>(
                         type, *x, *kernel, *strides, *pads, *dilations,
                         ceilMode));
    return success();
  }
  if (llvm::any_of(*dilations, [](int64_t d) { return d != 1; }))
    return ctx.emitError() << "dilated average pooling is not supported";
  bool includePad = ctx.attrInt("count_include_pad", 0) != 0;
  for (int i = 0; i < 2; ++i)
    if ((*pads)[i] >= (*kernel)[i] || (*pads)[2 + i] >= (*kernel)[i])
      return ctx.emitError() << "pads must be smaller than the kernel";
  ctx.setOutput(0, ctx.create<mlir::cnn::AvgPool2DOp>(
                       type, *x, *kernel, *strides, *pads, ceilMode,
                       includePad));
  return success();
}

LogicalResult importMaxPool(NodeContext &ctx) { return importPool(ctx, true); }
LogicalResult importAvgPool(NodeContext &ctx) { return importPool(ctx, false); }

template <typename OpTy> LogicalResult importGlobalPool(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<Shape> in = require4D(ctx, 0, "input");
  if (failed(x) || failed(in))
    return failure();
  ctx.setOutput(0, ctx.create<OpTy>(
                       ctx.f32Type({(*in)[0], (*in)[1], 1, 1}), *x));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult importConcat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  SmallVector<ArrayRef<int64_t>> shapes;
  for (int i = 0; i < ctx.numInputs(); ++i) {
    FailureOr<Value> v = ctx.input(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
    shapes.push_back(typeOf(*v).getShape());
  }
  if (inputs.empty())
    return ctx.emitError() << "needs at least one input";
  if (!ctx.hasAttr("axis"))
    return ctx.emitError() << "attribute 'axis' is required";
  FailureOr<int64_t> axis = normalizeAxis(
      ctx, ctx.attrInt("axis", 0), static_cast<int64_t>(shapes[0].size()));
  if (failed(axis))
    return failure();
  FailureOr<Shape> shape = mlir::cnn::inferConcatShape(
      shapes, *axis, [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  ctx.setOutput(0, ctx.create<mlir::cnn::ConcatOp>(ctx.f32Type(*shape),
                                                   inputs, *axis));
  return success();
}

LogicalResult reshapeTo(NodeContext &ctx, Value x, ArrayRef<int64_t> shape) {
  ctx.setOutput(0, ctx.create<mlir::cnn::ReshapeOp>(ctx.f32Type(shape), x));
  return success();
}

LogicalResult importReshape(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<const ConstTensor *> target = ctx.constantInput(1, "shape");
  if (failed(x) || failed(target))
    return failure();
  if ((*target)->isFloat || (*target)->shape.size() != 1)
    return ctx.emitError() << "input 1 (shape) must be a 1-D int64 tensor";
  bool allowZero = ctx.opset() >= 14 && ctx.attrInt("allowzero", 0) != 0;
  ArrayRef<int64_t> in = typeOf(*x).getShape();
  Shape shape;
  int64_t known = 1, inferred = -1;
  for (auto [i, value] : llvm::enumerate((*target)->ints)) {
    int64_t d = value;
    if (d == 0 && !allowZero) {
      if (i >= in.size())
        return ctx.emitError() << "shape value 0 at index " << i
                               << " copies a dimension the input lacks";
      d = in[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return ctx.emitError() << "shape has more than one -1";
      inferred = static_cast<int64_t>(i);
      d = 1;
    } else if (d < 0) {
      return ctx.emitError() << "invalid shape value " << d;
    }
    shape.push_back(d);
    known *= d;
  }
  int64_t total = typeOf(*x).getNumElements();
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return ctx.emitError() << "cannot infer the -1 dimension";
    shape[inferred] = total / known;
    known = total;
  }
  if (known != total)
    return ctx.emitError() << "cannot reshape " << total << " elements to "
                           << known;
  return reshapeTo(ctx, *x, shape);
}

LogicalResult importFlatten(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = typeOf(*x).getShape();
  int64_t rank = static_cast<int64_t>(in.size());
  int64_t axis = ctx.attrInt("axis", 1);
  if (axis < 0 && ctx.opset() >= 11)
    axis += rank;
  if (axis < 0 || axis > rank)
    return ctx.emitError() << "axis " << axis << " is out of range for rank "
                           << rank;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i)
    (i < axis ? outer : inner) *= in[i];
  return reshapeTo(ctx, *x, {outer, inner});
}

LogicalResult importPassThrough(NodeContext &ctx) {
  // Compile-time data stays compile-time data.
  if (const ConstTensor *c = ctx.knownConstant(0)) {
    ctx.setConstantOutput(0, *c);
    return success();
  }
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  ctx.setOutput(0, *x);
  return success();
}

LogicalResult importDropout(NodeContext &ctx) {
  // Inference: Dropout is the identity unless training_mode is set.
  if (ctx.opset() < 12) {
    (void)ctx.attrFloat("ratio", 0.5f);
  } else {
    (void)ctx.attrInt("seed", 0);
    if (ctx.hasInput(2)) {
      FailureOr<const ConstTensor *> mode =
          ctx.constantInput(2, "training_mode");
      if (failed(mode))
        return failure();
      if ((*mode)->numElements() != 1 ||
          ((*mode)->isFloat ? (*mode)->floats[0] != 0 : (*mode)->ints[0] != 0))
        return ctx.emitError() << "training_mode must be a false scalar";
    }
  }
  if (ctx.hasOutput(1))
    return ctx.emitError() << "output 1 (mask) is not supported";
  return importPassThrough(ctx);
}

LogicalResult importConstant(NodeContext &ctx) {
  ConstTensor data;
  if (const onnx::TensorProto *t = ctx.attrTensor("value")) {
    FailureOr<ConstTensor> parsed =
        parseTensor(*t, [&] { return ctx.emitError(); });
    if (failed(parsed))
      return failure();
    data = std::move(*parsed);
  } else if (ctx.opset() >= 12 && ctx.hasAttr("value_float")) {
    data.floats = {ctx.attrFloat("value_float", 0)};
  } else if (ctx.opset() >= 12 && ctx.hasAttr("value_floats")) {
    SmallVector<float> v = ctx.attrFloats("value_floats", {});
    data.floats.assign(v.begin(), v.end());
    data.shape = {static_cast<int64_t>(v.size())};
  } else if (ctx.opset() >= 12 && ctx.hasAttr("value_int")) {
    data.isFloat = false;
    data.ints = {ctx.attrInt("value_int", 0)};
  } else if (ctx.opset() >= 12 && ctx.hasAttr("value_ints")) {
    data.isFloat = false;
    SmallVector<int64_t> v = ctx.attrInts("value_ints", {});
    data.ints.assign(v.begin(), v.end());
    data.shape = {static_cast<int64_t>(v.size())};
  } else {
    return ctx.emitError() << "needs a 'value' attribute (sparse and string "
                              "constants are not supported)";
  }
  if (ctx.failed())
    return failure();
  ctx.setConstantOutput(0, std::move(data));
  return success();
}

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

LogicalResult importGemm(NodeContext &ctx) {
  FailureOr<Value> a = ctx.input(0), b = ctx.input(1);
  if (failed(a) || failed(b))
    return failure();
  Value c;
  if (ctx.hasInput(2)) {
    FailureOr<Value> v = ctx.input(2);
    if (failed(v))
      return failure();
    c = *v;
  } else if (ctx.opset() < 11) {
    return ctx.emitError() << "input 2 (C) is required before opset 11";
  }
  float alpha = ctx.attrFloat("alpha", 1.0f), beta = ctx.attrFloat("beta", 1.0f);
  bool transA = ctx.attrInt("transA", 0) != 0;
  bool transB = ctx.attrInt("transB", 0) != 0;
  if (ctx.opset() < 7)
    (void)ctx.attrInt("broadcast", 0);
  if (typeOf(*a).getRank() != 2 || typeOf(*b).getRank() != 2)
    return ctx.emitError() << "A and B must be 2-D";
  FailureOr<Shape> shape = mlir::cnn::inferGemmShape(
      typeOf(*a).getShape(), typeOf(*b).getShape(), transA, transB,
      [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  if (c && failed(mlir::cnn::checkBroadcastsTo(
               typeOf(c).getShape(), *shape, [&] {
                 return ctx.emitError() << "C does not broadcast to the "
                                           "result: ";
               })))
    return failure();
  auto &bld = ctx.builder();
  ctx.setOutput(0, ctx.create<mlir::cnn::GemmOp>(
                       ctx.f32Type(*shape), *a, *b, c,
                       bld.getF32FloatAttr(alpha), bld.getF32FloatAttr(beta),
                       bld.getBoolAttr(transA), bld.getBoolAttr(transB)));
  return success();
}

LogicalResult importMatMul(NodeContext &ctx) {
  FailureOr<Value> a = ctx.input(0), b = ctx.input(1);
  if (failed(a) || failed(b))
    return failure();
  if (typeOf(*a).getRank() != 2 || typeOf(*b).getRank() != 2)
    return ctx.emitError() << "only 2-D MatMul is supported";
  FailureOr<Shape> shape = mlir::cnn::inferGemmShape(
      typeOf(*a).getShape(), typeOf(*b).getShape(), false, false,
      [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  ctx.setOutput(0, ctx.create<mlir::cnn::MatMulOp>(ctx.f32Type(*shape), *a, *b));
  return success();
}

//===----------------------------------------------------------------------===//
// Compile-time data (shape subgraphs)
//===----------------------------------------------------------------------===//

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Row-major strides of `shape`.
SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Element `flat` of a tensor of shape `out`, read from a tensor of shape
/// `in` that broadcasts to it (NumPy rules).
int64_t broadcastSource(int64_t flat, ArrayRef<int64_t> out,
                        ArrayRef<int64_t> in) {
  SmallVector<int64_t> outStrides = rowMajorStrides(out);
  SmallVector<int64_t> inStrides = rowMajorStrides(in);
  size_t offset = out.size() - in.size();
  int64_t src = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t index = flat / outStrides[i];
    flat %= outStrides[i];
    if (i >= offset && in[i - offset] != 1)
      src += index * inStrides[i - offset];
  }
  return src;
}

/// Copies the elements at `indices` (flat positions) of `data`.
ConstTensor gatherElements(const ConstTensor &data, Shape shape,
                           ArrayRef<int64_t> indices) {
  ConstTensor result;
  result.shape = std::move(shape);
  result.isFloat = data.isFloat;
  for (int64_t i : indices) {
    if (data.isFloat)
      result.floats.push_back(data.floats[i]);
    else
      result.ints.push_back(data.ints[i]);
  }
  return result;
}

/// Strided slice of compile-time data.
ConstTensor sliceElements(const ConstTensor &data, ArrayRef<int64_t> offsets,
                          ArrayRef<int64_t> sizes, ArrayRef<int64_t> steps) {
  SmallVector<int64_t> inStrides = rowMajorStrides(data.shape);
  SmallVector<int64_t> outStrides = rowMajorStrides(sizes);
  SmallVector<int64_t> indices;
  for (int64_t flat = 0, n = product(sizes); flat < n; ++flat) {
    int64_t rest = flat, src = 0;
    for (size_t d = 0; d < sizes.size(); ++d) {
      src += (offsets[d] + rest / outStrides[d] * steps[d]) * inStrides[d];
      rest %= outStrides[d];
    }
    indices.push_back(src);
  }
  return gatherElements(data, Shape(sizes), indices);
}

/// Integer compile-time data of input `i` (1-D or scalar), e.g. axes.
FailureOr<SmallVector<int64_t>> constInts(NodeContext &ctx, int i,
                                          StringRef what) {
  FailureOr<const ConstTensor *> c = ctx.constantInput(i, what);
  if (failed(c))
    return failure();
  if ((*c)->isFloat || (*c)->shape.size() > 1)
    return ctx.emitError() << "input " << i << " (" << what
                           << ") must be a 1-D integer tensor";
  return SmallVector<int64_t>((*c)->ints.begin(), (*c)->ints.end());
}

/// Normalizes, checks and sorts a list of axes.
FailureOr<SmallVector<int64_t>> normalizeAxes(NodeContext &ctx,
                                              ArrayRef<int64_t> axes,
                                              int64_t rank,
                                              int negativeFrom = 11) {
  SmallVector<int64_t> result;
  for (int64_t a : axes) {
    FailureOr<int64_t> axis = normalizeAxis(ctx, a, rank, negativeFrom);
    if (failed(axis))
      return failure();
    if (llvm::is_contained(result, *axis))
      return ctx.emitError() << "axis " << a << " is repeated";
    result.push_back(*axis);
  }
  llvm::sort(result);
  return result;
}

template <typename T> T applyArith(StringRef op, T a, T b) {
  if (op == "Add")
    return a + b;
  if (op == "Sub")
    return a - b;
  if (op == "Mul")
    return a * b;
  return a / b;
}

/// Add/Sub/Mul/Div of two compile-time tensors, folded at import.
LogicalResult foldArith(NodeContext &ctx, const ConstTensor &a,
                        const ConstTensor &b) {
  if (a.isFloat != b.isFloat)
    return ctx.emitError() << "operands have different element types";
  FailureOr<Shape> shape = mlir::cnn::inferBroadcastShape(
      a.shape, b.shape, [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  StringRef op = ctx.node().op_type();
  ConstTensor result;
  result.shape = *shape;
  result.isFloat = a.isFloat;
  for (int64_t i = 0, n = product(*shape); i < n; ++i) {
    int64_t ia = broadcastSource(i, *shape, a.shape);
    int64_t ib = broadcastSource(i, *shape, b.shape);
    if (a.isFloat) {
      result.floats.push_back(applyArith(op, a.floats[ia], b.floats[ib]));
      continue;
    }
    if (op == "Div" && b.ints[ib] == 0)
      return ctx.emitError() << "integer division by zero";
    result.ints.push_back(applyArith(op, a.ints[ia], b.ints[ib]));
  }
  ctx.setConstantOutput(0, std::move(result));
  return success();
}

/// Add/Sub/Mul/Div: folded when both operands are compile-time integers
/// (shape arithmetic) or small float constants, else one cnn op.
template <typename OpTy> LogicalResult importArith(NodeContext &ctx) {
  const ConstTensor *a = ctx.knownConstant(0), *b = ctx.knownConstant(1);
  if (a && b &&
      (!a->isFloat || std::max(a->numElements(), b->numElements()) <= 4096))
    return foldArith(ctx, *a, *b);
  return importBinary<OpTy>(ctx);
}

LogicalResult importShape(NodeContext &ctx) {
  FailureOr<Shape> shape = ctx.inputShape(0);
  if (failed(shape))
    return failure();
  int64_t rank = static_cast<int64_t>(shape->size());
  int64_t start = 0, end = rank;
  if (ctx.opset() >= 15) {
    start = ctx.attrInt("start", 0);
    end = ctx.attrInt("end", rank);
    auto clampAxis = [&](int64_t a) {
      return std::clamp<int64_t>(a < 0 ? a + rank : a, 0, rank);
    };
    start = clampAxis(start);
    end = std::max(start, clampAxis(end));
  }
  ConstTensor result;
  result.isFloat = false;
  result.ints.assign(shape->begin() + start, shape->begin() + end);
  result.shape = {end - start};
  ctx.setConstantOutput(0, std::move(result));
  return success();
}

LogicalResult importGather(NodeContext &ctx) {
  FailureOr<const ConstTensor *> data = ctx.constantInput(0, "data");
  FailureOr<const ConstTensor *> indices = ctx.constantInput(1, "indices");
  if (failed(data) || failed(indices))
    return failure();
  if ((*indices)->isFloat || (*indices)->shape.size() > 1)
    return ctx.emitError() << "indices must be an integer scalar or 1-D "
                              "tensor";
  Shape in = (*data)->shape;
  if (in.empty())
    return ctx.emitError() << "data must have rank >= 1";
  FailureOr<int64_t> axis =
      normalizeAxis(ctx, ctx.attrInt("axis", 0), in.size());
  if (failed(axis))
    return failure();
  int64_t outer = product(ArrayRef<int64_t>(in).take_front(*axis));
  int64_t inner = product(ArrayRef<int64_t>(in).drop_front(*axis + 1));
  SmallVector<int64_t> positions;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : (*indices)->ints) {
      if (index < -in[*axis] || index >= in[*axis])
        return ctx.emitError() << "index " << index
                               << " is out of range for extent " << in[*axis];
      if (index < 0)
        index += in[*axis];
      for (int64_t i = 0; i < inner; ++i)
        positions.push_back((o * in[*axis] + index) * inner + i);
    }
  Shape shape(ArrayRef<int64_t>(in).take_front(*axis));
  shape.append((*indices)->shape.begin(), (*indices)->shape.end());
  shape.append(in.begin() + *axis + 1, in.end());
  ctx.setConstantOutput(0, gatherElements(**data, shape, positions));
  return success();
}

LogicalResult importCast(NodeContext &ctx) {
  int64_t to = ctx.attrInt("to", 0);
  bool toFloat = to == onnx::TensorProto::FLOAT;
  bool toInt = to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32;
  if (!toFloat && !toInt)
    return ctx.emitError() << "cast to "
                           << onnx::TensorProto::DataType_Name(
                                  static_cast<onnx::TensorProto::DataType>(to))
                           << " is not supported (FLOAT, INT64, INT32 only)";
  if (const ConstTensor *c = ctx.knownConstant(0)) {
    ConstTensor result;
    result.shape = c->shape;
    result.isFloat = toFloat;
    if (toFloat && !c->isFloat)
      result.floats.assign(c->ints.begin(), c->ints.end());
    else if (!toFloat && c->isFloat)
      for (float f : c->floats)
        result.ints.push_back(static_cast<int64_t>(f));
    else
      result = *c;
    ctx.setConstantOutput(0, std::move(result));
    return success();
  }
  if (!toFloat)
    return ctx.emitError() << "casting a run-time tensor to an integer type "
                              "is not supported";
  return importPassThrough(ctx);
}

//===----------------------------------------------------------------------===//
// Activations and arithmetic beyond the core set
//===----------------------------------------------------------------------===//

template <typename OpTy> LogicalResult importActivation(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  ctx.setOutput(0, ctx.create<OpTy>(*x));
  return success();
}

LogicalResult importLeakyRelu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  float alpha = ctx.attrFloat("alpha", 0.01f);
  ctx.setOutput(0, ctx.create<mlir::cnn::LeakyReluOp>(
                       *x, ctx.builder().getF32FloatAttr(alpha)));
  return success();
}

LogicalResult importHardSigmoid(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  auto &b = ctx.builder();
  float alpha = ctx.attrFloat("alpha", 0.2f),
        beta = ctx.attrFloat("beta", 0.5f);
  ctx.setOutput(0, ctx.create<mlir::cnn::HardSigmoidOp>(
                       *x, b.getF32FloatAttr(alpha), b.getF32FloatAttr(beta)));
  return success();
}

LogicalResult importPRelu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0), slope = ctx.input(1);
  if (failed(x) || failed(slope))
    return failure();
  if (failed(mlir::cnn::checkBroadcastsTo(
          typeOf(*slope).getShape(), typeOf(*x).getShape(), [&] {
            return ctx.emitError() << "slope does not broadcast to X: ";
          })))
    return failure();
  ctx.setOutput(0, ctx.create<mlir::cnn::PReluOp>(typeOf(*x), *x, *slope));
  return success();
}

/// Sum of any number of inputs: a chain of cnn.add.
LogicalResult importSum(NodeContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.emitError() << "needs at least one input";
  FailureOr<Value> acc = ctx.input(0);
  if (failed(acc))
    return failure();
  Value sum = *acc;
  for (int i = 1; i < ctx.numInputs(); ++i) {
    FailureOr<Value> next = ctx.input(i);
    if (failed(next))
      return failure();
    FailureOr<Shape> shape = mlir::cnn::inferBroadcastShape(
        typeOf(sum).getShape(), typeOf(*next).getShape(),
        [&] { return ctx.emitError(); });
    if (failed(shape))
      return failure();
    sum = ctx.create<mlir::cnn::AddOp>(ctx.f32Type(*shape), sum, *next);
  }
  ctx.setOutput(0, sum);
  return success();
}

LogicalResult importSoftmax(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = typeOf(*x).getShape();
  int64_t rank = static_cast<int64_t>(in.size());
  if (rank == 0)
    return ctx.emitError() << "input must have rank >= 1";
  bool coerce = ctx.opset() < 13;
  FailureOr<int64_t> axis =
      normalizeAxis(ctx, ctx.attrInt("axis", coerce ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  if (!coerce || (rank == 2 && *axis == 1)) {
    ctx.setOutput(0, ctx.create<mlir::cnn::SoftmaxOp>(*x, *axis));
    return success();
  }
  // Before opset 13 the input is viewed as [prod(dims < axis), prod(rest)]
  // and normalized along the second dim.
  Shape flat = {product(in.take_front(*axis)), product(in.drop_front(*axis))};
  Value v = ctx.create<mlir::cnn::ReshapeOp>(ctx.f32Type(flat), *x);
  v = ctx.create<mlir::cnn::SoftmaxOp>(v, 1);
  ctx.setOutput(0, ctx.create<mlir::cnn::ReshapeOp>(typeOf(*x), v));
  return success();
}

LogicalResult importLRN(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<Shape> in = require4D(ctx, 0, "input");
  if (failed(x) || failed(in))
    return failure();
  if (!ctx.hasAttr("size"))
    return ctx.emitError() << "attribute 'size' is required";
  int64_t size = ctx.attrInt("size", 1);
  if (size <= 0)
    return ctx.emitError() << "size must be positive, got " << size;
  auto &b = ctx.builder();
  ctx.setOutput(0, ctx.create<mlir::cnn::LRNOp>(
                       *x, b.getI64IntegerAttr(size),
                       b.getF32FloatAttr(ctx.attrFloat("alpha", 1e-4f)),
                       b.getF32FloatAttr(ctx.attrFloat("beta", 0.75f)),
                       b.getF32FloatAttr(ctx.attrFloat("bias", 1.0f))));
  return success();
}

LogicalResult importReduceMean(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = typeOf(*x).getShape();
  int64_t rank = static_cast<int64_t>(in.size());
  bool keepDims = ctx.attrInt("keepdims", 1) != 0;
  SmallVector<int64_t> rawAxes;
  if (ctx.opset() < 18) {
    rawAxes = ctx.attrInts("axes", {});
  } else if (ctx.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> a = constInts(ctx, 1, "axes");
    if (failed(a))
      return failure();
    rawAxes = *a;
  }
  if (rawAxes.empty()) {
    if (ctx.opset() >= 18 && ctx.attrInt("noop_with_empty_axes", 0) != 0) {
      ctx.setOutput(0, *x);
      return success();
    }
    for (int64_t i = 0; i < rank; ++i)
      rawAxes.push_back(i);
  }
  FailureOr<SmallVector<int64_t>> axes = normalizeAxes(ctx, rawAxes, rank);
  if (failed(axes))
    return failure();
  FailureOr<Shape> shape = mlir::cnn::inferReduceShape(
      in, *axes, keepDims, [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  if (rank == 4 && ArrayRef<int64_t>(*axes) == ArrayRef<int64_t>{2, 3}) {
    Value pooled = ctx.create<mlir::cnn::GlobalAvgPoolOp>(
        ctx.f32Type({in[0], in[1], 1, 1}), *x);
    if (!keepDims)
      pooled = ctx.create<mlir::cnn::ReshapeOp>(ctx.f32Type(*shape), pooled);
    ctx.setOutput(0, pooled);
    return success();
  }
  ctx.setOutput(0, ctx.create<mlir::cnn::ReduceMeanOp>(
                       ctx.f32Type(*shape), *x,
                       ctx.builder().getDenseI64ArrayAttr(*axes),
                       ctx.builder().getBoolAttr(keepDims)));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement beyond concat and reshape
//===----------------------------------------------------------------------===//

LogicalResult importTranspose(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = typeOf(*x).getShape();
  SmallVector<int64_t> reversed;
  for (int64_t i = static_cast<int64_t>(in.size()) - 1; i >= 0; --i)
    reversed.push_back(i);
  SmallVector<int64_t> perm = ctx.attrInts("perm", reversed);
  FailureOr<Shape> shape =
      mlir::cnn::inferTransposeShape(in, perm, [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  ctx.setOutput(
      0, ctx.create<mlir::cnn::TransposeOp>(ctx.f32Type(*shape), *x, perm));
  return success();
}

/// The result of Squeeze/Unsqueeze: a reshape, or new compile-time data.
LogicalResult reshapeOrFold(NodeContext &ctx, ArrayRef<int64_t> shape) {
  if (const ConstTensor *c = ctx.knownConstant(0)) {
    ConstTensor result = *c;
    result.shape = Shape(shape);
    ctx.setConstantOutput(0, std::move(result));
    return success();
  }
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  return reshapeTo(ctx, *x, shape);
}

/// Axes of Squeeze/Unsqueeze: an attribute before opset 13, an input after.
FailureOr<SmallVector<int64_t>> squeezeAxes(NodeContext &ctx, bool required) {
  if (ctx.opset() < 13) {
    if (required && !ctx.hasAttr("axes"))
      return ctx.emitError() << "attribute 'axes' is required";
    return ctx.attrInts("axes", {});
  }
  if (!ctx.hasInput(1)) {
    if (required)
      return ctx.emitError() << "input 1 (axes) is required";
    return SmallVector<int64_t>();
  }
  return constInts(ctx, 1, "axes");
}

LogicalResult importSqueeze(NodeContext &ctx) {
  FailureOr<Shape> in = ctx.inputShape(0);
  FailureOr<SmallVector<int64_t>> raw = squeezeAxes(ctx, false);
  if (failed(in) || failed(raw))
    return failure();
  int64_t rank = static_cast<int64_t>(in->size());
  SmallVector<int64_t> axes;
  if (raw->empty()) {
    for (int64_t i = 0; i < rank; ++i)
      if ((*in)[i] == 1)
        axes.push_back(i);
  } else {
    FailureOr<SmallVector<int64_t>> a = normalizeAxes(ctx, *raw, rank);
    if (failed(a))
      return failure();
    axes = *a;
  }
  Shape shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!llvm::is_contained(axes, i)) {
      shape.push_back((*in)[i]);
      continue;
    }
    if ((*in)[i] != 1)
      return ctx.emitError()
             << "cannot squeeze dim " << i << " of extent " << (*in)[i];
  }
  return reshapeOrFold(ctx, shape);
}

LogicalResult importUnsqueeze(NodeContext &ctx) {
  FailureOr<Shape> in = ctx.inputShape(0);
  FailureOr<SmallVector<int64_t>> raw = squeezeAxes(ctx, true);
  if (failed(in) || failed(raw))
    return failure();
  int64_t rank = static_cast<int64_t>(in->size() + raw->size());
  FailureOr<SmallVector<int64_t>> axes = normalizeAxes(ctx, *raw, rank);
  if (failed(axes))
    return failure();
  Shape shape;
  for (int64_t i = 0, next = 0; i < rank; ++i)
    shape.push_back(llvm::is_contained(*axes, i) ? 1 : (*in)[next++]);
  return reshapeOrFold(ctx, shape);
}

/// Concat: folded when every input is compile-time integer data (shape
/// vectors), else one cnn.concat.
LogicalResult importConcatOrFold(NodeContext &ctx) {
  bool allInts = ctx.numInputs() > 0;
  for (int i = 0; i < ctx.numInputs(); ++i) {
    const ConstTensor *c = ctx.knownConstant(i);
    allInts = allInts && c && !c->isFloat;
  }
  if (!allInts)
    return importConcat(ctx);
  SmallVector<ArrayRef<int64_t>> shapes;
  for (int i = 0; i < ctx.numInputs(); ++i)
    shapes.push_back(ctx.knownConstant(i)->shape);
  FailureOr<int64_t> axis = normalizeAxis(
      ctx, ctx.attrInt("axis", 0), static_cast<int64_t>(shapes[0].size()));
  if (failed(axis))
    return failure();
  FailureOr<Shape> shape = mlir::cnn::inferConcatShape(
      shapes, *axis, [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  // Row-major: each input contributes `outer` blocks of its inner extent.
  int64_t outer = product(ArrayRef<int64_t>(*shape).take_front(*axis));
  ConstTensor result;
  result.isFloat = false;
  result.shape = *shape;
  for (int64_t o = 0; o < outer; ++o)
    for (int i = 0; i < ctx.numInputs(); ++i) {
      const ConstTensor *c = ctx.knownConstant(i);
      int64_t block = c->numElements() / std::max<int64_t>(outer, 1);
      result.ints.insert(result.ints.end(), c->ints.begin() + o * block,
                         c->ints.begin() + (o + 1) * block);
    }
  ctx.setConstantOutput(0, std::move(result));
  return success();
}

LogicalResult importSplit(NodeContext &ctx) {
  FailureOr<Shape> in = ctx.inputShape(0);
  if (failed(in))
    return failure();
  FailureOr<int64_t> axis = normalizeAxis(ctx, ctx.attrInt("axis", 0),
                                          static_cast<int64_t>(in->size()));
  if (failed(axis))
    return failure();
  int64_t extent = (*in)[*axis];
  SmallVector<int64_t> sizes;
  if (ctx.opset() < 13) {
    sizes = ctx.attrInts("split", {});
  } else if (ctx.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> s = constInts(ctx, 1, "split");
    if (failed(s))
      return failure();
    sizes = *s;
  }
  int64_t parts = ctx.numOutputs();
  if (ctx.opset() >= 18 && ctx.hasAttr("num_outputs")) {
    if (!sizes.empty())
      return ctx.emitError() << "'split' and 'num_outputs' are mutually "
                                "exclusive";
    int64_t n = ctx.attrInt("num_outputs", parts);
    if (n != parts || n <= 0)
      return ctx.emitError() << "num_outputs (" << n << ") must equal the "
                             << "number of outputs (" << parts << ")";
    // Equal chunks of ceil(extent / n); the last may be smaller.
    int64_t chunk = (extent + n - 1) / n;
    for (int64_t i = 0; i < n; ++i)
      sizes.push_back(std::min(chunk, extent - i * chunk));
  } else if (sizes.empty()) {
    if (parts <= 0 || extent % parts != 0)
      return ctx.emitError() << "cannot split extent " << extent << " into "
                             << parts << " equal parts";
    sizes.assign(parts, extent / parts);
  }
  if (static_cast<int64_t>(sizes.size()) != parts)
    return ctx.emitError() << "split has " << sizes.size() << " sizes for "
                           << parts << " outputs";
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size <= 0)
      return ctx.emitError() << "split sizes must be positive (empty "
                                "tensors are not supported)";
    total += size;
  }
  if (total != extent)
    return ctx.emitError() << "split sizes add up to " << total
                           << ", not the extent " << extent << " of axis "
                           << *axis;
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  SmallVector<Type> types;
  for (int64_t size : sizes) {
    Shape shape = *in;
    shape[*axis] = size;
    types.push_back(ctx.f32Type(shape));
  }
  auto split = ctx.create<mlir::cnn::SplitOp>(types, *x, *axis);
  for (int i = 0; i < parts; ++i)
    if (ctx.hasOutput(i))
      ctx.setOutput(i, split.getResult(i));
  return success();
}

LogicalResult importSlice(NodeContext &ctx) {
  FailureOr<Shape> in = ctx.inputShape(0);
  if (failed(in))
    return failure();
  int64_t rank = static_cast<int64_t>(in->size());
  SmallVector<int64_t> starts, ends, axes, steps;
  if (ctx.opset() < 10) {
    if (!ctx.hasAttr("starts") || !ctx.hasAttr("ends"))
      return ctx.emitError() << "attributes 'starts' and 'ends' are required";
    starts = ctx.attrInts("starts", {});
    ends = ctx.attrInts("ends", {});
    axes = ctx.attrInts("axes", {});
  } else {
    FailureOr<SmallVector<int64_t>> s = constInts(ctx, 1, "starts");
    FailureOr<SmallVector<int64_t>> e = constInts(ctx, 2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (ctx.hasInput(3)) {
      FailureOr<SmallVector<int64_t>> a = constInts(ctx, 3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (ctx.hasInput(4)) {
      FailureOr<SmallVector<int64_t>> st = constInts(ctx, 4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return ctx.emitError() << "starts, ends, axes and steps must have the "
                              "same length";
  SmallVector<int64_t> offsets(rank, 0), sizes(in->begin(), in->end()),
      strides(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = normalizeAxis(ctx, axes[i], rank, 10);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return ctx.emitError() << "axis " << axes[i] << " is repeated";
    seen[*axis] = true;
    if (steps[i] <= 0)
      return ctx.emitError()
             << "only positive steps are supported, got " << steps[i];
    int64_t dim = (*in)[*axis];
    // ONNX clamps starts and ends into [0, dim] after adding dim to negative
    // values; INT64_MAX and INT64_MIN mean "to the end" / "from the start".
    auto clampIndex = [&](int64_t v) {
      if (v < 0)
        v = v < -dim ? 0 : v + dim;
      return std::min(v, dim);
    };
    int64_t start = clampIndex(starts[i]), end = clampIndex(ends[i]);
    offsets[*axis] = start;
    strides[*axis] = steps[i];
    sizes[*axis] = end > start ? (end - start + steps[i] - 1) / steps[i] : 0;
  }
  if (const ConstTensor *c = ctx.knownConstant(0)) {
    ctx.setConstantOutput(0, sliceElements(*c, offsets, sizes, strides));
    return success();
  }
  if (llvm::is_contained(sizes, 0))
    return ctx.emitError() << "the slice is empty (empty tensors are not "
                              "supported)";
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  ctx.setOutput(0, ctx.create<mlir::cnn::SliceOp>(ctx.f32Type(sizes), *x,
                                                  offsets, strides));
  return success();
}

LogicalResult importPad(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = typeOf(*x).getShape();
  int64_t rank = static_cast<int64_t>(in.size());
  std::string mode = ctx.attrString("mode", "constant");
  SmallVector<int64_t> pads;
  float value = 0.0f;
  if (ctx.opset() < 11) {
    if (!ctx.hasAttr("pads"))
      return ctx.emitError() << "attribute 'pads' is required";
    pads = ctx.attrInts("pads", {});
    value = ctx.attrFloat("value", 0.0f);
  } else {
    FailureOr<SmallVector<int64_t>> p = constInts(ctx, 1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (ctx.hasInput(2)) {
      FailureOr<const ConstTensor *> v = ctx.constantInput(2, "constant_value");
      if (failed(v))
        return failure();
      if (!(*v)->isFloat || (*v)->numElements() != 1)
        return ctx.emitError() << "constant_value must be a float scalar";
      value = (*v)->floats[0];
    }
    if (ctx.hasInput(3)) {
      // Pads given for some axes only (opset 18): spread them over all dims.
      FailureOr<SmallVector<int64_t>> a = constInts(ctx, 3, "axes");
      if (failed(a))
        return failure();
      if (pads.size() != 2 * a->size())
        return ctx.emitError() << "expects 2 pads per axis";
      SmallVector<int64_t> full(2 * rank, 0);
      for (auto [i, raw] : llvm::enumerate(*a)) {
        FailureOr<int64_t> axis = normalizeAxis(ctx, raw, rank);
        if (failed(axis))
          return failure();
        full[*axis] = pads[i];
        full[rank + *axis] = pads[a->size() + i];
      }
      pads = full;
    }
  }
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return ctx.emitError() << "negative pads (cropping) are not supported";
  FailureOr<Shape> shape =
      mlir::cnn::inferPadShape(in, pads, mode, [&] { return ctx.emitError(); });
  if (failed(shape))
    return failure();
  ctx.setOutput(
      0, ctx.create<mlir::cnn::PadOp>(ctx.f32Type(*shape), *x,
                                      ctx.builder().getDenseI64ArrayAttr(pads),
                                      ctx.builder().getStringAttr(mode),
                                      ctx.builder().getF32FloatAttr(value)));
  return success();
}

} // namespace

static const OpImporter kImporters[] = {
    {"Add", 7, 21, "NumPy broadcasting; folded on compile-time data",
     importArith<mlir::cnn::AddOp>},
    {"AveragePool", 7, 21, "2-D; pads smaller than the kernel; no dilations",
     importAvgPool},
    {"BatchNormalization", 7, 21, "inference mode; spatial=1", importBatchNorm},
    {"Clip", 6, 10, "min/max attributes", importClip},
    {"Clip", 11, 21, "min/max inputs known at compile time", importClip},
    {"Cast", 6, 21,
     "to FLOAT/INT64/INT32 on compile-time data; identity to FLOAT",
     importCast},
    {"Concat", 4, 21, "folded on compile-time integer data",
     importConcatOrFold},
    {"Constant", 1, 21, "dense float/int tensors and scalars", importConstant},
    {"Conv", 1, 21, "2-D (NCHW); groups, dilations, auto_pad", importConv},
    {"Div", 7, 21, "NumPy broadcasting; folded on compile-time data",
     importArith<mlir::cnn::DivOp>},
    {"Dropout", 7, 21, "inference (identity); no mask output", importDropout},
    {"Flatten", 1, 21, "", importFlatten},
    {"Gather", 1, 21, "compile-time data and indices (scalar or 1-D)",
     importGather},
    {"Gemm", 7, 21, "", importGemm},
    {"GlobalAveragePool", 1, 21, "2-D (NCHW)",
     importGlobalPool<mlir::cnn::GlobalAvgPoolOp>},
    {"GlobalMaxPool", 1, 21, "2-D (NCHW)",
     importGlobalPool<mlir::cnn::GlobalMaxPoolOp>},
    {"HardSigmoid", 6, 21, "", importHardSigmoid},
    {"HardSwish", 14, 21, "", importActivation<mlir::cnn::HardSwishOp>},
    {"Identity", 1, 21, "", importPassThrough},
    {"LRN", 1, 21, "4-D (NCHW)", importLRN},
    {"LeakyRelu", 6, 21, "", importLeakyRelu},
    {"MatMul", 1, 21, "2-D", importMatMul},
    {"MaxPool", 7, 21, "2-D; storage_order=0; no Indices output",
     importMaxPool},
    {"Mul", 7, 21, "NumPy broadcasting; folded on compile-time data",
     importArith<mlir::cnn::MulOp>},
    {"PRelu", 7, 21, "slope broadcasts to X (e.g. per channel)", importPRelu},
    {"Pad", 2, 10, "pads attribute; constant/edge/reflect; non-negative",
     importPad},
    {"Pad", 11, 21,
     "pads (and axes) inputs known at compile time; constant/edge/reflect; "
     "non-negative",
     importPad},
    {"ReduceMean", 1, 17, "axes attribute; spatial NCHW -> global pool",
     importReduceMean},
    {"ReduceMean", 18, 21, "axes input known at compile time",
     importReduceMean},
    {"Relu", 6, 21, "", importRelu},
    {"Reshape", 5, 21, "shape known at compile time", importReshape},
    {"Shape", 1, 21, "static shapes; folded to compile-time data", importShape},
    {"Sigmoid", 6, 21, "", importActivation<mlir::cnn::SigmoidOp>},
    {"Slice", 1, 9, "starts/ends/axes attributes; folded on compile-time data",
     importSlice},
    {"Slice", 10, 21,
     "inputs known at compile time; positive steps; folded on compile-time "
     "data",
     importSlice},
    {"Softmax", 1, 12, "2-D coercion at axis", importSoftmax},
    {"Softmax", 13, 21, "along axis", importSoftmax},
    {"Split", 2, 12, "split attribute or equal parts", importSplit},
    {"Split", 13, 21,
     "split input known at compile time, num_outputs (18+), or equal parts",
     importSplit},
    {"Squeeze", 1, 12, "axes attribute; folded on compile-time data",
     importSqueeze},
    {"Squeeze", 13, 21, "axes input known at compile time", importSqueeze},
    {"Sub", 7, 21, "NumPy broadcasting; folded on compile-time data",
     importArith<mlir::cnn::SubOp>},
    {"Sum", 6, 21, "chain of adds with NumPy broadcasting", importSum},
    {"Tanh", 6, 21, "", importActivation<mlir::cnn::TanhOp>},
    {"Transpose", 1, 21, "", importTranspose},
    {"Unsqueeze", 1, 12, "axes attribute; folded on compile-time data",
     importUnsqueeze},
    {"Unsqueeze", 13, 21, "axes input known at compile time", importUnsqueeze},
};

ArrayRef<OpImporter> cnnc::onnx_import::opImporters() { return kImporters; }
