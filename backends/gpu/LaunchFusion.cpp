//===- LaunchFusion.cpp - What a GPU launch fuses besides its op ----------===//
//
// See LaunchPlan.h and Passes.td: the producer, consumer, padding and copy
// fusions, planned on the bufferized function before anything is rewritten.
//
//===----------------------------------------------------------------------===//
#include "backends/gpu/LaunchPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace cnnc::gpu {

/// The buffer `v` views and whether it views all of it in row-major order
/// (reshapes and casts do, subviews do not).
Value rootOf(Value v, bool &whole) {
  whole = true;
  while (Operation *def = v.getDefiningOp()) {
    if (isa<memref::CollapseShapeOp, memref::ExpandShapeOp, memref::CastOp>(
            def)) {
      v = def->getOperand(0);
    } else if (auto subview = dyn_cast<memref::SubViewOp>(def)) {
      whole = false;
      v = subview.getSource();
    } else {
      break;
    }
  }
  return v;
}

Value wholeRootOf(Value v) {
  bool whole;
  Value root = rootOf(v, whole);
  auto type = dyn_cast<MemRefType>(root.getType());
  return whole && type && type.getLayout().isIdentity() ? root : Value();
}

/// The ops other than views that use `root` or a view of it.
SmallVector<Operation *> usersOf(Value root) {
  SmallVector<Operation *> users;
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (isa<memref::CollapseShapeOp, memref::ExpandShapeOp, memref::CastOp,
              memref::SubViewOp>(user))
        worklist.push_back(user->getResult(0));
      else if (!llvm::is_contained(users, user))
        users.push_back(user);
    }
  }
  return users;
}

namespace {

/// The static box a subview takes of its source.
struct Box {
  Value source;
  SmallVector<int64_t> offsets, sizes, strides;
};
std::optional<Box> boxOf(Value view) {
  auto subview = view.getDefiningOp<memref::SubViewOp>();
  if (!subview || ShapedType::isDynamicShape(subview.getStaticOffsets()) ||
      ShapedType::isDynamicShape(subview.getStaticSizes()) ||
      ShapedType::isDynamicShape(subview.getStaticStrides()))
    return std::nullopt;
  return Box{subview.getSource(), SmallVector<int64_t>(subview.getStaticOffsets()),
             SmallVector<int64_t>(subview.getStaticSizes()),
             SmallVector<int64_t>(subview.getStaticStrides())};
}

/// Whether `a` and `b` view the same elements of the same buffer.
bool sameView(Value a, Value b) {
  if (a == b)
    return true;
  std::optional<Box> x = boxOf(a), y = boxOf(b);
  return x && y && x->source == y->source && x->offsets == y->offsets &&
         x->sizes == y->sizes && x->strides == y->strides;
}

/// Whether `a` and `b` (views of one root) certainly share no element:
/// unit-stride subviews of one source apart in some dim.
bool disjoint(Value a, Value b) {
  std::optional<Box> x = boxOf(a), y = boxOf(b);
  if (!x || !y || x->source != y->source)
    return false;
  for (size_t d = 0; d < x->offsets.size(); ++d) {
    if (x->strides[d] != 1 || y->strides[d] != 1)
      return false;
    if (x->offsets[d] + x->sizes[d] <= y->offsets[d] ||
        y->offsets[d] + y->sizes[d] <= x->offsets[d])
      return true;
  }
  return false;
}

bool allParallel(linalg::LinalgOp op) {
  return op.getNumLoops() == op.getNumParallelLoops();
}

/// The linalg op next to `op` (after it if `forward`), skipping only ops
/// that neither read nor write buffers (views, constants, allocations).
linalg::LinalgOp neighbour(Operation *op, bool forward) {
  for (Operation *o = forward ? op->getNextNode() : op->getPrevNode(); o;
       o = forward ? o->getNextNode() : o->getPrevNode()) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(o))
      return linalgOp;
    if (!isa<ViewLikeOpInterface, arith::ConstantOp, memref::AllocOp,
             memref::GetGlobalOp>(o))
      return nullptr;
  }
  return nullptr;
}

int64_t numElements(Value v) {
  return cast<MemRefType>(v.getType()).getNumElements();
}

/// A fill (linalg.fill, or a linalg.map yielding a value from outside) of
/// all of `root`: its value.
Value fillValue(Operation *op, Value root) {
  auto fill = dyn_cast<linalg::LinalgOp>(op);
  if (!fill || !allParallel(fill) || fill.getNumDpsInits() != 1 ||
      wholeRootOf(fill.getDpsInitOperand(0)->get()) != root)
    return Value();
  if (auto f = dyn_cast<linalg::FillOp>(op))
    return f.value();
  if (fill.getNumDpsInputs() != 0)
    return Value();
  Value yielded = fill.getBlock()->getTerminator()->getOperand(0);
  return yielded.getParentBlock() == fill.getBlock() ? Value() : yielded;
}

