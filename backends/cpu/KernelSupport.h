//===- KernelSupport.h - What the CPU kernel emitters share -----*- C++ -*-===//
//
// The CPU kernels (matrix-product micro-kernels, direct convolutions) apply
// the element-wise op that consumes their result, and start from the bias
// their init broadcasts, while the result is still in vector registers; and
// they pick tile sizes that divide the extents. Convolutions carry the
// tiling plan of cnnc-cpu-group-tiling, which their kernels follow.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_BACKENDS_CPU_KERNELSUPPORT_H
#define CNNC_BACKENDS_CPU_KERNELSUPPORT_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace cnnc {

/// The element-wise op a kernel computing `op` can absorb as its epilogue:
/// the only user of the result, all-parallel, reading it exactly where it
/// writes, with a body of scalar arith/math ops.
mlir::linalg::GenericOp fusableEpilogue(mlir::Operation *op);

/// The element-wise op of `use` if it is one a kernel could apply to its
/// result in registers, as for fusableEpilogue, whatever the other users.
mlir::linalg::GenericOp elementwiseUser(mlir::OpOperand &use);

/// The epilogue's body on one vector `acc` of the kernel's result
/// `produced`: its other operands are read at the same place (`indicesOf`
/// gives the indices for an indexing map), as vectors when they vary along
/// the innermost loop, else as broadcast scalars.
mlir::Value
applyEpilogue(mlir::OpBuilder &b, mlir::Location l,
              mlir::linalg::GenericOp epilogue, mlir::Value produced,
              mlir::Value acc, mlir::VectorType vecType,
              llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::AffineMap)>
                  indicesOf,
              mlir::Value pad, bool inBounds);

/// The 1-D bias of an NCHW init that broadcasts it along N, H and W, or
/// null.
mlir::Value channelBias(mlir::Value init);

/// Largest divisor of `n` that is at most `limit` (at least 1).
int64_t largestDivisorAtMost(int64_t n, int64_t limit);

/// Lanes of a matrix-product tile along a unit-stride extent: 1, 2 or 4
/// whole vectors, at most an eighth of the `numRegisters` vector registers
/// (the rest hold the tile's rows), that divide it, else as many as cover
/// it with a masked last tile. Never 3: LLVM splits a vector of three
/// registers into many small pieces (a 1x1 conv took 12x as long).
int64_t columnsPerTile(int64_t extent, int64_t vectorWidth,
                       int64_t numRegisters);

/// Name of the attribute holding a convolution's GroupTilingPlan.
constexpr llvm::StringLiteral kGroupTilingAttr = "cnnc.group_tiling";

/// How cnnc-cpu-group-tiling tiles a convolution with `groups` groups. A
/// kernel computes `channelsPerTile` output channels, either inside one
/// group (`groupsPerTile` = 1, a divisor of the group's channels) or made of
/// `groupsPerTile` whole consecutive groups, each with its own inputs.
struct GroupTilingPlan {
  /// The dim the vectors run along: the output row (direct KxK kernels) or
  /// the flattened pixels (pointwise matrix products).
  enum class Vector { Width, Pixels };
  int64_t groups = 1;
  int64_t groupsPerTile = 1;
  int64_t channelsPerTile = 1;
  Vector vector = Vector::Width;
  /// Lanes per vector; for Width, a row narrower than this is masked.
  int64_t lanes = 1;
  /// Pixels: vectors per kernel along the pixels.
  int64_t vectorsPerTile = 1;
  /// Width: output rows per spatial tile, which every channel tile sweeps
  /// before the next (its input rows stay in cache).
  int64_t rowsPerTile = 1;
  /// Width: output rows one kernel computes at once (at most rowsPerTile;
  /// the rows a whole kernel no longer fits are done one at a time): an
  /// input row loaded once serves every one of them its tap reaches, and a
  /// broadcast weight serves them all.
  int64_t rowsPerKernel = 1;

  mlir::DictionaryAttr toAttr(mlir::MLIRContext *ctx) const;
  /// The plan `op` carries, if any.
  static std::optional<GroupTilingPlan> of(mlir::Operation *op);
};

} // namespace cnnc

#endif // CNNC_BACKENDS_CPU_KERNELSUPPORT_H
