//===- ConvKernels.cpp - Direct convolutions as vector kernels ------------===//
//
// Depthwise, grouped and one-group NCHW convolutions become loop nests over
// (image, spatial tile, output-channel tile, output row, output column
// tile), tiled as cnnc-cpu-group-tiling planned. Each kernel keeps one
// vector of outputs per channel of its tile in a register while it
// accumulates every input channel of their group and every KH x KW tap:
// per tap and group in the tile, one load of the input row (unit stride;
// stride 2 loads twice the width and keeps the even lanes) and, per output
// channel of that group, one broadcast weight and one multiply-add. Every
// output is written once, instead of once per tap and channel. A spatial
// sum of the stored result (the pool of a squeeze-excite) is accumulated
// in registers too, so the result is not read again to reduce it.
//
// The kernels read through what is in front of the input only to place
// its elements: zero padding (taps in the padding rows take zeros, the
// first column tile shifts its row in with zeros) and a channel shuffle
// (the channel index is mapped). Neither becomes a copy.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/KernelSupport.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>
#include <map>

namespace cnnc {
#define GEN_PASS_DEF_CPUCONVKERNELS
#include "backends/cpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;

namespace {

/// A direct convolution in NCHW terms: input [N, C, H, W], filter
/// [F, C/g, KH, KW] ([C, KH, KW] when depthwise), init [N, F, OH, OW].
/// `produced` is the op whose NCHW result the kernels compute: the
/// convolution itself, or the collapse of a grouped one's [N, g, F/g, OH,
/// OW] result.
struct DirectConv {
  Operation *op;
  Operation *produced;
  Value input, filter, init;
  bool depthwise;
  int64_t channelsIn, channelsOut; // per group
  int64_t kh, kw, sh, sw, dh, dw;
  /// Zero rows above and columns left of `input` that the kernels read as
  /// zeros themselves (what a tensor.pad before the conv added); the rows
  /// below and columns right of it read as zeros too.
  int64_t padTop = 0, padLeft = 0;
  /// A channel shuffle the kernels read through: conv channel j is channel
  /// (j % shuffleGroups) * (C / shuffleGroups) + j / shuffleGroups of
  /// `input`; 0 when none.
  int64_t shuffleGroups = 0;
  /// How the taps combine: a multiply-add with the filter (a convolution),
  /// or the max or the sum of the window (a pooling, whose `filter` is only
  /// the window's shape).
  enum class Combine { MulAdd, Max, Add } combine = Combine::MulAdd;

  /// The value that leaves a tap's combination unchanged, which padding
  /// and positions outside the input read: -inf for a max, else 0.
  double identity() const {
    return combine == Combine::Max ? -std::numeric_limits<double>::infinity()
                                   : 0.0;
  }
};

/// `v` seen through a channel shuffle, [N, C, H, W] -> [N, g, C/g, H, W]
/// -> transpose of dims 1 and 2 -> [N, C, H, W]: its source and g, or
/// nothing.
std::optional<std::pair<Value, int64_t>> throughShuffle(Value v) {
  auto collapse = v.getDefiningOp<tensor::CollapseShapeOp>();
  SmallVector<ReassociationIndices> channels = {{0}, {1, 2}, {3}, {4}};
  if (!collapse || collapse.getReassociationIndices() != channels)
    return std::nullopt;
  auto transpose = collapse.getSrc().getDefiningOp<linalg::TransposeOp>();
  if (!transpose ||
      transpose.getPermutation() != ArrayRef<int64_t>{0, 2, 1, 3, 4})
    return std::nullopt;
  auto expand = transpose.getInput().getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getReassociationIndices() != channels)
    return std::nullopt;
  return std::make_pair(expand.getSrc(), expand.getResultType().getDimSize(1));
}

/// Reads through a tensor.pad of H and W in front of `conv`'s input that
/// pads with the combination's identity (zeros; -inf before a max pool),
/// when every column tile but the first starts inside the input: the
/// kernels then read the unpadded input, and no padded copy is made.
void absorbPadding(DirectConv &conv, int64_t lanes) {
  auto pad = conv.input.getDefiningOp<tensor::PadOp>();
  FloatAttr value;
  if (!pad || !matchPattern(pad.getConstantPaddingValue(), m_Constant(&value)) ||
      value.getValueAsDouble() != conv.identity())
    return;
  SmallVector<int64_t> low(pad.getStaticLow()), high(pad.getStaticHigh());
  if (ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high) ||
      low[0] || low[1] || high[0] || high[1] || lanes * conv.sw < low[3])
    return;
  conv.input = pad.getSource();
  conv.padTop = low[2];
  conv.padLeft = low[3];
}

