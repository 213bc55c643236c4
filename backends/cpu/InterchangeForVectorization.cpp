//===- InterchangeForVectorization.cpp - Innermost loop = contiguous dim --===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc {
#define GEN_PASS_DEF_CPUINTERCHANGEFORVECTORIZATION
#include "backends/cpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The loop permutation that moves the loop indexing the output's last
/// dimension to the innermost position, or nothing if it is already there
/// or the op does not qualify.
std::optional<SmallVector<unsigned>> innermostContiguous(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1)
    return std::nullopt;
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!outMap.isProjectedPermutation() || outMap.getNumResults() == 0)
    return std::nullopt;
  unsigned last = cast<AffineDimExpr>(outMap.getResults().back()).getPosition();
  unsigned numLoops = op.getNumLoops();
  if (last == numLoops - 1)
    return std::nullopt;
  SmallVector<unsigned> order;
  for (unsigned i = 0; i < numLoops; ++i)
    if (i != last)
      order.push_back(i);
  order.push_back(last);
  return order;
}

struct CPUInterchangeForVectorizationPass
    : cnnc::impl::CPUInterchangeForVectorizationBase<
          CPUInterchangeForVectorizationPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !isa<linalg::FillOp>(op))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      rewriter.setInsertionPoint(op);
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        // Named ops with a single loop (copies, fills) gain nothing.
        if (op.getNumLoops() < 2 || isa<linalg::TransposeOp>(op))
          continue;
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(generalized))
          continue;
        generic = *generalized;
      }
      if (std::optional<SmallVector<unsigned>> order =
              innermostContiguous(generic))
        (void)linalg::interchangeGenericOp(rewriter, generic, *order);
    }
  }
};

} // namespace
