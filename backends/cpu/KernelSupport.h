//===- KernelSupport.h - What the CPU kernel emitters share -----*- C++ -*-===//
//
// The CPU kernels (matrix-product micro-kernels, direct convolutions) apply
// the element-wise op that consumes their result, and start from the bias
// their init broadcasts, while the result is still in vector registers; and
// they pick tile sizes that divide the extents.
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

} // namespace cnnc

#endif // CNNC_BACKENDS_CPU_KERNELSUPPORT_H
