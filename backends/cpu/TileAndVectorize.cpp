//===- TileAndVectorize.cpp - Register-blocked matrix-product kernels -----===//
//
// Contractions shaped like a matrix product (pointwise convolutions, GEMMs
// with a unit-stride column operand) are tiled so that each tile is one
// micro-kernel: a block of accumulator vectors kept in registers through
// the whole reduction, updated by broadcast-and-FMA outer products.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/KernelSupport.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc {
#define GEN_PASS_DEF_CPUTILEANDVECTORIZE
#include "backends/cpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;

namespace {

/// The roles of a matrix-product-shaped contraction `out[.., r, .., p] +=
/// row[.., r, .., k] * col[.., k, .., p]`: p is the output's innermost
/// (unit-stride) dim and also the column operand's, r indexes the row
/// operand only, k is the single reduction. Other dims are batch dims; the
/// group dim of a grouped pointwise convolution is the one batch dim that
/// both operands index.
struct MatmulRoles {
  unsigned colDim, kDim;
  std::optional<unsigned> rowDim, groupDim;
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
  for (AffineExpr e : out.getResults()) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    if (d != roles.colDim && hasDim(row, d) && hasDim(col, d))
      roles.groupDim = d;
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

/// Tile sizes of the loop nest around the micro-kernels: the column dim as
/// columnsPerTile chooses, the row dim in as many rows as divide the extent and
/// leave half the vector registers for accumulators, batch dims 1, the
/// reduction whole (the micro-kernel loops over it).
SmallVector<int64_t> chooseTiles(linalg::GenericOp op, const MatmulRoles &roles,
                                 int64_t vectorWidth, int64_t numRegisters) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<int64_t> tiles(ranges.size(), 1);
  tiles[roles.kDim] = 0;
  int64_t cols = columnsPerTile(ranges[roles.colDim], vectorWidth,
                                numRegisters);
  tiles[roles.colDim] = cols;
  int64_t vectorsPerRow = (cols + vectorWidth - 1) / vectorWidth;
  if (roles.rowDim) {
    int64_t maxRows = std::max<int64_t>(1, numRegisters / 2 / vectorsPerRow);
    tiles[*roles.rowDim] = largestDivisorAtMost(ranges[*roles.rowDim], maxRows);
  }
  return tiles;
}

/// The tile sizes cnnc-cpu-group-tiling planned for a pointwise
/// convolution: `vectors_per_tile` vectors of pixels, and either a divisor
/// of a group's output channels or `groups_per_tile` whole groups; nothing
/// if the plan does not tile the op exactly.
std::optional<SmallVector<int64_t>>
plannedTiles(linalg::GenericOp op, const MatmulRoles &roles,
             const GroupTilingPlan &plan) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<int64_t> tiles(ranges.size(), 1);
  tiles[roles.kDim] = 0;
  tiles[roles.colDim] = plan.lanes * plan.vectorsPerTile;
  int64_t rows = plan.channelsPerTile / plan.groupsPerTile;
  int64_t groups = roles.groupDim ? ranges[*roles.groupDim] : 1;
  if (!roles.rowDim || ranges[*roles.rowDim] % rows != 0 ||
      groups != plan.groups || groups % plan.groupsPerTile != 0 ||
      (plan.groupsPerTile > 1 && rows != ranges[*roles.rowDim]))
    return std::nullopt;
  tiles[*roles.rowDim] = rows;
  if (roles.groupDim)
    tiles[*roles.groupDim] = plan.groupsPerTile;
  return tiles;
}

/// What a contraction's accumulators start from: a constant fill, a 1-D
/// tensor broadcast along everything but the channel dim (a bias), or
/// memory.
struct AccumulatorInit {
  Value fillValue; // scalar, when filled
  /// When a bias broadcast: the bias, indexed by the loop dims `rowValueDims`
  /// (the row dim, or the group and row dims when the channels are split
  /// into groups).
  Value rowValues;
  SmallVector<unsigned> rowValueDims;
};

