//===- TileAndVectorize.cpp - Register-blocked matrix-product kernels -----===//
//
// Contractions shaped like a matrix product (pointwise convolutions, GEMMs
// with a unit-stride column operand) are tiled so that each tile is one
// micro-kernel: a block of accumulator vectors kept in registers through
// the whole reduction, updated by broadcast-and-FMA outer products.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

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

/// The roles of a matrix-product-shaped contraction `out[.., r, .., p] +=
/// row[.., r, .., k] * col[.., k, .., p]`: p is the output's innermost
/// (unit-stride) dim and also the column operand's, r indexes the row
/// operand only, k is the single reduction. Other dims are batch dims.
struct MatmulRoles {
  unsigned colDim, kDim;
  std::optional<unsigned> rowDim;
  unsigned rowOperand, colOperand;
};

bool hasDim(AffineMap map, unsigned dim) {
  return map.getResultPosition(getAffineDimExpr(dim, map.getContext()))
      .has_value();
}

unsigned lastDim(AffineMap map) {
  return cast<AffineDimExpr>(map.getResults().back()).getPosition();
}

/// Matches a body `yield out + a * b` (operands of each in either order).
bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  Value acc = body.getArgument(2);
  if (!add || (add.getLhs() != acc && add.getRhs() != acc))
    return false;
  auto mul = (add.getLhs() == acc ? add.getRhs() : add.getLhs())
                 .getDefiningOp<arith::MulFOp>();
  Value a = body.getArgument(0), b = body.getArgument(1);
  return mul && ((mul.getLhs() == a && mul.getRhs() == b) ||
                 (mul.getLhs() == b && mul.getRhs() == a));
}

std::optional<MatmulRoles> matchMatmul(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || !op.hasPureTensorSemantics() ||
      !isMultiplyAccumulate(op))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps,
                    [](AffineMap m) { return m.isProjectedPermutation(); }) ||
      !llvm::all_of(op.getStaticLoopRanges(),
                    [](int64_t r) { return !ShapedType::isDynamic(r); }))
    return std::nullopt;
  MatmulRoles roles;
  SmallVector<unsigned> reductions;
  op.getReductionDims(reductions);
  roles.kDim = reductions.front();
  AffineMap out = maps[2];
  roles.colDim = lastDim(out);
  if (lastDim(maps[1]) == roles.colDim) {
    roles.colOperand = 1;
    roles.rowOperand = 0;
  } else if (lastDim(maps[0]) == roles.colDim) {
    roles.colOperand = 0;
    roles.rowOperand = 1;
  } else {
    return std::nullopt;
  }
  AffineMap row = maps[roles.rowOperand], col = maps[roles.colOperand];
  if (hasDim(row, roles.colDim) || !hasDim(row, roles.kDim) ||
      !hasDim(col, roles.kDim))
    return std::nullopt;
  // Rows: the innermost other output dim that only the row operand has.
  for (AffineExpr e : llvm::reverse(out.getResults().drop_back())) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    if (hasDim(row, d) && !hasDim(col, d)) {
      roles.rowDim = d;
      break;
    }
  }
  return roles;
}