/// Reads through a channel shuffle (ShuffleNet v1's, after a grouped conv)
/// in front of `conv`'s input: the kernels then index the shuffle's source
/// instead, and no kernel is left that only moves channels.
void absorbShuffle(DirectConv &conv) {
  if (auto shuffle = throughShuffle(conv.input)) {
    conv.input = shuffle->first;
    conv.shuffleGroups = shuffle->second;
  }
}

/// A user of the NCHW `result` that sums it over H and W into [N, C] (the
/// pool of a squeeze-excite), or null.
linalg::GenericOp spatialSum(Value result) {
  for (Operation *user : result.getUsers()) {
    auto sum = dyn_cast<linalg::GenericOp>(user);
    if (!sum || sum.getNumDpsInputs() != 1 || sum.getNumDpsInits() != 1 ||
        sum.getDpsInputOperand(0)->get() != result ||
        !sum.hasPureTensorSemantics() || sum.getNumLoops() != 4)
      continue;
    using utils::IteratorType;
    MLIRContext *ctx = sum.getContext();
    SmallVector<AffineMap> maps = sum.getIndexingMapsArray();
    if (sum.getIteratorTypesArray() !=
            SmallVector<IteratorType>{
                IteratorType::parallel, IteratorType::parallel,
                IteratorType::reduction, IteratorType::reduction} ||
        !maps[0].isIdentity() ||
        maps[1] !=
            AffineMap::get(4, 0,
                           {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)},
                           ctx))
      continue;
    Block &body = sum.getRegion().front();
    auto add =
        body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
    if (!add || &body.front() != add.getOperation() ||
        !((add.getLhs() == body.getArgument(0) &&
           add.getRhs() == body.getArgument(1)) ||
          (add.getLhs() == body.getArgument(1) &&
           add.getRhs() == body.getArgument(0))))
      continue;
    return sum;
  }
  return nullptr;
}

/// The element-wise op of `use` if a kernel replacing `root` can apply it
/// in registers: its result has one user, and whatever else it reads is
/// defined before `root`.
linalg::GenericOp pooledElementwise(OpOperand &use, Operation *root) {
  linalg::GenericOp op = elementwiseUser(use);
  if (!op || !op->getResult(0).hasOneUse() ||
      op.payloadUsesValueFromOperand(op.getDpsInitOperand(0)))
    return nullptr;
  DominanceInfo dominance(root);
  SetVector<Value> read;
  getUsedValuesDefinedAbove(op.getRegion(), read);
  for (OpOperand *in : op.getDpsInputOperands())
    if (in->get() != use.get())
      read.insert(in->get());
  for (Value v : read)
    if (!dominance.properlyDominates(v, root))
      return nullptr;
  return op;
}

/// Where the kernels start accumulating `sum`, created before `root`: a
/// zero [N, C] tensor when `sum` starts from zero, else its own init when
/// that is defined before `root`; null if neither.
Value sumInit(RewriterBase &rewriter, linalg::GenericOp sum, Operation *root) {
  Value init = sum.getDpsInitOperand(0)->get();
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat())) {
    Location loc = sum.getLoc();
    auto type = cast<RankedTensorType>(init.getType());
    Value empty = rewriter.create<tensor::EmptyOp>(loc, type.getShape(),
                                                   type.getElementType());
    Value zero = rewriter.create<arith::ConstantOp>(
        loc, rewriter.getZeroAttr(type.getElementType()));
    return rewriter.create<linalg::FillOp>(loc, zero, empty).getResult(0);
  }
  if (DominanceInfo(root).properlyDominates(init, root))
    return init;
  return nullptr;
}

