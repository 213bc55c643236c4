//===- PrivateDestinations.cpp - One destination tensor per writer --------===//
//
// CSE merges identical tensor.empty and linalg.fill ops, so after it several
// kernels name the same tensor as their destination. One-shot bufferization
// then gives them one buffer: each later writer copies the shared initial
// value first, and a kernel's buffer is no longer its own, which keeps
// cnnc-cpu-forward-copies from computing concat pieces in place. Cloning the
// empty (and the fill of it) for each user restores one destination per
// writer; the memory plan still packs the buffers by liveness.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_CPUPRIVATEDESTINATIONS
#include "backends/cpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Gives every use of `op`'s result but the first a clone of `op` of its
/// own, made just before the user.
void privatize(Operation *op) {
  SmallVector<OpOperand *> uses;
  for (OpOperand &use : op->getResult(0).getUses())
    uses.push_back(&use);
  for (OpOperand *use : llvm::drop_begin(uses)) {
    OpBuilder b(use->getOwner());
    use->set(b.clone(*op)->getResult(0));
  }
}

struct CPUPrivateDestinationsPass
    : cnnc::impl::CPUPrivateDestinationsBase<CPUPrivateDestinationsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> shared;
    getOperation().walk([&](Operation *op) {
      bool fillOfEmpty = false;
      if (auto fill = dyn_cast<linalg::FillOp>(op))
        fillOfEmpty = fill.hasPureTensorSemantics() &&
                      fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
      if ((isa<tensor::EmptyOp>(op) || fillOfEmpty) &&
          !op->getResult(0).hasOneUse())
        shared.push_back(op);
    });
    // Fills first: each clone of a fill reads the empty, which is then
    // privatized with the other empties' users.
    for (Operation *op : shared)
      if (isa<linalg::FillOp>(op))
        privatize(op);
    for (Operation *op : shared)
      if (isa<tensor::EmptyOp>(op))
        privatize(op);
  }
};

} // namespace