/// The trailing output dims that are contiguous, in the same order, in
/// every operand that uses them (H and W of a pointwise convolution after
/// reshape propagation), as one group of consecutive loops: collapsed, they
/// give the column dim a vector-friendly extent.
std::optional<ReassociationIndices>
trailingContiguousDims(linalg::GenericOp op) {
  ArrayRef<AffineExpr> results =
      op.getMatchingIndexingMap(op.getDpsInitOperand(0)).getResults();
  auto dimAt = [&](size_t i) {
    return cast<AffineDimExpr>(results[i]).getPosition();
  };
  auto iterators = op.getIteratorTypesArray();
  ReassociationIndices group = {
      static_cast<int64_t>(dimAt(results.size() - 1))};
  for (size_t i = results.size() - 1; i-- > 0;) {
    unsigned prev = dimAt(i), cur = static_cast<unsigned>(group.front());
    if (prev + 1 != cur || iterators[prev] != utils::IteratorType::parallel)
      break;
    bool adjacentEverywhere =
        llvm::all_of(op.getIndexingMapsArray(), [&](AffineMap map) {
          auto p = map.getResultPosition(getAffineDimExpr(prev, map.getContext()));
          auto c = map.getResultPosition(getAffineDimExpr(cur, map.getContext()));
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

/// Tile sizes of the loop nest around the micro-kernels: the column dim in
/// up to 4 whole vectors (a divisor of the extent where one exists, else a
/// masked last tile), the row dim in as many rows as divide the extent and
/// leave half the vector registers for accumulators, batch dims 1, the
/// reduction whole (the micro-kernel loops over it).
SmallVector<int64_t> chooseTiles(linalg::GenericOp op, const MatmulRoles &roles,
                                 int64_t vectorWidth, int64_t numRegisters) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<int64_t> tiles(ranges.size(), 1);
  tiles[roles.kDim] = 0;
  int64_t extent = ranges[roles.colDim];
  int64_t cols = 0;
  for (int64_t n = 4; n >= 1 && !cols; --n)
    if (extent % (n * vectorWidth) == 0)
      cols = n * vectorWidth;
  if (!cols)
    cols = std::min(4 * vectorWidth,
                    (extent + vectorWidth - 1) / vectorWidth * vectorWidth);
  tiles[roles.colDim] = cols;
  int64_t vectorsPerRow = (cols + vectorWidth - 1) / vectorWidth;
  if (roles.rowDim) {
    int64_t maxRows = std::max<int64_t>(1, numRegisters / 2 / vectorsPerRow);
    tiles[*roles.rowDim] = largestDivisorAtMost(ranges[*roles.rowDim], maxRows);
  }
  return tiles;
}

/// Replaces one static tile by its micro-kernel: each accumulator row is a
/// vector carried in registers through a loop over the reduction; each
/// step loads one vector of the column operand and, per row, broadcasts one
/// element of the row operand into a multiply-add.
void emitMicroKernel(RewriterBase &rewriter, linalg::GenericOp op,
                     const MatmulRoles &roles, int64_t cols) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rows = roles.rowDim ? ranges[*roles.rowDim] : 1;
  auto vecType = VectorType::get({cols}, rewriter.getF32Type());
  // The last tile of a column extent that no vector multiple divides is
  // partial: its reads and writes are masked.
  bool inBounds = ranges[roles.colDim] == cols;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  Value pad =
      rewriter.create<arith::ConstantOp>(loc, rewriter.getF32FloatAttr(0));
  // An operand's indices in the tile: the row dim at `row`, the reduction
  // at `k`, 0 elsewhere (the column dim starts at 0 in every tile).
  auto indices = [&](OpBuilder &b, AffineMap map, int64_t row, Value k) {
    SmallVector<Value> idx;
    for (AffineExpr e : map.getResults()) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      if (d == roles.kDim)
        idx.push_back(k);
      else if (roles.rowDim && d == *roles.rowDim)
        idx.push_back(b.create<arith::ConstantIndexOp>(loc, row));
      else
        idx.push_back(zero);
    }
    return idx;
  };
  Value out = op.getDpsInitOperand(0)->get();
  Value rowIn = op.getDpsInputOperand(roles.rowOperand)->get();
  Value colIn = op.getDpsInputOperand(roles.colOperand)->get();
  SmallVector<Value> accs;
  for (int64_t r = 0; r < rows; ++r)
    accs.push_back(rewriter.create<vector::TransferReadOp>(
        loc, vecType, out, indices(rewriter, maps[2], r, zero), pad,
        ArrayRef<bool>{inBounds}));
  Value kEnd = rewriter.create<arith::ConstantIndexOp>(loc, ranges[roles.kDim]);
  Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
  auto loop = rewriter.create<scf::ForOp>(
      loc, zero, kEnd, one, accs,
      [&](OpBuilder &b, Location l, Value k, ValueRange iterAccs) {
        Value x = b.create<vector::TransferReadOp>(
            l, vecType, colIn, indices(b, maps[roles.colOperand], 0, k), pad,
            ArrayRef<bool>{inBounds});
        SmallVector<Value> next;
        for (int64_t r = 0; r < rows; ++r) {
          Value w = b.create<tensor::ExtractOp>(
              l, rowIn, indices(b, maps[roles.rowOperand], r, k));
          Value wv = b.create<vector::BroadcastOp>(l, vecType, w);
          next.push_back(b.create<vector::FMAOp>(l, x, wv, iterAccs[r]));
        }
        b.create<scf::YieldOp>(l, next);
      });
  Value result = out;
  for (int64_t r = 0; r < rows; ++r)
    result = rewriter
                 .create<vector::TransferWriteOp>(
                     loc, loop.getResult(r), result,
                     indices(rewriter, maps[2], r, zero), ArrayRef<bool>{inBounds})
                 .getResult();
  rewriter.replaceOp(op, result);
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

struct CPUTileAndVectorizePass
    : cnnc::impl::CPUTileAndVectorizeBase<CPUTileAndVectorizePass> {
  using CPUTileAndVectorizeBase::CPUTileAndVectorizeBase;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (matchMatmul(op))
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
      std::optional<MatmulRoles> roles = matchMatmul(op);
      if (!roles)
        continue;
      SmallVector<int64_t> tiles =
          chooseTiles(op, *roles, vectorWidth, numVectorRegisters);
      FailureOr<scf::SCFTilingResult> tiled = tile(rewriter, op, tiles);
      if (succeeded(tiled))
        emitMicroKernel(rewriter,
                        cast<linalg::GenericOp>(tiled->tiledOps.back()),
                        *roles, tiles[roles->colDim]);
    }
  }
};

} // namespace