/// Emits the kernels for `conv` tiled by `plan` and replaces it.
void emitConvKernels(RewriterBase &rewriter, const DirectConv &conv,
                     const GroupTilingPlan &plan) {
  Location loc = conv.op->getLoc();
  // The activation (or other element-wise op) after the conv is applied
  // before the store; a broadcast bias is where the accumulators start.
  linalg::GenericOp epilogue = fusableEpilogue(conv.produced);
  Operation *root = epilogue ? epilogue.getOperation() : conv.produced;
  rewriter.setInsertionPoint(root);
  Value bias = channelBias(conv.init);
  ArrayRef<int64_t> out =
      cast<RankedTensorType>(conv.init.getType()).getShape();
  ArrayRef<int64_t> in =
      cast<RankedTensorType>(conv.input.getType()).getShape();
  int64_t width = plan.lanes;
  bool outInBounds = out[3] % width == 0;
  int64_t tileGroups = plan.groupsPerTile;
  int64_t perGroup = plan.channelsPerTile / tileGroups;
  Type f32 = rewriter.getF32Type();
  auto outVec = VectorType::get({width}, f32);
  auto inVec = VectorType::get({width * conv.sw}, f32);
  SmallVector<int64_t> lanes;
  for (int64_t i = 0; i < width; ++i)
    lanes.push_back(i * conv.sw);

  auto cst = [&](OpBuilder &b, int64_t v) -> Value {
    return b.create<arith::ConstantIndexOp>(loc, v);
  };
  Value zero = cst(rewriter, 0), one = cst(rewriter, 1);
  Value pad =
      rewriter.create<arith::ConstantOp>(loc, rewriter.getF32FloatAttr(0));
  // What the input reads outside itself, as a scalar and as a vector.
  auto identityAttr =
      rewriter.getF32FloatAttr(static_cast<float>(conv.identity()));
  Value identity = rewriter.create<arith::ConstantOp>(loc, identityAttr);
  Value identityRow = rewriter.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(inVec, identityAttr));
  Value identityVec = rewriter.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(outVec, identityAttr));
  // Accumulators start from a broadcast bias or a filled constant (a
  // pooling's -inf or 0) in registers, else from what the init holds.
  Value filled;
  if (auto fill = conv.init.getDefiningOp<linalg::FillOp>())
    filled = fill.getInputs()[0];
  // (image, spatial tile, channel tile), then the rows of the spatial tile
  // (below) and the columns.
  SmallVector<Value> lbs(3, zero);
  SmallVector<Value> ubs = {cst(rewriter, out[0]), cst(rewriter, out[2]),
                            cst(rewriter, out[1])};
  SmallVector<Value> steps = {one, cst(rewriter, plan.rowsPerTile),
                              cst(rewriter, plan.channelsPerTile)};
  Value columns = cst(rewriter, out[3]), columnStep = cst(rewriter, width);
  Value dest = epilogue ? epilogue.getDpsInitOperand(0)->get() : conv.init;
  if (!epilogue && (bias || filled))
    dest = rewriter.create<tensor::EmptyOp>(loc, out, rewriter.getF32Type());
  // A spatial sum of the stored values (the pool of a squeeze-excite) is
  // accumulated as one vector of partial sums per channel of the tile
  // through its rows, then added to the [N, C] sums. A spatial sum of an
  // element-wise op of them (an activation that the fusion of element-wise
  // ops has copied into another user) sums that op applied in registers,
  // and the op goes too.
  Value stored = root->getResult(0);
  linalg::GenericOp pool = spatialSum(stored), pooledOp;
  for (OpOperand &use : stored.getUses()) {
    if (pool)
      break;
    pooledOp = pooledElementwise(use, root);
    pool = pooledOp ? spatialSum(pooledOp->getResult(0)) : nullptr;
  }
  Value sums = pool ? sumInit(rewriter, pool, root) : Value();
  if (!sums)
    pool = pooledOp = nullptr;
  SmallVector<Value> outerInits = {dest};
  if (pool)
    outerInits.push_back(sums);
  Value vecZero =
      pool ? rewriter.create<arith::ConstantOp>(
                 loc,
                 DenseElementsAttr::get(outVec, rewriter.getF32FloatAttr(0)))
           : Value();
  // The output vectors at (n, f0 + r, oh + q, ow) of every channel r of the
  // tile and each of `R` rows q into `result`; each is also added to
  // `partial[r]` when pooling. `leftEdge`: the first column tile (ow = 0),
  // whose taps left of the input read the padding's identity.
  auto tile = [&](OpBuilder &b, Location l, ValueRange ivs, Value result,
                  SmallVector<Value> partial, bool leftEdge, int64_t R) {
    auto add = [&](Value v, int64_t c) -> Value {
      return c ? b.create<arith::AddIOp>(l, v, cst(b, c)).getResult() : v;
    };
    auto mul = [&](Value v, int64_t c) -> Value {
      return c != 1 ? b.create<arith::MulIOp>(l, v, cst(b, c)).getResult() : v;
    };
    auto affine = [&](Value v, int64_t scale, int64_t offset) {
      return add(mul(v, scale), offset);
    };
    // Output rows oh + q, q < R, for each channel r of the tile: the
    // accumulator of (r, q) is accs[r * R + q].
    Value n = ivs[0], f0 = ivs[2], ow = ivs[4];
    Value oh = b.create<arith::AddIOp>(l, ivs[1], ivs[3]);
    SmallVector<Value> rows;
    for (int64_t q = 0; q < R; ++q)
      rows.push_back(add(oh, q));
    SmallVector<Value> channels;
    for (int64_t r = 0; r < plan.channelsPerTile; ++r)
      channels.push_back(add(f0, r));
    // First input channel of each group of the tile (the tile starts a
    // group, or lies inside one).
    SmallVector<Value> groupInputs;
    if (plan.groups > 1) {
      Value group =
          conv.channelsOut == 1
              ? f0
              : b.create<arith::DivUIOp>(l, f0, cst(b, conv.channelsOut))
                    .getResult();
      for (int64_t j = 0; j < tileGroups; ++j)
        groupInputs.push_back(mul(add(group, j), conv.channelsIn));
    }
    SmallVector<Value> accs;
    for (Value f : channels) {
      Value start =
          bias ? b.create<vector::BroadcastOp>(
                      l, outVec, b.create<tensor::ExtractOp>(l, bias, f))
                     .getResult()
          : filled ? b.create<vector::BroadcastOp>(l, outVec, filled).getResult()
                   : Value();
      for (Value row : rows)
        accs.push_back(start ? start
                             : b.create<vector::TransferReadOp>(
                                    l, outVec, conv.init,
                                    ValueRange{n, f, row, ow}, pad,
                                    ArrayRef<bool>{outInBounds})
                                   .getResult());
    }
    // The channel of conv.input that the conv reads as channel `ch`.
    auto sourceChannel = [&](OpBuilder &cb, Value ch) -> Value {
      if (!conv.shuffleGroups)
        return ch;
      Value g = cst(cb, conv.shuffleGroups);
      Value rows = cst(cb, in[1] / conv.shuffleGroups);
      return cb.create<arith::AddIOp>(
          l,
          cb.create<arith::MulIOp>(l, cb.create<arith::RemUIOp>(l, ch, g),
                                   rows),
          cb.create<arith::DivUIOp>(l, ch, g));
    };
    // All taps of input channel `c` (of each group) into `accs`; `c` is
    // null when groups have one input channel.
    auto taps = [&](OpBuilder &tb, Value c, SmallVector<Value> accs) {
      // The input vector of tap column kw, group j of the tile, for the
      // input row oh * sh + rowOffset, read once for every (q, kh) that
      // reaches it. A row that may fall in the padding rows is read inside
      // and replaced by zeros; columns right of the input read zeros; left
      // of it (first tile only) the row is read from column 0 and shifted
      // in with zeros.
      std::map<std::tuple<int64_t, int64_t, int64_t>, Value> loaded;
      SmallVector<Value> inC;
      for (int64_t j = 0; j < tileGroups; ++j)
        inC.push_back(sourceChannel(
            tb, plan.groups == 1 ? c
                : c ? tb.create<arith::AddIOp>(l, groupInputs[j], c).getResult()
                    : groupInputs[j]));
      auto inputRow = [&](int64_t rowOffset, int64_t kw, int64_t j) {
        Value &row = loaded[{rowOffset, kw, j}];
        if (row)
          return row;
        Value ih = affine(oh, conv.sh, rowOffset), inside;
        if (rowOffset < 0 || (out[2] - 1) * conv.sh + rowOffset >= in[2]) {
          inside = tb.create<arith::AndIOp>(
              l,
              tb.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, ih, zero),
              tb.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, ih,
                                       cst(tb, in[2])));
          ih = tb.create<arith::SelectOp>(l, inside, ih, zero);
        }
        int64_t start = kw * conv.dw - conv.padLeft;
        bool shifted = leftEdge && start < 0;
        Value iw = shifted ? zero : affine(ow, conv.sw, start);
        row = tb.create<vector::TransferReadOp>(
            l, inVec, conv.input, ValueRange{n, inC[j], ih, iw}, identity,
            ArrayRef<bool>{false});
        if (shifted) {
          // Lane i is column i * sw + start: from the row read at 0, or the
          // identity (the lanes after the row's) when negative.
          SmallVector<int64_t> mask;
          for (int64_t i = 0; i < width; ++i)
            mask.push_back(i * conv.sw + start < 0 ? width * conv.sw
                                                   : i * conv.sw + start);
          row = tb.create<vector::ShuffleOp>(l, row, identityRow, mask);
        } else if (conv.sw != 1) {
          row = tb.create<vector::ShuffleOp>(l, row, row, lanes);
        }
        if (inside)
          row = tb.create<arith::SelectOp>(l, inside, row, identityVec);
        return row;
      };
      for (int64_t kh = 0; kh < conv.kh; ++kh) {
        for (int64_t kw = 0; kw < conv.kw; ++kw) {
          for (int64_t j = 0; j < tileGroups; ++j) {
            SmallVector<Value> rowsIn;
            for (int64_t q = 0; q < R; ++q)
              rowsIn.push_back(inputRow(
                  q * conv.sh + kh * conv.dh - conv.padTop, kw, j));
            for (int64_t r = j * perGroup; r < (j + 1) * perGroup; ++r) {
              if (conv.combine != DirectConv::Combine::MulAdd) {
                // A pooling: max(acc, in) as one compare and select (a
                // vector max instruction; a NaN in the window propagates
                // only as far as the next tap, as ONNX Runtime's pools do),
                // or acc + in.
                for (int64_t q = 0; q < R; ++q) {
                  Value &acc = accs[r * R + q];
                  if (conv.combine == DirectConv::Combine::Add) {
                    acc = tb.create<arith::AddFOp>(l, acc, rowsIn[q]);
                    continue;
                  }
                  Value greater = tb.create<arith::CmpFOp>(
                      l, arith::CmpFPredicate::OGT, acc, rowsIn[q]);
                  acc = tb.create<arith::SelectOp>(l, greater, acc, rowsIn[q]);
                }
                continue;
              }
              SmallVector<Value> at = {channels[r], cst(tb, kh), cst(tb, kw)};
              if (!conv.depthwise)
                at.insert(at.begin() + 1, c ? c : zero);
              Value w = tb.create<tensor::ExtractOp>(l, conv.filter, at);
              Value wv = tb.create<vector::BroadcastOp>(l, outVec, w);
              for (int64_t q = 0; q < R; ++q)
                accs[r * R + q] = tb.create<vector::FMAOp>(l, rowsIn[q], wv,
                                                           accs[r * R + q]);
            }
          }
        }
      }
      return accs;
    };
    if (conv.channelsIn == 1 && plan.groups > 1) {
      accs = taps(b, Value(), accs);
    } else {
      auto loop = b.create<scf::ForOp>(
          l, zero, cst(b, conv.channelsIn), one, accs,
          [&](OpBuilder &cb, Location cl, Value c, ValueRange cAccs) {
            cb.create<scf::YieldOp>(cl, taps(cb, c, SmallVector<Value>(cAccs)));
          });
      accs = loop.getResults();
    }
    Value mask;
    if (pool && !outInBounds)
      mask = b.create<vector::CreateMaskOp>(
          l, VectorType::get({width}, b.getI1Type()),
          ValueRange{b.create<arith::SubIOp>(l, cst(b, out[3]), ow)});
    for (auto [i, acc] : llvm::enumerate(accs)) {
      int64_t r = i / R;
      Value f = channels[r], row = rows[i % R];
      Value v = acc;
      // The epilogue's loops are the output's (n, f, oh, ow).
      SmallVector<Value> at = {n, f, row, ow};
      auto indicesOf = [&](AffineMap map) {
        SmallVector<Value> idx;
        for (AffineExpr e : map.getResults())
          idx.push_back(at[cast<AffineDimExpr>(e).getPosition()]);
        return idx;
      };
      if (epilogue)
        v = applyEpilogue(b, l, epilogue, conv.produced->getResult(0), acc,
                          outVec, indicesOf, pad, outInBounds);
      result = b.create<vector::TransferWriteOp>(l, v, result,
                                                 ValueRange{n, f, row, ow},
                                                 ArrayRef<bool>{outInBounds})
                   .getResult();
      if (pool) {
        Value pooled = pooledOp
                           ? applyEpilogue(b, l, pooledOp, stored, v, outVec,
                                           indicesOf, pad, outInBounds)
                           : v;
        if (mask)
          pooled = b.create<arith::SelectOp>(l, mask, pooled, vecZero);
        partial[r] = b.create<arith::AddFOp>(l, partial[r], pooled);
      }
    }
    SmallVector<Value> results = {result};
    llvm::append_range(results, partial);
    return results;
  };
  // (image, spatial tile, channel tile), then the tile's rows and columns
  // carrying the output and the partial sums.
  scf::LoopNest nest = scf::buildLoopNest(
      rewriter, loc, ArrayRef(lbs).take_front(3), ArrayRef(ubs).take_front(3),
      ArrayRef(steps).take_front(3), outerInits,
      [&](OpBuilder &b, Location l, ValueRange outer, ValueRange iter) {
        SmallVector<Value> inits = {iter[0]};
        if (pool)
          inits.append(plan.channelsPerTile, vecZero);
        // Rows [from, to) of the spatial tile, R at a time.
        auto rowLoop = [&](ValueRange rowInits, int64_t from, int64_t to,
                           int64_t R) {
          return b.create<scf::ForOp>(
              l, cst(b, from), cst(b, to), cst(b, R), rowInits,
              [&](OpBuilder &rb, Location rl, Value row, ValueRange rowIter) {
                // With padding columns to the left, the first column tile
                // is peeled off.
                SmallVector<Value> iter(rowIter);
                Value first = zero;
                if (conv.padLeft) {
                  SmallVector<Value> ivs(outer);
                  ivs.append({row, zero});
                  iter = tile(rb, rl, ivs, iter[0],
                              SmallVector<Value>(ArrayRef(iter).drop_front()),
                              /*leftEdge=*/true, R);
                  first = columnStep;
                }
                auto cols = rb.create<scf::ForOp>(
                    rl, first, columns, columnStep, iter,
                    [&](OpBuilder &cb, Location cl, Value col,
                        ValueRange colIter) {
                      SmallVector<Value> ivs(outer);
                      ivs.append({row, col});
                      cb.create<scf::YieldOp>(
                          cl, tile(cb, cl, ivs, colIter[0],
                                   SmallVector<Value>(colIter.drop_front()),
                                   /*leftEdge=*/false, R));
                    });
                rb.create<scf::YieldOp>(rl, cols.getResults());
              });
        };
        // Whole kernels of rowsPerKernel rows, then the rows left one at a
        // time.
        int64_t R = plan.rowsPerKernel;
        int64_t whole = plan.rowsPerTile / R * R;
        scf::ForOp rows = rowLoop(inits, 0, whole, R);
        if (whole < plan.rowsPerTile)
          rows = rowLoop(rows.getResults(), whole, plan.rowsPerTile, 1);
        scf::ValueVector results = {rows.getResult(0)};
        if (pool) {
          // Each channel's partial sums into its [N, C] sum.
          Value total = iter[1];
          for (int64_t r = 0; r < plan.channelsPerTile; ++r) {
            Value f =
                r ? b.create<arith::AddIOp>(
                         l, outer[2], b.create<arith::ConstantIndexOp>(l, r))
                        .getResult()
                  : outer[2];
            Value part = b.create<vector::ReductionOp>(
                l, vector::CombiningKind::ADD, rows.getResult(1 + r));
            Value at =
                b.create<tensor::ExtractOp>(l, total, ValueRange{outer[0], f});
            total = b.create<tensor::InsertOp>(
                l, b.create<arith::AddFOp>(l, at, part), total,
                ValueRange{outer[0], f});
          }
          results.push_back(total);
        }
        return results;
      });
  rewriter.replaceOp(root, nest.results.front());
  if (pool)
    rewriter.replaceOp(pool, nest.results[1]);
  if (pooledOp)
    rewriter.eraseOp(pooledOp);
  if (epilogue)
    rewriter.eraseOp(conv.produced);
  if (conv.produced != conv.op)
    rewriter.eraseOp(conv.op);
}

