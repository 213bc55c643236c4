//===- ForwardCopies.cpp - Compute buffers where they are copied to -------===//
#include "backends/common/Passes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_FORWARDCOPIES
#include "backends/common/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The views this pass looks through and retypes.
bool isView(Operation *op) {
  return isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp>(
      op);
}

/// The views that keep every element (the ones a copy's source may go
/// through).
bool isReshape(Operation *op) {
  return isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(op);
}

/// A view whose offsets, sizes and strides are all attributes, so that it
/// can be moved anywhere its source is defined.
bool isStaticView(Operation *op) {
  if (auto subview = dyn_cast<memref::SubViewOp>(op))
    return subview.getOffsets().empty() && subview.getSizes().empty() &&
           subview.getStrides().empty();
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(op))
    return expand.getOutputShape().empty();
  return isa<memref::CollapseShapeOp>(op);
}

/// The (source, target) of a copy op, or nulls.
std::pair<Value, Value> copyOperands(Operation *op) {
  if (auto copy = dyn_cast<linalg::CopyOp>(op))
    return {copy.getInputs()[0], copy.getOutputs()[0]};
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return {copy.getSource(), copy.getTarget()};
  return {};
}

bool isStaticAlloc(Value v, Block &block) {
  auto alloc = v.getDefiningOp<memref::AllocOp>();
  return alloc && alloc->getBlock() == &block && alloc->getNumOperands() == 0;
}

/// A box of a root buffer, per dimension [begin, end); none is the whole.
using Box = std::optional<SmallVector<std::pair<int64_t, int64_t>>>;

/// The box a static subview of a root covers (with its strides, a superset).
Box boxOf(memref::SubViewOp subview) {
  SmallVector<std::pair<int64_t, int64_t>> box;
  for (auto [offset, size, stride] :
       llvm::zip(subview.getStaticOffsets(), subview.getStaticSizes(),
                 subview.getStaticStrides())) {
    if (ShapedType::isDynamic(offset) || ShapedType::isDynamic(size) ||
        ShapedType::isDynamic(stride))
      return std::nullopt;
    box.push_back({offset, offset + (size - 1) * stride + 1});
  }
  return box;
}

bool disjoint(const Box &a, const Box &b) {
  if (!a || !b)
    return false;
  for (auto [x, y] : llvm::zip(*a, *b))
    if (x.second <= y.first || y.second <= x.first)
      return true;
  return false;
}

/// The result type of view `op` when its source gets type `source`, or
/// failure if the view cannot be taken of that layout.
FailureOr<MemRefType> retype(Operation *op, MemRefType source) {
  if (auto subview = dyn_cast<memref::SubViewOp>(op))
    return cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
        subview.getType().getShape(), source, subview.getMixedOffsets(),
        subview.getMixedSizes(), subview.getMixedStrides()));
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(op))
    return memref::ExpandShapeOp::computeExpandedType(
        source, expand.getType().getShape(), expand.getReassociationIndices());
  auto collapse = cast<memref::CollapseShapeOp>(op);
  auto reassociation = collapse.getReassociationIndices();
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(source, reassociation))
    return failure();
  return memref::CollapseShapeOp::computeCollapsedType(source, reassociation);
}

/// Whether `user` accepts its operand `value` in any strided layout `type`.
bool acceptsLayout(Operation *user, MemRefType type) {
  if (isa<linalg::LinalgOp, vector::TransferReadOp, vector::TransferWriteOp,
          memref::LoadOp, memref::StoreOp>(user))
    return true;
  if (!isa<vector::LoadOp, vector::StoreOp>(user))
    return false;
  // vector.load/store need the innermost dimension contiguous.
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(getStridesAndOffset(type, strides, offset)) &&
         (strides.empty() || strides.back() == 1);
}

/// Forwards the copies at the top level of one function body.
class Forwarder {
public:
  explicit Forwarder(Block &block) : block(block) {}