AccumulatorInit analyzeInit(OpBuilder &b, Value init, const MatmulRoles &roles,
                            AffineMap outMap) {
  AccumulatorInit result;
  // An expand splitting the channels into groups (a grouped pointwise
  // conv), then a collapse of the broadcast (from collapsing the spatial
  // dims), map broadcast dims to init dims through their groups.
  SmallVector<ReassociationIndices> split;
  tensor::ExpandShapeOp expand = init.getDefiningOp<tensor::ExpandShapeOp>();
  if (expand) {
    split = expand.getReassociationIndices();
    init = expand.getSrc();
  }
  SmallVector<ReassociationIndices> groups;
  if (auto collapse = init.getDefiningOp<tensor::CollapseShapeOp>()) {
    groups = collapse.getReassociationIndices();
    init = collapse.getSrc();
  }
  if (expand && groups.empty())
    return result;
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    result.fillValue = fill.getInputs()[0];
    return result;
  }
  auto bcast = init.getDefiningOp<linalg::BroadcastOp>();
  if (!bcast || !roles.rowDim)
    return result;
  int64_t rank = bcast.getInit().getType().getRank();
  SmallVector<int64_t> kept;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(bcast.getDimensions(), d))
      kept.push_back(d);
  if (kept.size() != 1)
    return result;
  int64_t position = kept[0];
  if (!groups.empty()) {
    auto it = llvm::find_if(groups, [&](const ReassociationIndices &g) {
      return llvm::is_contained(g, kept[0]);
    });
    if (it->size() != 1)
      return result;
    position = it - groups.begin();
  }
  Value bias = bcast.getInput();
  if (expand) {
    // The channel dim splits into (group, row): the bias as [G, C/G].
    const ReassociationIndices &dims = split[position];
    if (dims.size() != 2 || !roles.groupDim ||
        outMap.getDimPosition(dims[0]) != *roles.groupDim ||
        outMap.getDimPosition(dims[1]) != *roles.rowDim)
      return result;
    ArrayRef<int64_t> shape = expand.getResultType().getShape();
    b.setInsertionPointAfterValue(bias);
    result.rowValues = b.create<tensor::ExpandShapeOp>(
        expand.getLoc(),
        RankedTensorType::get({shape[dims[0]], shape[dims[1]]},
                              b.getF32Type()),
        bias, SmallVector<ReassociationIndices>{{0, 1}});
    result.rowValueDims = {*roles.groupDim, *roles.rowDim};
    return result;
  }
  if (outMap.getDimPosition(position) == *roles.rowDim) {
    result.rowValues = bias;
    result.rowValueDims = {*roles.rowDim};
  }
  return result;
}

linalg::GenericOp collapse(RewriterBase &rewriter, linalg::GenericOp op,
                           const ReassociationIndices &group) {
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(op, {group}, rewriter);
  if (failed(collapsed))
    return op;
  rewriter.replaceOp(op, collapsed->results);
  return cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
}

/// The epilogue of `op`, if it has one it can absorb: an element-wise op
/// reading its result directly, or through the expand_shape that restores
/// the spatial dims `op` works on collapsed; the latter is collapsed the
/// same way so that it reads `op`'s result directly.
linalg::GenericOp findEpilogue(RewriterBase &rewriter, linalg::GenericOp op) {
  Value result = op->getResult(0);
  if (result.hasOneUse())
    if (auto expand =
            dyn_cast<tensor::ExpandShapeOp>(*result.getUsers().begin())) {
      auto consumer = expand->hasOneUse()
                          ? dyn_cast<linalg::GenericOp>(
                                *expand->getUsers().begin())
                          : nullptr;
      if (!consumer || consumer.getNumReductionLoops() != 0 ||
          !consumer.getMatchingIndexingMap(consumer.getDpsInitOperand(0))
               .isIdentity())
        return nullptr;
      SmallVector<ReassociationIndices> groups;
      for (const ReassociationIndices &g : expand.getReassociationIndices())
        if (g.size() > 1)
          groups.push_back(g);
      SmallVector<AffineMap> maps = consumer.getIndexingMapsArray();
      if (groups.empty() ||
          !llvm::all_of(maps,
                        [](AffineMap m) { return m.isProjectedPermutation(); }) ||
          !linalg::areDimSequencesPreserved(maps, groups))
        return nullptr;
      rewriter.setInsertionPoint(consumer);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(consumer, groups, rewriter);
      if (failed(collapsed))
        return nullptr;
      rewriter.replaceOp(consumer, collapsed->results);
      auto newConsumer =
          cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
      for (OpOperand *in : newConsumer.getDpsInputOperands()) {
        auto collapse = in->get().getDefiningOp<tensor::CollapseShapeOp>();
        if (collapse && collapse.getSrc() == expand.getResult() &&
            collapse.getResultType() == result.getType()) {
          rewriter.modifyOpInPlace(newConsumer, [&] { in->set(result); });
          if (collapse->use_empty())
            rewriter.eraseOp(collapse);
        }
      }
      if (expand->use_empty())
        rewriter.eraseOp(expand);
    }
  return fusableEpilogue(op);
}