/// Input `operand` of `op` as a padded copy of another buffer, if a fill
/// and a copy into a subview are all that write it and `op` is all that
/// reads it.
std::optional<Padded> paddedInput(linalg::LinalgOp op, OpOperand &operand) {
  Value root = wholeRootOf(operand.get());
  if (!root || !root.getDefiningOp<memref::AllocOp>())
    return std::nullopt;
  SmallVector<Operation *> users = usersOf(root);
  if (users.size() != 3 || !llvm::is_contained(users, op.getOperation()))
    return std::nullopt;
  Value value;
  linalg::CopyOp copy;
  for (Operation *user : users) {
    if (user == op.getOperation())
      continue;
    if (auto c = dyn_cast<linalg::CopyOp>(user))
      copy = c;
    else if (!(value = fillValue(user, root)))
      return std::nullopt;
  }
  if (!copy || !value || !copy->isBeforeInBlock(op) ||
      !value.getType().isIntOrFloat())
    return std::nullopt;
  auto subview = copy.getOutputs()[0].getDefiningOp<memref::SubViewOp>();
  if (!subview || shapeOf(subview.getSource()) != shapeOf(operand.get()) ||
      wholeRootOf(subview.getSource()) != root ||
      !subview.hasUnitStride() ||
      subview.getType().getRank() != subview.getSourceType().getRank() ||
      ShapedType::isDynamicShape(subview.getStaticOffsets()))
    return std::nullopt;
  // The fill must come first.
  for (Operation *user : users)
    if (user != op.getOperation() && user != copy.getOperation() &&
        !user->isBeforeInBlock(copy))
      return std::nullopt;
  // The source must still hold what the copy read when the op reads it,
  // and the op must not write it while other invocations read it.
  bool whole;
  Value source = rootOf(copy.getInputs()[0], whole);
  for (Operation *o = copy->getNextNode(); o; o = o->getNextNode()) {
    auto other = dyn_cast<linalg::LinalgOp>(o);
    if (other)
      for (OpOperand &init : other.getDpsInitsMutable())
        if (rootOf(init.get(), whole) == source)
          return std::nullopt;
    if (o == op.getOperation())
      break;
    if (!other && !isa<ViewLikeOpInterface, arith::ConstantOp,
                       memref::AllocOp, memref::GetGlobalOp>(o))
      return std::nullopt;
  }
  return Padded{copy.getInputs()[0],
                SmallVector<int64_t>(subview.getStaticOffsets()),
                SmallVector<int64_t>(subview.getStaticSizes()), value};
}

} // namespace

/// What fuses into `op`'s launch (see Passes.td).
Fusion planFusion(linalg::LinalgOp op) {
  Fusion fusion;
  if (op.getNumDpsInits() != 1)
    return fusion;
  OpOperand &output = *op.getDpsInitOperand(0);
  Value root = wholeRootOf(output.get());
  bool rootIsAlloc = root && root.getDefiningOp<memref::AllocOp>();
  auto readsRoot = [&](linalg::LinalgOp other, OpOperand *except) {
    for (OpOperand *in : other.getDpsInputOperands()) {
      bool whole;
      if (in != except && isa<MemRefType>(in->get().getType()) &&
          rootOf(in->get(), whole) == root)
        return true;
    }
    return false;
  };

  if (op.getNumReductionLoops() > 0) {
    for (OpOperand *input : op.getDpsInputOperands())
      if (std::optional<Padded> padded = paddedInput(op, *input))
        fusion.padded[input->getOperandNumber()] = *padded;
  }

  // The producer overwrites all of the buffer and the op then reads it
  // alone: computing both at each point changes nothing anyone else sees.
  if (root && op.payloadUsesValueFromOperand(&output) &&
      !readsRoot(op, nullptr)) {
    linalg::LinalgOp p = neighbour(op, /*forward=*/false);
    if (p && allParallel(p) && p.getNumDpsInits() == 1 &&
        p.getMatchingIndexingMap(p.getDpsInitOperand(0)).isIdentity() &&
        !p.payloadUsesValueFromOperand(p.getDpsInitOperand(0)) &&
        wholeRootOf(p.getDpsInitOperand(0)->get()) == root &&
        !readsRoot(p, nullptr) &&
        numElements(p.getDpsInitOperand(0)->get()) == numElements(root))
      fusion.producer = p;
  }

  linalg::LinalgOp c = neighbour(op, /*forward=*/true);
  if (!root || !c || !allParallel(c) || c.getNumDpsInits() != 1 ||
      numElements(output.get()) != numElements(root))
    return fusion;
  OpOperand &cOut = *c.getDpsInitOperand(0);
  if (!c.getMatchingIndexingMap(&cOut).isIdentity() ||
      numElements(cOut.get()) != numElements(root))
    return fusion;
  OpOperand *reading = nullptr;
  for (OpOperand *in : c.getDpsInputOperands())
    if (isa<MemRefType>(in->get().getType()) &&
        wholeRootOf(in->get()) == root &&
        c.getMatchingIndexingMap(in).isIdentity())
      reading = in;
  bool whole;
  Value cRoot = rootOf(cOut.get(), whole);
  if (!reading || readsRoot(c, reading) || (cRoot == root && !whole))
    return fusion;
  // The consumer's stores must not race with the op's (or its producer's)
  // reads of the same buffer, and an in-place consumer must not read the
  // value it overwrites (it would be the op's result, never stored).
  auto reads = [&](linalg::LinalgOp other) {
    for (OpOperand *in : other.getDpsInputOperands()) {
      bool w;
      if (isa<MemRefType>(in->get().getType()) && rootOf(in->get(), w) == cRoot)
        return true;
    }
    return false;
  };
  if (reads(op) || (fusion.producer && reads(fusion.producer)) ||
      (cRoot == root && c.payloadUsesValueFromOperand(&cOut)))
    return fusion;
  fusion.consumer = c;
  fusion.consumerOperand = reading->getOperandNumber();
  if (cRoot == root) {
    fusion.storeResult = false; // the consumer overwrites it in place
  } else if (rootIsAlloc) {
    fusion.storeResult = llvm::any_of(usersOf(root), [&](Operation *user) {
      return user != op.getOperation() && user != c.getOperation() &&
             user != fusion.producer.getOperation();
    });
  }
  return fusion;
}