  /// Forwards one copy; returns whether it did.
  bool forwardOne() {
    position.clear();
    for (auto [i, op] : llvm::enumerate(block))
      position[&op] = i;
    for (Operation &op : block)
      if (copyOperands(&op).first && tryForward(&op))
        return true;
    return false;
  }

private:
  unsigned topLevelPosition(Operation *op) const {
    while (op->getBlock() != &block)
      op = op->getParentOp();
    return position.lookup(op);
  }

  bool tryForward(Operation *copy);
  bool targetIsUntouched(Value root, const Box &targetBox, unsigned from,
                         unsigned to) const;

  Block &block;
  DenseMap<Operation *, unsigned> position;
};

/// Whether no access to `root` (through any view) at a top-level position
/// strictly between `from` and `to` may touch `targetBox`.
bool Forwarder::targetIsUntouched(Value root, const Box &targetBox,
                                  unsigned from, unsigned to) const {
  SmallVector<std::pair<Value, Box>> worklist = {{root, std::nullopt}};
  while (!worklist.empty()) {
    auto [value, box] = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (isView(user)) {
        // Views of a view stay inside its box.
        auto subview = dyn_cast<memref::SubViewOp>(user);
        Box inner = box || !subview || value != root ? box : boxOf(subview);
        worklist.push_back({user->getResult(0), inner});
        continue;
      }
      unsigned at = topLevelPosition(user);
      if (at > from && at < to && !disjoint(box, targetBox))
        return false;
      // Anything else that may alias the root (loop-carried buffers, casts)
      // may reach any part of it.
      for (Value result : user->getResults())
        if (isa<MemRefType>(result.getType()))
          worklist.push_back({result, std::nullopt});
      if (auto loop = dyn_cast<LoopLikeOpInterface>(user))
        for (BlockArgument iterArg : loop.getRegionIterArgs())
          worklist.push_back({iterArg, std::nullopt});
    }
  }
  return true;
}

