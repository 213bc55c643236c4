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
                       ctx.f32Type(*shape), *x, *w, bias, *strides, *pads,
                       *dilations, groups));
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

} // namespace

static const OpImporter kImporters[] = {
    {"Add", 7, 21, "NumPy broadcasting", importBinary<mlir::cnn::AddOp>},
    {"AveragePool", 7, 21,
     "2-D; pads smaller than the kernel; no dilations", importAvgPool},
    {"BatchNormalization", 7, 21, "inference mode; spatial=1",
     importBatchNorm},
    {"Clip", 6, 10, "min/max attributes", importClip},
    {"Clip", 11, 21, "min/max inputs known at compile time", importClip},
    {"Concat", 4, 21, "", importConcat},
    {"Constant", 1, 21, "dense float/int tensors and scalars",
     importConstant},
    {"Conv", 1, 21, "2-D (NCHW); groups, dilations, auto_pad", importConv},
    {"Dropout", 7, 21, "inference (identity); no mask output", importDropout},
    {"Flatten", 1, 21, "", importFlatten},
    {"Gemm", 7, 21, "", importGemm},
    {"GlobalAveragePool", 1, 21, "2-D (NCHW)",
     importGlobalPool<mlir::cnn::GlobalAvgPoolOp>},
    {"GlobalMaxPool", 1, 21, "2-D (NCHW)",
     importGlobalPool<mlir::cnn::GlobalMaxPoolOp>},
    {"Identity", 1, 21, "", importPassThrough},
    {"MatMul", 1, 21, "2-D", importMatMul},
    {"MaxPool", 8, 21, "2-D; storage_order=0; no Indices output",
     importMaxPool},
    {"Mul", 7, 21, "NumPy broadcasting", importBinary<mlir::cnn::MulOp>},
    {"Relu", 6, 21, "", importRelu},
    {"Reshape", 5, 21, "shape known at compile time", importReshape},
};

ArrayRef<OpImporter> cnnc::onnx_import::opImporters() { return kImporters; }
