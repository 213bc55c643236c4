//===- MapToLaunches.cpp - One gpu.launch per bufferized linalg op --------===//
//
// See Passes.td. Each launch computes its op point-wise: invocation ids are
// delinearized into the op's parallel loops, the reduction loops run as an
// scf.for nest carrying the accumulators, and the payload is cloned into the
// innermost loop with linalg.index replaced by the loop values.
//
//===----------------------------------------------------------------------===//
#include "backends/gpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/Support/MathExtras.h"

namespace cnnc {
#define GEN_PASS_DEF_GPUMAPTOLAUNCHES
#include "backends/gpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

constexpr int64_t kMaxGridDim = 65535;

/// The parallel loop that indexes output dim 1 of an op with reduction
/// loops (channel, group or depthwise channel; see Passes.td), if its
/// extent fits in grid y.
std::optional<unsigned> gridYLoop(linalg::LinalgOp op,
                                  ArrayRef<int64_t> ranges) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1)
    return std::nullopt;
  AffineMap map = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (map.getNumResults() < 3)
    return std::nullopt;
  auto dim = dyn_cast<AffineDimExpr>(map.getResult(1));
  if (!dim ||
      op.getIteratorTypesArray()[dim.getPosition()] !=
          utils::IteratorType::parallel ||
      ranges[dim.getPosition()] > kMaxGridDim)
    return std::nullopt;
  return dim.getPosition();
}

/// The operand's element at the point `ivs` of the op's loops.
Value loadAt(OpBuilder &b, Location loc, linalg::LinalgOp op,
             OpOperand &operand, ArrayRef<Value> ivs) {
  Value value = operand.get();
  if (!isa<MemRefType>(value.getType()))
    return value; // a scalar operand (linalg.fill)
  AffineMap map = op.getMatchingIndexingMap(&operand);
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults())
    indices.push_back(b.create<affine::AffineApplyOp>(
        loc, AffineMap::get(map.getNumDims(), 0, expr), ivs));
  return b.create<memref::LoadOp>(loc, value, indices);
}

/// The payload at one point: inputs loaded, `accumulators` for the inits;
/// returns the yielded values.
SmallVector<Value> clonePayload(OpBuilder &b, Location loc,
                                linalg::LinalgOp op, ArrayRef<Value> ivs,
                                ValueRange accumulators) {
  Block &payload = *op.getBlock();
  IRMapping mapping;
  for (OpOperand *input : op.getDpsInputOperands())
    mapping.map(payload.getArgument(input->getOperandNumber()),
                loadAt(b, loc, op, *input, ivs));
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

/// Computes `op` at the point whose parallel loop values are set in `ivs`
/// (the reduction entries are filled here).
void emitPoint(OpBuilder &b, Location loc, linalg::LinalgOp op,
               SmallVector<Value> ivs, ArrayRef<int64_t> ranges) {
  SmallVector<unsigned> reductions;
  op.getReductionDims(reductions);
  // Outputs do not depend on the reduction loops; any value will do there.
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  for (unsigned d : reductions)
    ivs[d] = zero;
  SmallVector<Value> inits;
  for (OpOperand &init : op.getDpsInitsMutable())
    inits.push_back(op.payloadUsesValueFromOperand(&init)
                        ? loadAt(b, loc, op, init, ivs)
                        : Value());
  SmallVector<Value> results;
  if (reductions.empty()) {
    results = clonePayload(b, loc, op, ivs, inits);
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
          for (auto [d, iv] : llvm::zip(reductions, loopIvs))
            ivs[d] = iv;
          return clonePayload(nb, l, op, ivs, accumulators);
        });
    results.assign(nest.results.begin(), nest.results.end());
    for (unsigned d : reductions)
      ivs[d] = zero;
  }
  for (auto [init, result] : llvm::zip(op.getDpsInitsMutable(), results)) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    SmallVector<Value> indices;
    for (AffineExpr expr : map.getResults())
      indices.push_back(b.create<affine::AffineApplyOp>(
          loc, AffineMap::get(map.getNumDims(), 0, expr), ivs));
    b.create<memref::StoreOp>(loc, result, init.get(), indices);
  }
}

