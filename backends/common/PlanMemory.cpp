//===- PlanMemory.cpp - One workspace for every intermediate buffer -------===//
#include "backends/common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace cnnc {
#define GEN_PASS_DEF_PLANMEMORY
#include "backends/common/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes;
  unsigned first, last; // top-level op positions, inclusive
  int64_t offset = 0;
};

/// The position of `op`'s ancestor in `block`.
unsigned topLevelPosition(Operation *op, Block &block,
                          const DenseMap<Operation *, unsigned> &position) {
  while (op->getBlock() != &block)
    op = op->getParentOp();
  return position.lookup(op);
}

/// The last top-level position at which `root` or any value aliasing it
/// (views, loop-carried copies, results of ops taking it) is used.
unsigned lastUse(Value root, Block &block,
                 const DenseMap<Operation *, unsigned> &position) {
  unsigned last = 0;
  SmallVector<Value> worklist = {root};
  DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      last = std::max(last, topLevelPosition(user, block, position));
      // Conservatively, any memref an op returns may alias its operands.
      for (Value result : user->getResults())
        if (isa<MemRefType>(result.getType()))
          worklist.push_back(result);
      if (auto loop = dyn_cast<LoopLikeOpInterface>(user))
        for (BlockArgument arg : loop.getRegionIterArgs())
          worklist.push_back(arg);
    }
  }
  return last;
}

struct PlanMemoryPass : cnnc::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main || main.isExternal())
      return;
    Block &block = main.getBody().front();
    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(block))
      position[&op] = i;

    SmallVector<Buffer> buffers;
    for (Operation &op : llvm::make_early_inc_range(block)) {
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc)
        continue;
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !type.getElementType().isIntOrFloat())
        continue;
      int64_t bytes = type.getNumElements() *
                      type.getElementType().getIntOrFloatBitWidth() / 8;
      // Deallocations end a buffer's life; the workspace outlives them all.
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      buffers.push_back(
          {alloc, bytes, position[alloc], lastUse(alloc, block, position)});
    }

    if (buffers.empty())
      return;

    // Largest first; each at the lowest aligned offset that no placed buffer
    // with an overlapping live range occupies.
    SmallVector<Buffer *> order;
    for (Buffer &b : buffers)
      order.push_back(&b);
    // Ties keep program order, so the plan is deterministic.
    llvm::sort(order, [](Buffer *a, Buffer *b) {
      return a->bytes != b->bytes ? a->bytes > b->bytes : a->first < b->first;
    });
    SmallVector<Buffer *> placed;
    int64_t total = 0;
    for (Buffer *b : order) {
      SmallVector<std::pair<int64_t, int64_t>> taken;
      for (Buffer *p : placed)
        if (p->first <= b->last && b->first <= p->last)
          taken.push_back({p->offset, p->offset + p->bytes});
      llvm::sort(taken);
      int64_t offset = 0;
      for (auto [begin, end] : taken) {
        if (offset + b->bytes <= begin)
          break;
        offset = std::max<int64_t>(offset, llvm::alignTo(end, alignment));
      }
      b->offset = offset;
      total = std::max(total, offset + b->bytes);
      placed.push_back(b);
    }
    total = static_cast<int64_t>(llvm::alignTo(total, alignment));

    OpBuilder builder(&getContext());
    auto workspaceType = MemRefType::get({total}, builder.getI8Type());
    main.insertArgument(main.getNumArguments(), workspaceType, {},
                        main.getLoc());
    Value workspace = main.getArguments().back();
    for (Buffer &b : buffers) {
      builder.setInsertionPoint(b.alloc);
      Location loc = b.alloc.getLoc();
      Value offset = builder.create<arith::ConstantIndexOp>(loc, b.offset);
      Value view = builder.create<memref::ViewOp>(
          loc, b.alloc.getType(), workspace, offset, ValueRange{});
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
    }
    module->setAttr("cnnc.workspace_bytes", builder.getI64IntegerAttr(total));
  }
};

} // namespace
