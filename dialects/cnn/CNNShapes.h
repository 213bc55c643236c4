//===- CNNShapes.h - Result shapes of cnn ops -------------------*- C++ -*-===//
//
// The one place that knows how each op's result shape follows from its
// operands and attributes. The op verifiers and the ONNX importer both call
// these, so an imported op always verifies and the rules cannot drift.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_DIALECTS_CNN_CNNSHAPES_H
#define CNNC_DIALECTS_CNN_CNNSHAPES_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::cnn {

using Shape = llvm::SmallVector<int64_t, 4>;
using EmitErrorFn = llvm::function_ref<InFlightDiagnostic()>;

/// NCHW input, FCHW filter.
FailureOr<Shape> inferConv2DShape(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> filter,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> pads,
                                  ArrayRef<int64_t> dilations, int64_t groups,
                                  EmitErrorFn emitError);

/// Output extent of one spatial dim of a pooling window; `ceilMode` drops a
/// last window that would start in the end padding.
FailureOr<int64_t> inferPoolExtent(int64_t in, int64_t kernel, int64_t stride,
                                   int64_t padBegin, int64_t padEnd,
                                   int64_t dilation, bool ceilMode,
                                   EmitErrorFn emitError);

/// NCHW pooling with kernel/strides/dilations (H, W) and pads (t, l, b, r).
FailureOr<Shape> inferPool2DShape(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> pads,
                                  ArrayRef<int64_t> dilations, bool ceilMode,
                                  EmitErrorFn emitError);

/// NumPy broadcasting of two shapes.
FailureOr<Shape> inferBroadcastShape(ArrayRef<int64_t> lhs,
                                     ArrayRef<int64_t> rhs,
                                     EmitErrorFn emitError);

/// Checks that `from` broadcasts to exactly `to` (one-directional, as for
/// Gemm's C).
LogicalResult checkBroadcastsTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to,
                                EmitErrorFn emitError);

/// Concatenation of `inputs` along `axis`.
FailureOr<Shape> inferConcatShape(ArrayRef<ArrayRef<int64_t>> inputs,
                                  int64_t axis, EmitErrorFn emitError);

/// [M, K] x [K, N] with optional transposes.
FailureOr<Shape> inferGemmShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                                bool transA, bool transB,
                                EmitErrorFn emitError);

/// Dims of `input` permuted: result dim i is input dim perm[i].
FailureOr<Shape> inferTransposeShape(ArrayRef<int64_t> input,
                                     ArrayRef<int64_t> perm,
                                     EmitErrorFn emitError);

/// `pads` = begins of every dim then ends; `mode` constant, edge or reflect.
FailureOr<Shape> inferPadShape(ArrayRef<int64_t> input, ArrayRef<int64_t> pads,
                               StringRef mode, EmitErrorFn emitError);

/// Reduction over `axes` (sorted, distinct, non-negative).
FailureOr<Shape> inferReduceShape(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> axes, bool keepDims,
                                  EmitErrorFn emitError);

/// Checks a strided slice: `sizes` elements from `offsets` by `strides`
/// stay inside `input` in every dim.
LogicalResult checkSlice(ArrayRef<int64_t> input, ArrayRef<int64_t> offsets,
                         ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides,
                         EmitErrorFn emitError);

/// Checks that `parts`, concatenated along `axis`, make up `input`.
LogicalResult checkSplit(ArrayRef<int64_t> input,
                         ArrayRef<ArrayRef<int64_t>> parts, int64_t axis,
                         EmitErrorFn emitError);

} // namespace mlir::cnn

#endif // CNNC_DIALECTS_CNN_CNNSHAPES_H