/// Replaces `op` (and its epilogue `epilogue`, if any) by a loop nest of
/// micro-kernels. Each kernel keeps `rows` accumulator vectors of `cols`
/// lanes per group of its tile in registers through the whole reduction:
/// per step and group, one vector of the column operand and, per row, one
/// broadcast element of the row operand into a multiply-add. The epilogue's body is then applied to
/// each accumulator vector before the single store. A column extent that
/// `cols` does not divide ends in a masked tile.
void emitKernelNest(RewriterBase &rewriter, linalg::GenericOp op,
                    linalg::GenericOp epilogue, const MatmulRoles &roles,
                    ArrayRef<int64_t> tiles) {
  Location loc = op.getLoc();
  Operation *root = epilogue ? epilogue.getOperation() : op.getOperation();
  rewriter.setInsertionPoint(root);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap outMap = maps[2];
  int64_t rows = roles.rowDim ? tiles[*roles.rowDim] : 1;
  int64_t groups = roles.groupDim ? tiles[*roles.groupDim] : 1;
  int64_t cols = tiles[roles.colDim];
  bool inBounds = ranges[roles.colDim] % cols == 0;
  Type f32 = rewriter.getF32Type();
  auto vecType = VectorType::get({cols}, f32);
  auto cst = [&](OpBuilder &b, int64_t v) -> Value {
    return b.create<arith::ConstantIndexOp>(loc, v);
  };
  Value zero = cst(rewriter, 0);
  Value pad = rewriter.create<arith::ConstantOp>(loc, rewriter.getF32FloatAttr(0));

  Value init = op.getDpsInitOperand(0)->get();
  AccumulatorInit accInit = analyzeInit(rewriter, init, roles, outMap);
  rewriter.setInsertionPoint(root);
  Value dest = epilogue ? epilogue.getDpsInitOperand(0)->get() : init;
  auto destType = cast<RankedTensorType>(dest.getType());
  if (!epilogue && (accInit.fillValue || accInit.rowValues))
    dest = rewriter.create<tensor::EmptyOp>(loc, destType.getShape(), f32);

  // One loop per output dim (they are the contraction's parallel dims).
  SmallVector<unsigned> outDims;
  SmallVector<Value> lbs, ubs, steps;
  // The column tiles (the pixels of a pointwise conv) go outside the row
  // tiles, so that the input columns of a tile stay in cache while every
  // row tile reads them (ResNet-50's 256 -> 64 pointwise conv on 56x56:
  // 1.60 -> 0.68 ms).
  SmallVector<unsigned> order;
  for (AffineExpr e : outMap.getResults())
    order.push_back(cast<AffineDimExpr>(e).getPosition());
  if (roles.rowDim) {
    auto row = llvm::find(order, *roles.rowDim);
    auto col = llvm::find(order, roles.colDim);
    if (row < col)
      std::iter_swap(row, col);
  }
  for (unsigned d : order) {
    outDims.push_back(d);
    lbs.push_back(zero);
    ubs.push_back(cst(rewriter, ranges[d]));
    steps.push_back(cst(rewriter, tiles[d]));
  }
  scf::LoopNest nest = scf::buildLoopNest(
      rewriter, loc, lbs, ubs, steps, ValueRange{dest},
      [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange iter) {
        DenseMap<unsigned, Value> base; // loop dim -> tile offset
        for (auto [d, iv] : llvm::zip(outDims, ivs))
          base[d] = iv;
        // Indices of an operand with map `map`: tile offsets, plus `group`
        // on the group dim, `row` on the row dim, and `k` on the reduction.
        auto indices = [&](AffineMap map, int64_t group, int64_t row,
                           Value k) {
          SmallVector<Value> idx;
          for (AffineExpr e : map.getResults()) {
            unsigned d = cast<AffineDimExpr>(e).getPosition();
            if (d == roles.kDim) {
              idx.push_back(k);
            } else if (roles.rowDim && d == *roles.rowDim && row > 0) {
              idx.push_back(b.create<arith::AddIOp>(l, base[d], cst(b, row)));
            } else if (roles.groupDim && d == *roles.groupDim && group > 0) {
              idx.push_back(
                  b.create<arith::AddIOp>(l, base[d], cst(b, group)));
            } else {
              idx.push_back(base[d]);
            }
          }
          return idx;
        };
        // Accumulator j * rows + r: row r of the tile's group j.
        SmallVector<Value> accs;
        for (int64_t a = 0; a < groups * rows; ++a) {
          int64_t j = a / rows, r = a % rows;
          if (accInit.fillValue) {
            accs.push_back(b.create<vector::BroadcastOp>(l, vecType, accInit.fillValue));
          } else if (accInit.rowValues) {
            SmallVector<Value> all = indices(outMap, j, r, zero), at;
            for (unsigned d : accInit.rowValueDims)
              at.push_back(all[*outMap.getResultPosition(
                  getAffineDimExpr(d, b.getContext()))]);
            Value v = b.create<tensor::ExtractOp>(l, accInit.rowValues, at);
            accs.push_back(b.create<vector::BroadcastOp>(l, vecType, v));
          } else {
            accs.push_back(b.create<vector::TransferReadOp>(
                l, vecType, init, indices(outMap, j, r, zero), pad,
                ArrayRef<bool>{inBounds}));
          }
        }
        Value rowIn = op.getDpsInputOperand(roles.rowOperand)->get();
        Value colIn = op.getDpsInputOperand(roles.colOperand)->get();
        auto loop = b.create<scf::ForOp>(
            l, zero, cst(b, ranges[roles.kDim]), cst(b, 1), accs,
            [&](OpBuilder &kb, Location kl, Value k, ValueRange kAccs) {
              SmallVector<Value> next;
              for (int64_t j = 0; j < groups; ++j) {
                Value x = kb.create<vector::TransferReadOp>(
                    kl, vecType, colIn,
                    indices(maps[roles.colOperand], j, 0, k), pad,
                    ArrayRef<bool>{inBounds});
                for (int64_t r = 0; r < rows; ++r) {
                  Value w = kb.create<tensor::ExtractOp>(
                      kl, rowIn, indices(maps[roles.rowOperand], j, r, k));
                  Value wv = kb.create<vector::BroadcastOp>(kl, vecType, w);
                  next.push_back(kb.create<vector::FMAOp>(
                      kl, x, wv, kAccs[j * rows + r]));
                }
              }
              kb.create<scf::YieldOp>(kl, next);
            });
        Value result = iter[0];
        for (int64_t a = 0; a < groups * rows; ++a) {
          int64_t j = a / rows, r = a % rows;
          Value v = loop.getResult(a);
          if (epilogue)
            v = applyEpilogue(
                b, l, epilogue, op->getResult(0), v, vecType,
                [&](AffineMap m) { return indices(m, j, r, zero); }, pad,
                inBounds);
          result = b.create<vector::TransferWriteOp>(
                        l, v, result, indices(outMap, j, r, zero),
                        ArrayRef<bool>{inBounds})
                       .getResult();
        }
        return scf::ValueVector{result};
      });
  rewriter.replaceOp(root, nest.results);
  if (epilogue)
    rewriter.eraseOp(op);
}

