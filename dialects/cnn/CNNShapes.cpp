//===- CNNShapes.cpp - Result shapes of cnn ops ---------------------------===//
#include "dialects/cnn/CNNShapes.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::cnn;

static std::string str(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::interleave(
      shape, [&](int64_t d) { s += std::to_string(d); }, [&] { s += ","; });
  return s + "]";
}

static LogicalResult checkPositive(ArrayRef<int64_t> values, StringRef what,
                                   EmitErrorFn emitError) {
  if (llvm::all_of(values, [](int64_t v) { return v > 0; }))
    return success();
  return emitError() << what << " must be positive, got " << str(values);
}

FailureOr<Shape> cnn::inferConv2DShape(ArrayRef<int64_t> input,
                                       ArrayRef<int64_t> filter,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> pads,
                                       ArrayRef<int64_t> dilations,
                                       int64_t groups, EmitErrorFn emitError) {
  if (input.size() != 4 || filter.size() != 4)
    return emitError() << "expects 4-D input and filter, got " << str(input)
                       << " and " << str(filter);
  if (failed(checkPositive(strides, "strides", emitError)) ||
      failed(checkPositive(dilations, "dilations", emitError)) ||
      failed(checkPositive(filter, "filter extents", emitError)))
    return failure();
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitError() << "pads must be non-negative, got " << str(pads);
  if (groups <= 0 || input[1] % groups != 0 || filter[0] % groups != 0)
    return emitError() << "groups (" << groups
                       << ") must divide the input channels (" << input[1]
                       << ") and the output channels (" << filter[0] << ")";
  if (filter[1] * groups != input[1])
    return emitError() << "filter has " << filter[1]
                       << " channels per group, but the input has "
                       << input[1] << " channels in " << groups << " groups";
  Shape result = {input[0], filter[0], 0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t window = dilations[i] * (filter[2 + i] - 1) + 1;
    int64_t span = input[2 + i] + pads[i] + pads[2 + i] - window;
    if (span < 0)
      return emitError() << "the " << (i ? "width" : "height")
                         << " window (" << window
                         << ") is larger than the padded input ("
                         << span + window << ")";
    result[2 + i] = span / strides[i] + 1;
  }
  return result;
}

FailureOr<int64_t> cnn::inferPoolExtent(int64_t in, int64_t kernel,
                                        int64_t stride, int64_t padBegin,
                                        int64_t padEnd, int64_t dilation,
                                        bool ceilMode, EmitErrorFn emitError) {
  if (kernel <= 0 || stride <= 0 || dilation <= 0 || padBegin < 0 ||
      padEnd < 0)
    return emitError() << "kernel, stride and dilation must be positive and "
                          "pads non-negative";
  int64_t window = dilation * (kernel - 1) + 1;
  int64_t span = in + padBegin + padEnd - window;
  if (span < 0)
    return emitError() << "pooling window (" << window
                       << ") is larger than the padded input (" << span + window
                       << ")";
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // A last window that starts in the end padding sees no input.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

FailureOr<Shape> cnn::inferPool2DShape(ArrayRef<int64_t> input,
                                       ArrayRef<int64_t> kernel,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> pads,
                                       ArrayRef<int64_t> dilations,
                                       bool ceilMode, EmitErrorFn emitError) {
  if (input.size() != 4)
    return emitError() << "expects a 4-D input, got " << str(input);
  Shape result = {input[0], input[1], 0, 0};
  for (int i = 0; i < 2; ++i) {
    FailureOr<int64_t> extent =
        inferPoolExtent(input[2 + i], kernel[i], strides[i], pads[i],
                        pads[2 + i], dilations[i], ceilMode, emitError);
    if (failed(extent))
      return failure();
    result[2 + i] = *extent;
  }
  return result;
}

FailureOr<Shape> cnn::inferBroadcastShape(ArrayRef<int64_t> lhs,
                                          ArrayRef<int64_t> rhs,
                                          EmitErrorFn emitError) {
  size_t rank = std::max(lhs.size(), rhs.size());
  Shape result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return emitError() << "shapes " << str(lhs) << " and " << str(rhs)
                         << " do not broadcast";
    result[i] = l == 1 ? r : l;
  }
  return result;
}

LogicalResult cnn::checkBroadcastsTo(ArrayRef<int64_t> from,
                                     ArrayRef<int64_t> to,
                                     EmitErrorFn emitError) {
  bool ok = from.size() <= to.size();
  for (size_t i = 0; ok && i < from.size(); ++i) {
    int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    ok = f == t || f == 1;
  }
  if (ok)
    return success();
  return emitError() << "shape " << str(from) << " does not broadcast to "
                     << str(to);
}

FailureOr<Shape> cnn::inferConcatShape(ArrayRef<ArrayRef<int64_t>> inputs,
                                       int64_t axis, EmitErrorFn emitError) {
  if (inputs.empty())
    return emitError() << "expects at least one input";
  Shape result(inputs.front());
  if (axis < 0 || axis >= static_cast<int64_t>(result.size()))
    return emitError() << "axis " << axis << " is out of range for rank "
                       << result.size();
  for (ArrayRef<int64_t> shape : inputs.drop_front()) {
    bool compatible = shape.size() == result.size();
    for (size_t i = 0; compatible && i < shape.size(); ++i)
      compatible = i == static_cast<size_t>(axis) || shape[i] == result[i];
    if (!compatible)
      return emitError() << "cannot concatenate " << str(shape) << " with "
                         << str(inputs.front()) << " along axis " << axis;
    result[axis] += shape[axis];
  }
  return result;
}

