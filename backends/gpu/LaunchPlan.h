//===- LaunchPlan.h - What one GPU launch computes -------------*- C++ -*-===//
//
// The pieces of cnnc-gpu-map-to-launches (MapToLaunches.cpp): what a launch
// fuses besides its op and how that is planned (LaunchFusion.cpp), and the
// code that computes the op and what it fuses at a set of output points
// (PointCode.cpp). Internal to backends/gpu.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_BACKENDS_GPU_LAUNCHPLAN_H
#define CNNC_BACKENDS_GPU_LAUNCHPLAN_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace cnnc::gpu {

using namespace mlir;

/// An input that a fill and a copy into its interior padded: its elements
/// are read from `source` inside the interior and are `value` outside.
struct Padded {
  Value source;
  SmallVector<int64_t> offsets, sizes;
  Value value;
};

/// What one launch computes besides its op.
struct Fusion {
  /// Writes every element of the op's init before the op accumulates
  /// into it (the bias broadcast of a convolution).
  linalg::LinalgOp producer;
  /// Element-wise op reading the op's result (its epilogue, or the copy
  /// of the result into a concatenation or an output).
  linalg::LinalgOp consumer;
  unsigned consumerOperand = 0;
  /// Whether the op's own result is read by anything but the consumer.
  bool storeResult = true;
  DenseMap<unsigned, Padded> padded; // by operand number of the op
  /// A constant too large for one binding, split along parallel loop
  /// `loop`: this launch computes [begin, begin + length) of it and reads
  /// `global`, the matching slice of dim `dim` of operand `operand`.
  struct Slice {
    unsigned loop = 0, operand = 0, dim = 0;
    int64_t begin = 0, length = 0;
    Value global;
  };
  std::optional<Slice> slice;
  /// Views of the final result's shape it is also stored to: the targets of
  /// copies that only moved it on (a ShuffleNet unit's pass-through half,
  /// from one concatenation into the next).
  SmallVector<Value> copies;
};

//===- Buffers and their views --------------------------------------------===//

/// The buffer `v` views and whether it views all of it in row-major order
/// (reshapes and casts do, subviews do not).
Value rootOf(Value v, bool &whole);
/// The buffer `v` views all of, or null.
Value wholeRootOf(Value v);
/// The ops other than views that use `root` or a view of it.
SmallVector<Operation *> usersOf(Value root);
ArrayRef<int64_t> shapeOf(Value v);

//===- Planning (LaunchFusion.cpp) ----------------------------------------===//

/// What fuses into `op`'s launch (see Passes.td).
Fusion planFusion(linalg::LinalgOp op);

/// A copy from view S of one buffer into view T of another, where S is
/// exactly what an earlier launch stores, becomes one more store of that
/// launch (into T) when nothing in between reads T's buffer or writes
/// where T or S lie; T's allocation and views move up to the launch.
void forwardSliceCopies(
    SmallVector<std::pair<linalg::LinalgOp, Fusion>> &launches,
    DenseSet<Operation *> &absorbed);

//===- Point code (PointCode.cpp) -----------------------------------------===//

/// The results of `map` at `ivs`, one affine.apply each.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ArrayRef<Value> ivs);
/// `indices` into a row-major buffer of shape `from`, as indices of the same
/// element in shape `to` (same number of elements).
SmallVector<Value> reshapeIndices(OpBuilder &b, Location loc,
                                  ValueRange indices, ArrayRef<int64_t> from,
                                  ArrayRef<int64_t> to);
/// The operand's element at the point `ivs` of the op's loops (through the
/// padding or the slice `fusion` gives it).
Value loadAt(OpBuilder &b, Location loc, linalg::LinalgOp op,
             OpOperand &operand, ArrayRef<Value> ivs,
             const Fusion *fusion = nullptr);
/// The payload at one point: inputs loaded (or taken from `given`, by
/// operand number), `accumulators` for the inits; returns the yielded
/// values.
SmallVector<Value>
clonePayload(OpBuilder &b, Location loc, linalg::LinalgOp op,
             ArrayRef<Value> ivs, ValueRange accumulators,
             const DenseMap<unsigned, Value> &given = DenseMap<unsigned, Value>(),
             const Fusion *fusion = nullptr);
/// The initial values of the op's inits at `points` (numInits per point;
/// null where nothing reads one), and each point's output indices.
SmallVector<Value> initPoints(OpBuilder &b, Location loc, linalg::LinalgOp op,
                              SmallVector<SmallVector<Value>> &points,
                              const Fusion &fusion,
                              SmallVector<SmallVector<Value>> &outIndices);
/// Stores the op's `results` (numInits per point) at `points`, through what
/// `fusion` adds; a point whose `valid` flag (if given) is false stores
/// nothing.
void storePoints(OpBuilder &b, Location loc, linalg::LinalgOp op,
                 ArrayRef<SmallVector<Value>> points,
                 ArrayRef<SmallVector<Value>> outIndices,
                 ArrayRef<Value> results, const Fusion &fusion,
                 ArrayRef<Value> valid = {});
/// Computes `op` (and what `fusion` adds) at `points`, each the values of
/// the op's parallel loops (the reduction entries are filled here). The
/// points share one reduction loop nest, so loads that do not depend on
/// what tells them apart are made once (CSE) for all of them.
void emitPoints(OpBuilder &b, Location loc, linalg::LinalgOp op,
                SmallVector<SmallVector<Value>> points,
                ArrayRef<int64_t> ranges, const Fusion &fusion);

} // namespace cnnc::gpu

#endif // CNNC_BACKENDS_GPU_LAUNCHPLAN_H
