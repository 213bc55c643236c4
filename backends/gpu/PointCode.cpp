//===- PointCode.cpp - An op and what it fuses, at output points ----------===//
//
// See LaunchPlan.h: the code one invocation runs for the points it owns.
//
//===----------------------------------------------------------------------===//
#include "backends/gpu/LaunchPlan.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace cnnc::gpu {

/// `indices` into a row-major buffer of shape `from`, as indices of the same
/// element in shape `to` (same number of elements).
SmallVector<Value> reshapeIndices(OpBuilder &b, Location loc,
                                  ValueRange indices, ArrayRef<int64_t> from,
                                  ArrayRef<int64_t> to) {
  if (from == to)
    return SmallVector<Value>(indices);
  auto constant = [&](int64_t v) -> Value {
    return b.create<arith::ConstantIndexOp>(loc, v);
  };
  Value linear = constant(0);
  for (auto [index, extent] : llvm::zip(indices, from))
    linear = b.create<arith::AddIOp>(
        loc, b.create<arith::MulIOp>(loc, linear, constant(extent)), index);
  SmallVector<Value> result(to.size());
  for (int64_t d = to.size() - 1; d >= 0; --d) {
    if (d == 0) {
      result[d] = linear;
      break;
    }
    result[d] = b.create<arith::RemUIOp>(loc, linear, constant(to[d]));
    linear = b.create<arith::DivUIOp>(loc, linear, constant(to[d]));
  }
  return result;
}

SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ArrayRef<Value> ivs) {
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults())
    indices.push_back(b.create<affine::AffineApplyOp>(
        loc, AffineMap::get(map.getNumDims(), 0, expr), ivs));
  return indices;
}

/// The operand's element at the point `ivs` of the op's loops (through the
/// padding or the slice `fusion` gives it).
Value loadAt(OpBuilder &b, Location loc, linalg::LinalgOp op,
             OpOperand &operand, ArrayRef<Value> ivs,
             const Fusion *fusion) {
  Value value = operand.get();
  if (!isa<MemRefType>(value.getType()))
    return value; // a scalar operand (linalg.fill)
  SmallVector<Value> indices =
      applyMap(b, loc, op.getMatchingIndexingMap(&operand), ivs);
  const Padded *padded = nullptr;
  if (fusion) {
    if (auto it = fusion->padded.find(operand.getOperandNumber());
        it != fusion->padded.end())
      padded = &it->second;
    if (fusion->slice && fusion->slice->operand == operand.getOperandNumber()) {
      value = fusion->slice->global;
      unsigned d = fusion->slice->dim;
      indices[d] = b.create<arith::SubIOp>(
          loc, indices[d],
          b.create<arith::ConstantIndexOp>(loc, fusion->slice->begin));
    }
  }
  if (!padded)
    return b.create<memref::LoadOp>(loc, value, indices);
  Value inside;
  SmallVector<Value> shifted;
  for (auto [index, offset, size] :
       llvm::zip(indices, padded->offsets, padded->sizes)) {
    Value local = b.create<arith::SubIOp>(
        loc, index, b.create<arith::ConstantIndexOp>(loc, offset));
    // Unsigned: a negative local index is out of range too.
    Value in = b.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::ult, local,
        b.create<arith::ConstantIndexOp>(loc, size));
    inside = inside ? b.create<arith::AndIOp>(loc, inside, in) : in;
    shifted.push_back(local);
  }
  auto select = b.create<scf::IfOp>(
      loc, inside,
      [&](OpBuilder &nb, Location l) {
        nb.create<scf::YieldOp>(
            l, ValueRange{nb.create<memref::LoadOp>(l, padded->source,
                                                    shifted)});
      },
      [&](OpBuilder &nb, Location l) {
        nb.create<scf::YieldOp>(l, padded->value);
      });
  return select.getResult(0);
}

/// The payload at one point: inputs loaded (or taken from `given`, by
/// operand number), `accumulators` for the inits; returns the yielded
/// values.
SmallVector<Value> clonePayload(OpBuilder &b, Location loc,
                                linalg::LinalgOp op, ArrayRef<Value> ivs,
                                ValueRange accumulators,
                                const DenseMap<unsigned, Value> &given,
                                const Fusion *fusion) {
  Block &payload = *op.getBlock();
  IRMapping mapping;
  for (OpOperand *input : op.getDpsInputOperands()) {
    unsigned n = input->getOperandNumber();
    Value value = given.lookup(n);
    if (!value)
      value = loadAt(b, loc, op, *input, ivs, fusion);
    mapping.map(payload.getArgument(n), value);
  }
  for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable()))
    if (accumulators[i])
      mapping.map(payload.getArgument(init.getOperandNumber()),
                  accumulators[i]);
  for (Operation &inner : payload.without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      mapping.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(inner, mapping);
  }
  SmallVector<Value> results;
  for (Value yielded : payload.getTerminator()->getOperands())
    results.push_back(mapping.lookupOrDefault(yielded));
  return results;
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<MemRefType>(v.getType()).getShape();
}

