//===- KernelSupport.cpp - What the CPU kernel emitters share -------------===//
#include "backends/cpu/KernelSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

linalg::GenericOp cnnc::fusableEpilogue(Operation *op) {
  if (!op->getResult(0).hasOneUse())
    return nullptr;
  OpOperand &use = *op->getResult(0).getUses().begin();
  auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!consumer || consumer.getNumDpsInits() != 1 ||
      consumer.getNumReductionLoops() != 0 || consumer.isDpsInit(&use) ||
      !consumer.hasPureTensorSemantics())
    return nullptr;
  AffineMap in = consumer.getMatchingIndexingMap(&use);
  AffineMap out = consumer.getMatchingIndexingMap(consumer.getDpsInitOperand(0));
  if (!in.isIdentity() || in != out ||
      !llvm::all_of(consumer.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isProjectedPermutation(); }) ||
      consumer.getResult(0).getType() != op->getResult(0).getType())
    return nullptr;
  // The body must be plain scalar arithmetic that also works on vectors.
  for (Operation &bodyOp : consumer.getRegion().front().without_terminator())
    if (bodyOp.getNumRegions() != 0 || bodyOp.getNumResults() != 1 ||
        !isa<arith::ArithDialect, math::MathDialect>(bodyOp.getDialect()))
      return nullptr;
  return consumer;
}

Value cnnc::applyEpilogue(OpBuilder &b, Location l, linalg::GenericOp epilogue,
                    Value produced, Value acc, VectorType vecType,
                    function_ref<SmallVector<Value>(AffineMap)> indicesOf,
                    Value pad, bool inBounds) {
  Block &body = epilogue.getRegion().front();
  IRMapping mapping;
  unsigned colDim = epilogue.getNumLoops() - 1;
  for (OpOperand *in : epilogue.getDpsInputOperands()) {
    BlockArgument arg = body.getArgument(in->getOperandNumber());
    if (in->get() == produced) {
      mapping.map(arg, acc);
      continue;
    }
    AffineMap map = epilogue.getMatchingIndexingMap(in);
    SmallVector<Value> idx = indicesOf(map);
    bool alongColumns = map.getNumResults() > 0 &&
                        map.getResults().back() ==
                            getAffineDimExpr(colDim, b.getContext());
    if (alongColumns) {
      mapping.map(arg, b.create<vector::TransferReadOp>(
                           l, vecType, in->get(), idx, pad,
                           ArrayRef<bool>{inBounds}));
    } else {
      Value s = b.create<tensor::ExtractOp>(l, in->get(), idx);
      mapping.map(arg, b.create<vector::BroadcastOp>(l, vecType, s));
    }
  }
  for (Operation &op : body.without_terminator()) {
    // Scalar constants in the body are splat.
    if (isa<arith::ConstantOp>(op)) {
      mapping.map(op.getResult(0),
                  b.create<vector::BroadcastOp>(
                      l, VectorType::get(vecType.getShape(),
                                         op.getResult(0).getType()),
                      b.clone(op)->getResult(0)));
      continue;
    }
    // Scalars captured from outside the body are broadcast.
    for (Value operand : op.getOperands())
      if (!mapping.contains(operand))
        mapping.map(operand, b.create<vector::BroadcastOp>(l, vecType, operand));
    Operation *clone = b.clone(op, mapping);
    // Same element type as the scalar op (i1 for comparisons), vector shape.
    clone->getResult(0).setType(
        VectorType::get(vecType.getShape(), op.getResult(0).getType()));
    mapping.map(op.getResult(0), clone->getResult(0));
  }
  return mapping.lookup(body.getTerminator()->getOperand(0));
}

Value cnnc::channelBias(Value init) {
  auto bcast = init.getDefiningOp<linalg::BroadcastOp>();
  if (!bcast || bcast.getInit().getType().getRank() != 4 ||
      ArrayRef<int64_t>(bcast.getDimensions()) != ArrayRef<int64_t>{0, 2, 3})
    return nullptr;
  return bcast.getInput();
}

int64_t cnnc::largestDivisorAtMost(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}