/// `v` ([.., g, x/g, ..]) with the dims of `groups` merged: the source of
/// the expand_shape that split them, or a new collapse_shape.
Value ungroup(RewriterBase &rewriter, Value v,
              ArrayRef<ReassociationIndices> groups) {
  if (auto expand = v.getDefiningOp<tensor::ExpandShapeOp>())
    if (ArrayRef<ReassociationIndices>(expand.getReassociationIndices()) ==
        groups)
      return expand.getSrc();
  return rewriter.create<tensor::CollapseShapeOp>(v.getLoc(), v, groups);
}

/// When the element-wise op after a grouped convolution works on its
/// [N, g, F/g, OH, OW] result (the element-wise fusion moves reshapes past
/// such ops), collapses that op's group dims so that it reads the result
/// collapsed back to NCHW, as the kernels' epilogue.
void collapseGroupedEpilogue(RewriterBase &rewriter, Value result) {
  if (!result.hasOneUse())
    return;
  auto op = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!op || op.getNumLoops() != 5 || op.getNumReductionLoops() != 0 ||
      op.getDpsInitOperand(0)->get() == result)
    return;
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(op, {{1, 2}}, rewriter);
  if (succeeded(collapsed))
    rewriter.replaceOp(op, collapsed->results);
}

/// The NCHW view of a planned convolution, or nothing if the kernels do not
/// cover it (a grouped one whose result is not collapsed back to NCHW).
template <typename ConvOp>
std::optional<DirectConv> directConv(RewriterBase &rewriter, ConvOp op) {
  auto strides = op.getStrides().template getValues<int64_t>();
  auto dilations = op.getDilations().template getValues<int64_t>();
  ArrayRef<int64_t> filter =
      cast<RankedTensorType>(op.getDpsInputOperand(1)->get().getType())
          .getShape();
  int64_t rank = filter.size();
  DirectConv conv{op,
                  op,
                  op.getDpsInputOperand(0)->get(),
                  op.getDpsInputOperand(1)->get(),
                  op.getDpsInitOperand(0)->get(),
                  std::is_same_v<ConvOp, linalg::DepthwiseConv2DNchwChwOp> ||
                      std::is_same_v<ConvOp, linalg::PoolingNchwMaxOp> ||
                      std::is_same_v<ConvOp, linalg::PoolingNchwSumOp>,
                  1,
                  1,
                  filter[rank - 2],
                  filter[rank - 1],
                  strides[0],
                  strides[1],
                  dilations[0],
                  dilations[1]};
  if constexpr (std::is_same_v<ConvOp, linalg::PoolingNchwMaxOp>) {
    conv.combine = DirectConv::Combine::Max;
  } else if constexpr (std::is_same_v<ConvOp, linalg::PoolingNchwSumOp>) {
    conv.combine = DirectConv::Combine::Add;
  } else if constexpr (std::is_same_v<ConvOp, linalg::Conv2DNchwFchwOp>) {
    conv.channelsIn = filter[1];
    conv.channelsOut = filter[0];
  } else if constexpr (std::is_same_v<ConvOp, linalg::Conv2DNgchwGfchwOp>) {
    SmallVector<ReassociationIndices> channels = {{0}, {1, 2}, {3}, {4}};
    Value result = op->getResult(0);
    collapseGroupedEpilogue(rewriter, result);
    auto collapse =
        result.hasOneUse()
            ? dyn_cast<tensor::CollapseShapeOp>(*result.getUsers().begin())
            : nullptr;
    if (!collapse || collapse.getReassociationIndices() != channels)
      return std::nullopt;
    conv.produced = collapse;
    conv.channelsIn = filter[2];
    conv.channelsOut = filter[1];
    rewriter.setInsertionPoint(op);
    conv.input = ungroup(rewriter, conv.input, channels);
    conv.filter = ungroup(rewriter, conv.filter, {{0, 1}, {2}, {3}, {4}});
    conv.init = ungroup(rewriter, conv.init, channels);
  }
  return conv;
}