struct CPUTileAndVectorizePass
    : cnnc::impl::CPUTileAndVectorizeBase<CPUTileAndVectorizePass> {
  using CPUTileAndVectorizeBase::CPUTileAndVectorizeBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Named matrix products take the same path as generic ones.
    SmallVector<linalg::MatmulOp> named;
    getOperation().walk([&](linalg::MatmulOp op) { named.push_back(op); });
    for (linalg::MatmulOp op : named) {
      rewriter.setInsertionPoint(op);
      (void)linalg::generalizeNamedOp(rewriter, op);
    }
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (matchMatmul(op))
        ops.push_back(op);
    });
    for (linalg::GenericOp op : ops) {
      std::optional<GroupTilingPlan> plan = GroupTilingPlan::of(op);
      if (plan && plan->vector != GroupTilingPlan::Vector::Pixels)
        plan.reset();
      if (std::optional<ReassociationIndices> group =
              trailingContiguousDims(op))
        op = collapse(rewriter, op, *group);
      std::optional<MatmulRoles> roles = matchMatmul(op);
      if (!roles)
        continue;
      SmallVector<int64_t> tiles;
      if (plan) {
        std::optional<SmallVector<int64_t>> planned =
            plannedTiles(op, *roles, *plan);
        if (!planned) {
          op.emitOpError("has a group tiling plan that does not tile it");
          return signalPassFailure();
        }
        tiles = std::move(*planned);
      } else {
        tiles = chooseTiles(op, *roles, vectorWidth, numVectorRegisters);
      }
      linalg::GenericOp epilogue = findEpilogue(rewriter, op);
      emitKernelNest(rewriter, op, epilogue, *roles, tiles);
    }
  }
};

} // namespace