/// Computes the source buffer of `copy` in its target if that is safe (see
/// the pass description) and erases both; returns whether it did.
bool Forwarder::tryForward(Operation *copy) {
  auto [source, target] = copyOperands(copy);
  unsigned copyAt = position.lookup(copy);

  // The source: reshapes of a buffer allocated in this block.
  SmallVector<Operation *> sourceViews;
  Value buffer = source;
  while (Operation *def = buffer.getDefiningOp()) {
    if (!isReshape(def))
      break;
    sourceViews.push_back(def);
    buffer = def->getOperand(0);
  }
  if (!isStaticAlloc(buffer, block) ||
      !cast<MemRefType>(buffer.getType()).getLayout().isIdentity())
    return false;
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();

  // The target: static views of a root, an argument or another buffer
  // allocated in this block.
  SmallVector<Operation *> targetViews;
  Value root = target;
  while (Operation *def = root.getDefiningOp()) {
    if (!isView(def) || !isStaticView(def))
      break;
    targetViews.push_back(def);
    root = def->getOperand(0);
  }
  std::reverse(targetViews.begin(), targetViews.end());
  auto arg = dyn_cast<BlockArgument>(root);
  if (root == buffer ||
      !((arg && arg.getOwner() == &block) || isStaticAlloc(root, block)))
    return false;
  Box targetBox;
  if (!targetViews.empty())
    if (auto subview = dyn_cast<memref::SubViewOp>(targetViews.front()))
      targetBox = boxOf(subview);

  // The buffer becomes the inverse of the source's reshapes applied to the
  // target: check each can be taken of the target's layout.
  auto type = cast<MemRefType>(target.getType());
  for (Operation *view : sourceViews) {
    FailureOr<MemRefType> inverse = failure();
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(view)) {
      auto reassociation = expand.getReassociationIndices();
      if (memref::CollapseShapeOp::isGuaranteedCollapsible(type, reassociation))
        inverse =
            memref::CollapseShapeOp::computeCollapsedType(type, reassociation);
    } else {
      auto collapse = cast<memref::CollapseShapeOp>(view);
      inverse = memref::ExpandShapeOp::computeExpandedType(
          type, collapse.getSrcType().getShape(),
          collapse.getReassociationIndices());
    }
    if (failed(inverse))
      return false;
    type = *inverse;
  }

  // Every view of the buffer gets a new type; every other use must take any
  // layout and come before the copy, the buffer's last use.
  DenseMap<Value, MemRefType> newTypes = {{buffer, type}};
  SmallVector<Value> aliases = {buffer};
  for (unsigned i = 0; i < aliases.size(); ++i) {
    Value value = aliases[i];
    MemRefType valueType = newTypes.lookup(value);
    for (Operation *user : value.getUsers()) {
      if (user == copy)
        continue;
      if (isView(user)) {
        FailureOr<MemRefType> resultType = retype(user, valueType);
        if (failed(resultType))
          return false;
        newTypes[user->getResult(0)] = *resultType;
        aliases.push_back(user->getResult(0));
        continue;
      }
      if (!acceptsLayout(user, valueType) || topLevelPosition(user) >= copyAt)
        return false;
    }
  }

  unsigned allocAt = position.lookup(alloc);
  if (!targetIsUntouched(root, targetBox, allocAt, copyAt))
    return false;

  // The target must dominate the buffer's uses: move its definitions (all
  // without operands but their sources) above the allocation.
  if (Operation *rootAlloc = root.getDefiningOp();
      rootAlloc && position.lookup(rootAlloc) > allocAt)
    rootAlloc->moveBefore(alloc);
  for (Operation *view : targetViews)
    if (position.lookup(view) > allocAt)
      view->moveBefore(alloc);

  OpBuilder builder(alloc);
  Value replacement = target;
  for (Operation *view : sourceViews) {
    Location loc = view->getLoc();
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(view)) {
      auto reassociation = expand.getReassociationIndices();
      replacement = builder.create<memref::CollapseShapeOp>(
          loc,
          memref::CollapseShapeOp::computeCollapsedType(
              cast<MemRefType>(replacement.getType()), reassociation),
          replacement, reassociation);
    } else {
      auto collapse = cast<memref::CollapseShapeOp>(view);
      auto reassociation = collapse.getReassociationIndices();
      replacement = builder.create<memref::ExpandShapeOp>(
          loc,
          *memref::ExpandShapeOp::computeExpandedType(
              cast<MemRefType>(replacement.getType()),
              collapse.getSrcType().getShape(), reassociation),
          replacement, reassociation);
    }
  }

  copy->erase();
  alloc.replaceAllUsesWith(replacement);
  alloc.erase();
  for (Value alias : llvm::drop_begin(aliases))
    alias.setType(newTypes.lookup(alias));
  // The views that only led to the copy.
  for (Value alias : llvm::reverse(llvm::drop_begin(aliases)))
    if (alias.use_empty())
      alias.getDefiningOp()->erase();
  return true;
}

struct ForwardCopiesPass
    : cnnc::impl::ForwardCopiesBase<ForwardCopiesPass> {
  void runOnOperation() override {
    // Bufferized loops carry their output buffer through iter_args and
    // yield it unchanged: fold those away so the buffer's views are direct.
    RewritePatternSet patterns(&getContext());
    scf::ForOp::getCanonicalizationPatterns(patterns, &getContext());
    FrozenRewritePatternSet frozen(std::move(patterns));

    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      (void)applyPatternsAndFoldGreedily(func, frozen);
      Forwarder forwarder(func.getBody().front());
      bool forwarded = false;
      while (forwarder.forwardOne())
        forwarded = true;
      // The inverse views meet the buffers' own views: fold those that
      // cancel.
      if (forwarded)
        (void)applyPatternsAndFoldGreedily(func, frozen);
    }
  }
};

} // namespace
