//===- PrivateDestinations.cpp - One destination tensor per writer --------===//
//
// CSE merges identical tensor.empty and linalg.fill ops, so after it several
// kernels name the same tensor as their destination. One-shot bufferization
// then gives them one buffer: each later writer copies the shared initial
// value first, and a kernel's buffer is no longer its own, which keeps
// cnnc-forward-copies from computing concat pieces in place. Cloning the
// empty (and the fill of it) for each user restores one destination per
// writer; the memory plan still packs the buffers by liveness.
//
//===----------------------------------------------------------------------===//
#include "backends/common/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_PRIVATEDESTINATIONS
#include "backends/common/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Gives every use of `op`'s result but the first a clone of `op` of its
/// own, made next to `op` (not at the user, which may sit in a loop).
void privatize(Operation *op) {
  SmallVector<OpOperand *> uses;
  for (OpOperand &use : op->getResult(0).getUses())
    uses.push_back(&use);
  OpBuilder b(op->getContext());
  b.setInsertionPointAfter(op);
  for (OpOperand *use : llvm::drop_begin(uses))
    use->set(b.clone(*op)->getResult(0));
}

struct PrivateDestinationsPass
    : cnnc::impl::PrivateDestinationsBase<PrivateDestinationsPass> {
  void runOnOperation() override {
    // Fills first: each clone of a fill reads the same empty, which the
    // second walk then privatizes with the other shared empties.
    SmallVector<Operation *> shared;
    getOperation().walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() &&
          fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>() &&
          !fill->getResult(0).hasOneUse())
        shared.push_back(fill);
    });
    for (Operation *op : shared)
      privatize(op);
    shared.clear();
    getOperation().walk([&](tensor::EmptyOp empty) {
      if (!empty->getResult(0).hasOneUse())
        shared.push_back(empty);
    });
    for (Operation *op : shared)
      privatize(op);
  }
};

} // namespace