FailureOr<Shape> cnn::inferGemmShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                                     bool transA, bool transB,
                                     EmitErrorFn emitError) {
  if (a.size() != 2 || b.size() != 2)
    return emitError() << "expects 2-D operands, got " << str(a) << " and "
                       << str(b);
  int64_t m = transA ? a[1] : a[0], ka = transA ? a[0] : a[1];
  int64_t kb = transB ? b[1] : b[0], n = transB ? b[0] : b[1];
  if (ka != kb)
    return emitError() << "inner dimensions differ: " << str(a)
                       << (transA ? "^T" : "") << " x " << str(b)
                       << (transB ? "^T" : "");
  return Shape{m, n};
}

FailureOr<Shape> cnn::inferTransposeShape(ArrayRef<int64_t> input,
                                          ArrayRef<int64_t> perm,
                                          EmitErrorFn emitError) {
  SmallVector<bool> seen(input.size(), false);
  bool valid = perm.size() == input.size();
  for (size_t i = 0; valid && i < perm.size(); ++i) {
    valid = perm[i] >= 0 && perm[i] < static_cast<int64_t>(input.size()) &&
            !seen[perm[i]];
    if (valid)
      seen[perm[i]] = true;
  }
  if (!valid)
    return emitError() << "perm " << str(perm)
                       << " is not a permutation of the dims of " << str(input);
  Shape result;
  for (int64_t p : perm)
    result.push_back(input[p]);
  return result;
}

FailureOr<Shape> cnn::inferPadShape(ArrayRef<int64_t> input,
                                    ArrayRef<int64_t> pads, StringRef mode,
                                    EmitErrorFn emitError) {
  size_t rank = input.size();
  if (pads.size() != 2 * rank)
    return emitError() << "expects " << 2 * rank << " pads for rank " << rank
                       << ", got " << pads.size();
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitError() << "pads must be non-negative, got " << str(pads);
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return emitError() << "unknown pad mode '" << mode
                       << "' (expected constant, edge or reflect)";
  Shape result(input);
  for (size_t i = 0; i < rank; ++i) {
    int64_t most = std::max(pads[i], pads[rank + i]);
    if (mode == "reflect" && most > 0 && most >= input[i])
      return emitError() << "reflect pads (" << most
                         << ") must be smaller than dim " << i << " ("
                         << input[i] << ")";
    if (mode == "edge" && most > 0 && input[i] == 0)
      return emitError() << "edge padding of the empty dim " << i;
    result[i] += pads[i] + pads[rank + i];
  }
  return result;
}

FailureOr<Shape> cnn::inferReduceShape(ArrayRef<int64_t> input,
                                       ArrayRef<int64_t> axes, bool keepDims,
                                       EmitErrorFn emitError) {
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] < 0 || axes[i] >= static_cast<int64_t>(input.size()) ||
        (i > 0 && axes[i] <= axes[i - 1]))
      return emitError() << "axes " << str(axes)
                         << " must be sorted, distinct dims of " << str(input);
  Shape result;
  for (auto [i, d] : llvm::enumerate(input)) {
    bool reduced = llvm::is_contained(axes, static_cast<int64_t>(i));
    if (!reduced)
      result.push_back(d);
    else if (keepDims)
      result.push_back(1);
  }
  return result;
}

LogicalResult cnn::checkSlice(ArrayRef<int64_t> input,
                              ArrayRef<int64_t> offsets,
                              ArrayRef<int64_t> sizes,
                              ArrayRef<int64_t> strides,
                              EmitErrorFn emitError) {
  size_t rank = input.size();
  if (offsets.size() != rank || strides.size() != rank || sizes.size() != rank)
    return emitError() << "expects " << rank
                       << " offsets, sizes and strides, got " << offsets.size()
                       << ", " << sizes.size() << " and " << strides.size();
  if (failed(checkPositive(strides, "strides", emitError)))
    return failure();
  for (size_t i = 0; i < rank; ++i)
    if (offsets[i] < 0 || sizes[i] < 0 ||
        (sizes[i] > 0 && offsets[i] + (sizes[i] - 1) * strides[i] >= input[i]))
      return emitError() << "dim " << i << ": " << sizes[i]
                         << " elements from offset " << offsets[i]
                         << " by stride " << strides[i]
                         << " do not fit in extent " << input[i];
  return success();
}

LogicalResult cnn::checkSplit(ArrayRef<int64_t> input,
                              ArrayRef<ArrayRef<int64_t>> parts, int64_t axis,
                              EmitErrorFn emitError) {
  if (parts.empty())
    return emitError() << "expects at least one result";
  SmallVector<ArrayRef<int64_t>> all(parts);
  FailureOr<Shape> joined = inferConcatShape(all, axis, emitError);
  if (failed(joined))
    return failure();
  if (ArrayRef<int64_t>(*joined) != input)
    return emitError() << "results joined along axis " << axis << " give "
                       << str(*joined) << ", not the input shape "
                       << str(input);
  return success();
}
