//===- TileAndVectorize.cpp - Register-blocked vector contractions --------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace cnnc {
#define GEN_PASS_DEF_CPUTILEANDVECTORIZE
#include "backends/cpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Largest divisor of `n` that is at most `limit`.
int64_t largestDivisorAtMost(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

/// A contraction the pass handles: one output, projected-permutation maps,
/// at least one reduction loop, static shapes.
bool isBlockableContraction(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      !op.hasPureTensorSemantics())
    return false;
  if (!llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isProjectedPermutation(); }))
    return false;
  return llvm::all_of(op.getStaticLoopRanges(),
                      [](int64_t r) { return !ShapedType::isDynamic(r); });
}

struct Blocking {
  SmallVector<int64_t> parallel;  // tile sizes of the outer loop nest
  SmallVector<int64_t> reduction; // tile sizes of the inner reduction loop
};

/// Tile sizes: the output's last dim in whole vectors where it divides (up
/// to 4 vectors), the output dim before it in as many rows as leave half
/// the vector registers for the accumulator tile.
Blocking chooseBlocking(linalg::GenericOp op, int64_t vectorWidth,
                        int64_t numRegisters) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  Blocking b;
  b.parallel.assign(ranges.size(), 1);
  b.reduction.assign(ranges.size(), 0);
  for (auto [i, type] : llvm::enumerate(op.getIteratorTypesArray()))
    if (type == utils::IteratorType::reduction) {
      b.parallel[i] = 0;
      b.reduction[i] = 1;
    }
  ArrayRef<AffineExpr> results = out.getResults();
  unsigned colDim = cast<AffineDimExpr>(results.back()).getPosition();
  int64_t cols = largestDivisorAtMost(ranges[colDim], 4 * vectorWidth);
  b.parallel[colDim] = cols;
  int64_t vectorsPerRow = (cols + vectorWidth - 1) / vectorWidth;
  for (AffineExpr e : llvm::reverse(results.drop_back())) {
    unsigned dim = cast<AffineDimExpr>(e).getPosition();
    if (ranges[dim] == 1)
      continue;
    int64_t maxRows = std::max<int64_t>(1, numRegisters / 2 / vectorsPerRow);
    b.parallel[dim] = largestDivisorAtMost(ranges[dim], maxRows);
    break;
  }
  return b;
}

FailureOr<scf::SCFTilingResult> tile(RewriterBase &rewriter, Operation *op,
                                     ArrayRef<int64_t> sizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (succeeded(tiled))
    rewriter.replaceOp(op, tiled->replacements);
  return tiled;
}

/// The trailing output dims that are contiguous, in the same order, in
/// every operand that uses them (e.g. H and W of a 1x1 convolution after
/// reshape propagation), as one group of consecutive loops; collapsing them
/// gives the column dimension a vector-friendly extent.
std::optional<ReassociationIndices> trailingContiguousDims(linalg::GenericOp op) {
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  ArrayRef<AffineExpr> results = out.getResults();
  auto dimAt = [&](size_t i) {
    return cast<AffineDimExpr>(results[i]).getPosition();
  };
  auto iterators = op.getIteratorTypesArray();
  ReassociationIndices group = {static_cast<int64_t>(dimAt(results.size() - 1))};
  for (size_t i = results.size() - 1; i-- > 0;) {
    unsigned prev = dimAt(i), cur = static_cast<unsigned>(group.front());
    if (prev + 1 != cur || iterators[prev] != utils::IteratorType::parallel)
      break;
    bool adjacentEverywhere = llvm::all_of(
        op.getIndexingMapsArray(), [&](AffineMap map) {
          std::optional<unsigned> p = map.getResultPosition(
              getAffineDimExpr(prev, op.getContext()));
          std::optional<unsigned> c = map.getResultPosition(
              getAffineDimExpr(cur, op.getContext()));
          return (!p && !c) || (p && c && *p + 1 == *c);
        });
    if (!adjacentEverywhere)
      break;
    group.insert(group.begin(), prev);
  }
  if (group.size() < 2)
    return std::nullopt;
  return group;
}

struct CPUTileAndVectorizePass
    : cnnc::impl::CPUTileAndVectorizeBase<CPUTileAndVectorizePass> {
  using CPUTileAndVectorizeBase::CPUTileAndVectorizeBase;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isBlockableContraction(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      if (std::optional<ReassociationIndices> group =
              trailingContiguousDims(op)) {
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::CollapseResult> collapsed =
            linalg::collapseOpIterationDims(op, {*group}, rewriter);
        if (succeeded(collapsed)) {
          rewriter.replaceOp(op, collapsed->results);
          op = cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
        }
      }
      Blocking blocking = chooseBlocking(op, vectorWidth, numVectorRegisters);
      FailureOr<scf::SCFTilingResult> outer =
          tile(rewriter, op, blocking.parallel);
      if (failed(outer))
        continue;
      FailureOr<scf::SCFTilingResult> inner =
          tile(rewriter, outer->tiledOps.back(), blocking.reduction);
      if (failed(inner))
        continue;
      // Static tiles (the sizes divide the extents) vectorize unmasked; an
      // op the vectorizer declines stays a loop nest, which is correct.
      (void)linalg::vectorize(rewriter, inner->tiledOps.back());
    }

    // Recognize the vectorized multiply-and-reduce as a vector.contract.
    {
      RewritePatternSet patterns(&getContext());
      vector::populateVectorReductionToContractPatterns(patterns);
      if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                              std::move(patterns))))
        return signalPassFailure();
    }
    // Canonicalize (full-tile transfers become in-bounds, identity slices
    // fold), then carry each accumulator tile through its reduction loop as
    // a vector, in registers, instead of reading and writing it every
    // iteration. Hoisting is semantics-preserving on any loop.
    RewritePatternSet patterns(&getContext());
    for (Dialect *dialect : getContext().getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : getContext().getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops)
      hoistLoopInvariantSubsets(rewriter, loop);

    // Each contraction step becomes outer products: one broadcast of a
    // weight and one FMA per accumulator row.
    RewritePatternSet lowering(&getContext());
    vector::VectorTransformsOptions options;
    options.setVectorTransformsOptions(
        vector::VectorContractLowering::OuterProduct);
    vector::populateVectorContractLoweringPatterns(lowering, options);
    vector::populateVectorTransferPermutationMapLoweringPatterns(lowering);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(lowering))))
      return signalPassFailure();
  }
};

} // namespace