void forwardSliceCopies(
  SmallVector<std::pair<linalg::LinalgOp, Fusion>> &launches,
  DenseSet<Operation *> &absorbed) {
  auto finalDest = [](std::pair<linalg::LinalgOp, Fusion> &l) {
    return l.second.consumer ? l.second.consumer.getDpsInitOperand(0)->get()
                             : l.first.getDpsInitOperand(0)->get();
  };
  for (size_t i = 0; i < launches.size(); ++i) {
    auto copy = dyn_cast<linalg::CopyOp>(launches[i].first.getOperation());
    if (!copy || absorbed.contains(copy) ||
        launches[i].second.consumer || launches[i].second.producer)
      continue;
    Value from = copy.getInputs()[0], to = copy.getOutputs()[0];
    // The last launch before the copy that stores `from`.
    std::optional<size_t> writer;
    for (size_t j = 0; j < i; ++j) {
      auto &l = launches[j];
      if (absorbed.contains(l.first) || l.first.getNumDpsInits() != 1)
        continue;
      if (sameView(finalDest(l), from) ||
          llvm::any_of(l.second.copies,
                       [&](Value c) { return sameView(c, from); }))
        writer = j;
    }
    if (!writer)
      continue;
    auto &w = launches[*writer];
    Operation *first = w.second.producer ? w.second.producer.getOperation()
                                         : w.first.getOperation();
    Operation *last = w.second.consumer ? w.second.consumer.getOperation()
                                        : w.first.getOperation();
    bool whole;
    Value toRoot = rootOf(to, whole), fromRoot = rootOf(from, whole);
    // Nothing after the writer's store and before the copy may read the
    // target's buffer or write where the source or the target lie.
    bool safe = true;
    for (Operation *o = last->getNextNode(); o && o != copy.getOperation() && safe;
         o = o->getNextNode()) {
      auto other = dyn_cast<linalg::LinalgOp>(o);
      if (!other) {
        if (!isa<ViewLikeOpInterface, arith::ConstantOp, memref::AllocOp,
                 memref::GetGlobalOp>(o))
          safe = false;
        continue;
      }
      for (OpOperand &operand : other->getOpOperands()) {
        if (!isa<MemRefType>(operand.get().getType()))
          continue;
        Value root = rootOf(operand.get(), whole);
        bool isInit = other.isDpsInit(&operand);
        if (root == toRoot && (!isInit || !disjoint(operand.get(), to)))
          safe = false;
        if (root == fromRoot && isInit && !disjoint(operand.get(), from))
          safe = false;
      }
    }
    if (!safe)
      continue;
    // The target's views and allocation must come before the writer.
    SmallVector<Operation *> chain;
    Value v = to;
    while (Operation *def = v.getDefiningOp()) {
      if (!isa<ViewLikeOpInterface, memref::AllocOp>(def) ||
          (isa<ViewLikeOpInterface>(def) && def->getNumOperands() != 1) ||
          (isa<memref::AllocOp>(def) && def->getNumOperands() != 0)) {
        safe = false;
        break;
      }
      chain.push_back(def);
      if (isa<memref::AllocOp>(def))
        break;
      v = def->getOperand(0);
    }
    if (!safe)
      continue;
    for (Operation *def : llvm::reverse(chain))
      if (first->isBeforeInBlock(def))
        def->moveBefore(first);
    w.second.copies.push_back(to);
    absorbed.insert(copy);
  }
}

} // namespace cnnc::gpu