/// Computes `op` (and what `fusion` adds) at `points`, each the values of
/// the op's parallel loops (the reduction entries are filled here). The
/// points share one reduction loop nest, so loads that do not depend on
/// what tells them apart are made once (CSE) for all of them.
/// The initial values of the op's inits at `points` (numInits per point;
/// null where nothing reads one), and each point's output indices.
SmallVector<Value> initPoints(OpBuilder &b, Location loc, linalg::LinalgOp op,
                              SmallVector<SmallVector<Value>> &points,
                              const Fusion &fusion,
                              SmallVector<SmallVector<Value>> &outIndices) {
  SmallVector<unsigned> reductions;
  op.getReductionDims(reductions);
  // Outputs do not depend on the reduction loops; any value will do there.
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  OpOperand &output = op.getDpsInitsMutable()[0];
  SmallVector<Value> inits; // numInits per point
  for (SmallVector<Value> &ivs : points) {
    for (unsigned d : reductions)
      ivs[d] = zero;
    outIndices.push_back(
        applyMap(b, loc, op.getMatchingIndexingMap(&output), ivs));
    for (OpOperand &init : op.getDpsInitsMutable()) {
      Value value;
      if (fusion.producer) {
        linalg::LinalgOp p = fusion.producer;
        Value pOut = p.getDpsInitOperand(0)->get();
        SmallVector<Value> pIvs =
            reshapeIndices(b, loc, outIndices.back(), shapeOf(output.get()),
                           shapeOf(pOut));
        value = clonePayload(b, loc, p, pIvs, {Value()})[0];
      } else if (op.payloadUsesValueFromOperand(&init) ||
                 !reductions.empty()) { // the loop carries it either way
        value = loadAt(b, loc, op, init, ivs);
      }
      inits.push_back(value);
    }
  }
  return inits;
}

/// Stores the op's `results` (numInits per point) at `points`, through what
/// `fusion` adds; a point whose `valid` flag (if given) is false stores
/// nothing.
void storePoints(OpBuilder &b, Location loc, linalg::LinalgOp op,
                 ArrayRef<SmallVector<Value>> points,
                 ArrayRef<SmallVector<Value>> outIndices,
                 ArrayRef<Value> results, const Fusion &fusion,
                 ArrayRef<Value> valid) {
  OpOperand &output = op.getDpsInitsMutable()[0];
  unsigned numInits = op.getNumDpsInits();
  for (auto [n, ivs] : llvm::enumerate(points)) {
    OpBuilder::InsertionGuard guard(b);
    if (!valid.empty()) {
      auto inside = b.create<scf::IfOp>(loc, valid[n], /*withElse=*/false);
      b.setInsertionPointToStart(&inside.getThenRegion().front());
    }
    Value result = results[n * numInits];
    if (fusion.storeResult)
      b.create<memref::StoreOp>(loc, result, output.get(), outIndices[n]);
    for (unsigned i = 1; i < numInits; ++i) {
      OpOperand &init = op.getDpsInitsMutable()[i];
      b.create<memref::StoreOp>(
          loc, results[n * numInits + i], init.get(),
          applyMap(b, loc, op.getMatchingIndexingMap(&init), ivs));
    }
    if (!fusion.consumer)
      for (Value copy : fusion.copies)
        b.create<memref::StoreOp>(loc, result, copy, outIndices[n]);
    if (linalg::LinalgOp c = fusion.consumer) {
      OpOperand &cOut = *c.getDpsInitOperand(0);
      SmallVector<Value> cIvs = reshapeIndices(
          b, loc, outIndices[n], shapeOf(output.get()), shapeOf(cOut.get()));
      Value acc = c.payloadUsesValueFromOperand(&cOut)
                      ? loadAt(b, loc, c, cOut, cIvs)
                      : Value();
      DenseMap<unsigned, Value> given;
      given[fusion.consumerOperand] = result;
      Value value = clonePayload(b, loc, c, cIvs, {acc}, given)[0];
      b.create<memref::StoreOp>(loc, value, cOut.get(), cIvs);
      for (Value copy : fusion.copies)
        b.create<memref::StoreOp>(loc, value, copy, cIvs);
    }
  }
}

void emitPoints(OpBuilder &b, Location loc, linalg::LinalgOp op,
                SmallVector<SmallVector<Value>> points,
                ArrayRef<int64_t> ranges, const Fusion &fusion) {
  SmallVector<unsigned> reductions;
  op.getReductionDims(reductions);
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  unsigned numInits = op.getNumDpsInits();
  SmallVector<SmallVector<Value>> outIndices;
  SmallVector<Value> inits = initPoints(b, loc, op, points, fusion, outIndices);
  SmallVector<Value> results; // numInits per point
  if (reductions.empty()) {
    for (auto [n, ivs] : llvm::enumerate(points))
      llvm::append_range(
          results, clonePayload(b, loc, op, ivs,
                                ArrayRef(inits).slice(n * numInits, numInits),
                                DenseMap<unsigned, Value>(), &fusion));
  } else {
    SmallVector<Value> lbs, ubs, steps;
    Value one = b.create<arith::ConstantIndexOp>(loc, 1);
    for (unsigned d : reductions) {
      lbs.push_back(zero);
      ubs.push_back(b.create<arith::ConstantIndexOp>(loc, ranges[d]));
      steps.push_back(one);
    }
    scf::LoopNest nest = scf::buildLoopNest(
        b, loc, lbs, ubs, steps, inits,
        [&](OpBuilder &nb, Location l, ValueRange loopIvs,
            ValueRange accumulators) -> scf::ValueVector {
          scf::ValueVector yielded;
          for (auto [n, ivs] : llvm::enumerate(points)) {
            SmallVector<Value> point = ivs;
            for (auto [d, iv] : llvm::zip(reductions, loopIvs))
              point[d] = iv;
            llvm::append_range(
                yielded,
                clonePayload(nb, l, op, point,
                             accumulators.slice(n * numInits, numInits),
                             DenseMap<unsigned, Value>(), &fusion));
          }
          return yielded;
        });
    results.assign(nest.results.begin(), nest.results.end());
  }
  storePoints(b, loc, op, points, outIndices, results, fusion);
}

} // namespace cnnc::gpu