struct GPUMapToLaunchesPass
    : cnnc::impl::GPUMapToLaunchesBase<GPUMapToLaunchesPass> {
  using GPUMapToLaunchesBase::GPUMapToLaunchesBase;

  LogicalResult mapToLaunch(linalg::LinalgOp op) {
    Location loc = op.getLoc();
    if (!op.hasPureBufferSemantics())
      return op.emitError("GPU lowering: op is not bufferized");
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return op.emitError("GPU lowering: dynamic loop bounds");
    auto iterators = op.getIteratorTypesArray();
    std::optional<unsigned> yLoop = gridYLoop(op, ranges);
    SmallVector<unsigned> xLoops;
    int64_t points = 1;
    for (unsigned d = 0; d < ranges.size(); ++d) {
      if (iterators[d] == utils::IteratorType::parallel && d != yLoop) {
        xLoops.push_back(d);
        points *= ranges[d];
      }
    }
    int64_t threads = std::min<int64_t>(
        blockSize, static_cast<int64_t>(llvm::PowerOf2Ceil(points)));
    int64_t blocks = llvm::divideCeil(points, threads);
    int64_t gridX = std::min(blocks, kMaxGridDim);
    int64_t gridZ = llvm::divideCeil(blocks, gridX);
    int64_t gridY = yLoop ? ranges[*yLoop] : 1;
    if (gridZ > kMaxGridDim)
      return op.emitError("GPU lowering: ")
             << points << " points do not fit in one grid";

    OpBuilder b(op);
    auto constant = [&](int64_t v) -> Value {
      return b.create<arith::ConstantIndexOp>(loc, v);
    };
    auto launch = b.create<gpu::LaunchOp>(
        loc, constant(gridX), constant(gridY), constant(gridZ),
        constant(threads), constant(1), constant(1));
    launch->setAttr(
        "cnnc.gpu_map",
        b.getDictionaryAttr({
            b.getNamedAttr("grid",
                           b.getDenseI64ArrayAttr({gridX, gridY, gridZ})),
            b.getNamedAttr("block", b.getDenseI64ArrayAttr({threads, 1, 1})),
            b.getNamedAttr("y_loop",
                           b.getI64IntegerAttr(yLoop ? int64_t(*yLoop) : -1)),
            b.getNamedAttr(
                "x_loops",
                b.getDenseI64ArrayAttr(SmallVector<int64_t>(xLoops.begin(),
                                                            xLoops.end()))),
            b.getNamedAttr("points", b.getI64IntegerAttr(points)),
        }));
    Block &body = launch.getBody().front();
    b.setInsertionPointToEnd(&body);
    auto terminator = b.create<gpu::TerminatorOp>(loc);
    b.setInsertionPoint(terminator);

    // linear = (block.z * gridX + block.x) * threads + thread.x
    gpu::KernelDim3 blockIds = launch.getBlockIds();
    Value linear = blockIds.x;
    if (gridZ > 1)
      linear = b.create<arith::AddIOp>(
          loc, b.create<arith::MulIOp>(loc, blockIds.z, constant(gridX)),
          linear);
    linear = b.create<arith::AddIOp>(
        loc, b.create<arith::MulIOp>(loc, linear, constant(threads)),
        launch.getThreadIds().x);
    if (gridX * gridZ * threads != points) {
      Value inside = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult,
                                             linear, constant(points));
      auto guard = b.create<scf::IfOp>(loc, inside, /*withElse=*/false);
      b.setInsertionPointToStart(&guard.getThenRegion().front());
    }
    SmallVector<Value> ivs(ranges.size());
    for (unsigned d : llvm::reverse(xLoops)) {
      if (d == xLoops.front()) {
        ivs[d] = linear;
        break;
      }
      ivs[d] = b.create<arith::RemUIOp>(loc, linear, constant(ranges[d]));
      linear = b.create<arith::DivUIOp>(loc, linear, constant(ranges[d]));
    }
    if (yLoop)
      ivs[*yLoop] = blockIds.y;
    emitPoint(b, loc, op, ivs, ranges);
    op->erase();
    // Scalar constants (a fill value) are rematerialized in the kernel, so
    // that kernels take buffers only.
    launch.getBody().walk([&](Operation *inner) {
      for (OpOperand &use : inner->getOpOperands()) {
        auto constant = use.get().getDefiningOp<arith::ConstantOp>();
        if (!constant || launch->isAncestor(constant))
          continue;
        OpBuilder at(&body, body.begin());
        use.set(at.clone(*constant)->getResult(0));
      }
    });
    return success();
  }

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    for (Operation &op : getOperation().getBody().getOps()) {
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
        ops.push_back(linalgOp);
        continue;
      }
      if (isa<LoopLikeOpInterface>(op) || isa<memref::CopyOp>(op)) {
        op.emitError("GPU lowering: '")
            << op.getName() << "' outside a linalg op has no kernel";
        return signalPassFailure();
      }
    }
    for (linalg::LinalgOp op : ops)
      if (failed(mapToLaunch(op)))
        return signalPassFailure();
  }
};

} // namespace
