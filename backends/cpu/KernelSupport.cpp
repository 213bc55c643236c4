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
  return elementwiseUser(*op->getResult(0).getUses().begin());
}

linalg::GenericOp cnnc::elementwiseUser(OpOperand &use) {
  Value produced = use.get();
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
      consumer.getResult(0).getType() != produced.getType())
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

int64_t cnnc::columnsPerTile(int64_t extent, int64_t vectorWidth,
                             int64_t numRegisters) {
  int64_t most = std::clamp<int64_t>(numRegisters / 8, 1, 4);
  for (int64_t n = most; n >= 1; n /= 2)
    if (extent % (n * vectorWidth) == 0)
      return n * vectorWidth;
  int64_t n = 1;
  while (n < most && n * vectorWidth < extent)
    n *= 2;
  return n * vectorWidth;
}

DictionaryAttr cnnc::GroupTilingPlan::toAttr(MLIRContext *ctx) const {
  Builder b(ctx);
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("groups", b.getI64IntegerAttr(groups)),
      b.getNamedAttr("groups_per_tile", b.getI64IntegerAttr(groupsPerTile)),
      b.getNamedAttr("channels_per_tile",
                     b.getI64IntegerAttr(channelsPerTile)),
      b.getNamedAttr("vector", b.getStringAttr(vector == Vector::Width
                                                   ? "width"
                                                   : "pixels")),
      b.getNamedAttr("lanes", b.getI64IntegerAttr(lanes))};
  if (vector == Vector::Width) {
    fields.push_back(
        b.getNamedAttr("rows_per_tile", b.getI64IntegerAttr(rowsPerTile)));
    fields.push_back(b.getNamedAttr("rows_per_kernel",
                                    b.getI64IntegerAttr(rowsPerKernel)));
  } else
    fields.push_back(b.getNamedAttr("vectors_per_tile",
                                    b.getI64IntegerAttr(vectorsPerTile)));
  return b.getDictionaryAttr(fields);
}

std::optional<cnnc::GroupTilingPlan> cnnc::GroupTilingPlan::of(Operation *op) {
  auto dict = op->getAttrOfType<DictionaryAttr>(kGroupTilingAttr);
  if (!dict)
    return std::nullopt;
  auto get = [&](StringRef name) -> std::optional<int64_t> {
    auto attr = dict.getAs<IntegerAttr>(name);
    if (!attr || attr.getInt() < 1)
      return std::nullopt;
    return attr.getInt();
  };
  auto vector = dict.getAs<StringAttr>("vector");
  if (!vector || (vector.getValue() != "width" && vector.getValue() != "pixels"))
    return std::nullopt;
  GroupTilingPlan plan;
  plan.vector = vector.getValue() == "width" ? Vector::Width : Vector::Pixels;
  std::optional<int64_t> groups = get("groups"),
                         groupsPerTile = get("groups_per_tile"),
                         channels = get("channels_per_tile"),
                         lanes = get("lanes"),
                         extent = get(plan.vector == Vector::Width
                                          ? "rows_per_tile"
                                          : "vectors_per_tile");
  if (!groups || !groupsPerTile || !channels || !lanes || !extent ||
      *groups % *groupsPerTile != 0 || *channels % *groupsPerTile != 0)
    return std::nullopt;
  plan.groups = *groups;
  plan.groupsPerTile = *groupsPerTile;
  plan.channelsPerTile = *channels;
  plan.lanes = *lanes;
  (plan.vector == Vector::Width ? plan.rowsPerTile : plan.vectorsPerTile) =
      *extent;
  if (plan.vector == Vector::Width) {
    std::optional<int64_t> rowsPerKernel = get("rows_per_kernel");
    if (!rowsPerKernel || *rowsPerKernel < 1 ||
        *rowsPerKernel > plan.rowsPerTile)
      return std::nullopt;
    plan.rowsPerKernel = *rowsPerKernel;
  }
  return plan;
}