/// Whether `plan` tiles `conv` exactly: whole channel tiles inside a group
/// or of whole groups, whole spatial tiles.
bool planFits(const DirectConv &conv, const GroupTilingPlan &plan) {
  ArrayRef<int64_t> out =
      cast<RankedTensorType>(conv.init.getType()).getShape();
  int64_t perGroup = plan.channelsPerTile / plan.groupsPerTile;
  bool channelsFit = plan.groupsPerTile == 1 ? conv.channelsOut % perGroup == 0
                                             : perGroup == conv.channelsOut;
  return channelsFit && plan.groups * conv.channelsOut == out[1] &&
         out[2] % plan.rowsPerTile == 0 &&
         plan.rowsPerKernel <= plan.rowsPerTile;
}

struct CPUConvKernelsPass : cnnc::impl::CPUConvKernelsBase<CPUConvKernelsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<Operation *, GroupTilingPlan>> planned;
    getOperation().walk([&](Operation *op) {
      std::optional<GroupTilingPlan> plan = GroupTilingPlan::of(op);
      if (plan && plan->vector == GroupTilingPlan::Vector::Width &&
          isa<linalg::DepthwiseConv2DNchwChwOp, linalg::Conv2DNchwFchwOp,
              linalg::Conv2DNgchwGfchwOp, linalg::PoolingNchwMaxOp,
              linalg::PoolingNchwSumOp>(op) &&
          cast<linalg::LinalgOp>(op).hasPureTensorSemantics())
        planned.push_back({op, *plan});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, plan] : planned) {
      std::optional<DirectConv> conv =
          TypeSwitch<Operation *, std::optional<DirectConv>>(op)
              .Case<linalg::DepthwiseConv2DNchwChwOp, linalg::Conv2DNchwFchwOp,
                    linalg::Conv2DNgchwGfchwOp, linalg::PoolingNchwMaxOp,
                    linalg::PoolingNchwSumOp>(
                  [&](auto named) { return directConv(rewriter, named); });
      if (!conv)
        continue;
      if (!planFits(*conv, plan)) {
        op->emitOpError("has a group tiling plan that does not tile it");
        return signalPassFailure();
      }
      absorbPadding(*conv, plan.lanes);
      absorbShuffle(*conv);
      emitConvKernels(rewriter, *conv, plan);
    }
  }
};

} // namespace
