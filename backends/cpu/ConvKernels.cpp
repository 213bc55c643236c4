//===- ConvKernels.cpp - Direct convolutions as vector kernels ------------===//
//
// Depthwise and regular (one group) NCHW convolutions whose output rows are
// at least a vector wide become loop nests over (image, output-channel
// block, output row, output column tile). Each kernel keeps one vector of
// outputs per channel of its block in a register while it accumulates
// every input channel and every KH x KW tap: per tap, one load of the input
// row (unit stride; stride 2 loads twice the width and keeps the even
// lanes) and, per output channel, one broadcast weight and one multiply-
// add. Every output is written once, instead of once per tap and channel.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/KernelSupport.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc {
#define GEN_PASS_DEF_CPUCONVKERNELS
#include "backends/cpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;

namespace {

int64_t attrAt(DenseIntElementsAttr attr, int i) {
  return attr.getValues<int64_t>()[i];
}

struct ConvShape {
  bool depthwise;
  int64_t channelsIn; // reduced per output channel (1 for depthwise)
  int64_t kh, kw, sh, sw, dh, dw;
};

/// Emits the kernels for a convolution `op` (static shapes) with operands
/// input [N, C, H, W], filter ([C, KH, KW] depthwise, [F, C, KH, KW]
/// otherwise), init [N, F, OH, OW], and replaces it.
void emitConvKernels(RewriterBase &rewriter, linalg::LinalgOp op,
                     const ConvShape &conv, int64_t vectorWidth,
                     int64_t rowsLimit) {
  Location loc = op.getLoc();
  // The activation (or other element-wise op) after the conv is applied
  // before the store; a broadcast bias is where the accumulators start.
  linalg::GenericOp epilogue = fusableEpilogue(op);
  Operation *root = epilogue ? epilogue.getOperation() : op.getOperation();
  rewriter.setInsertionPoint(root);
  Value input = op.getDpsInputOperand(0)->get();
  Value filter = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  Value bias = channelBias(init);
  ArrayRef<int64_t> out = cast<RankedTensorType>(init.getType()).getShape();
  // Whole vectors, or half vectors for rows narrower than one.
  int64_t width = out[3] >= vectorWidth ? vectorWidth : vectorWidth / 2;
  bool outInBounds = out[3] % width == 0;
  int64_t rows = conv.depthwise ? 1 : largestDivisorAtMost(out[1], rowsLimit);
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
  SmallVector<Value> lbs(4, zero);
  SmallVector<Value> ubs = {cst(rewriter, out[0]), cst(rewriter, out[1]),
                            cst(rewriter, out[2]), cst(rewriter, out[3])};
  SmallVector<Value> steps = {one, cst(rewriter, rows), one,
                              cst(rewriter, width)};
  Value dest = epilogue ? epilogue.getDpsInitOperand(0)->get() : init;
  if (!epilogue && bias)
    dest = rewriter.create<tensor::EmptyOp>(loc, out, rewriter.getF32Type());
  scf::LoopNest nest = scf::buildLoopNest(
      rewriter, loc, lbs, ubs, steps, ValueRange{dest},
      [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange iter) {
        Value n = ivs[0], f0 = ivs[1], oh = ivs[2], ow = ivs[3];
        auto affine = [&](Value v, int64_t scale, int64_t offset) -> Value {
          Value s = b.create<arith::MulIOp>(l, v, cst(b, scale));
          return b.create<arith::AddIOp>(l, s, cst(b, offset));
        };
        SmallVector<Value> channels;
        for (int64_t r = 0; r < rows; ++r)
          channels.push_back(r ? b.create<arith::AddIOp>(l, f0, cst(b, r))
                               : f0);
        SmallVector<Value> accs;
        for (Value f : channels)
          accs.push_back(
              bias ? b.create<vector::BroadcastOp>(
                         l, outVec, b.create<tensor::ExtractOp>(l, bias, f))
                         .getResult()
                   : b.create<vector::TransferReadOp>(
                         l, outVec, init, ValueRange{n, f, oh, ow}, pad,
                         ArrayRef<bool>{outInBounds})
                         .getResult());
        // All taps of input channel `c` into `accs`.
        auto taps = [&](OpBuilder &tb, Value c, SmallVector<Value> accs) {
          for (int64_t kh = 0; kh < conv.kh; ++kh) {
            Value ih = affine(oh, conv.sh, kh * conv.dh);
            for (int64_t kw = 0; kw < conv.kw; ++kw) {
              Value iw = affine(ow, conv.sw, kw * conv.dw);
              Value row = tb.create<vector::TransferReadOp>(
                  l, inVec, input, ValueRange{n, c, ih, iw}, pad,
                  ArrayRef<bool>{false});
              if (conv.sw != 1)
                row = tb.create<vector::ShuffleOp>(l, row, row, lanes);
              for (int64_t r = 0; r < rows; ++r) {
                SmallVector<Value> at = {cst(tb, kh), cst(tb, kw)};
                at.insert(at.begin(), conv.depthwise ? c : channels[r]);
                if (!conv.depthwise)
                  at.insert(at.begin() + 1, c);
                Value w = tb.create<tensor::ExtractOp>(l, filter, at);
                Value wv = tb.create<vector::BroadcastOp>(l, outVec, w);
                accs[r] = tb.create<vector::FMAOp>(l, row, wv, accs[r]);
              }
            }
          }
          return accs;
        };
        if (conv.depthwise) {
          accs = taps(b, f0, accs);
        } else {
          auto loop = b.create<scf::ForOp>(
              l, zero, cst(b, conv.channelsIn), one, accs,
              [&](OpBuilder &cb, Location cl, Value c, ValueRange cAccs) {
                cb.create<scf::YieldOp>(
                    cl, taps(cb, c, SmallVector<Value>(cAccs)));
              });
          accs = loop.getResults();
        }
        Value result = iter[0];
        for (auto [f, acc] : llvm::zip(channels, accs)) {
          Value v = acc;
          if (epilogue) {
            // The epilogue's loops are the output's (n, f, oh, ow).
            SmallVector<Value> at = {n, f, oh, ow};
            v = applyEpilogue(
                b, l, epilogue, op->getResult(0), acc, outVec,
                [&](AffineMap map) {
                  SmallVector<Value> idx;
                  for (AffineExpr e : map.getResults())
                    idx.push_back(at[cast<AffineDimExpr>(e).getPosition()]);
                  return idx;
                },
                pad, outInBounds);
          }
          result = b.create<vector::TransferWriteOp>(
                        l, v, result, ValueRange{n, f, oh, ow},
                        ArrayRef<bool>{outInBounds})
                       .getResult();
        }
        return scf::ValueVector{result};
      });
  rewriter.replaceOp(root, nest.results);
  if (epilogue)
    rewriter.eraseOp(op);
}

bool staticTensors(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    return tensor && tensor.hasStaticShape();
  });
}

/// Output width, or 0 if `op` does not qualify.
int64_t outputWidth(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || !staticTensors(op))
    return 0;
  return cast<RankedTensorType>(op.getDpsInitOperand(0)->get().getType())
      .getDimSize(3);
}

struct CPUConvKernelsPass
    : cnnc::impl::CPUConvKernelsBase<CPUConvKernelsPass> {
  using CPUConvKernelsBase::CPUConvKernelsBase;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, ConvShape>> convs;
    auto shapeOf = [](auto op, bool depthwise) {
      auto filter = cast<RankedTensorType>(
          op.getDpsInputOperand(1)->get().getType());
      int64_t rank = filter.getRank();
      return ConvShape{depthwise,
                       depthwise ? 1 : filter.getDimSize(1),
                       filter.getDimSize(rank - 2),
                       filter.getDimSize(rank - 1),
                       attrAt(op.getStrides(), 0),
                       attrAt(op.getStrides(), 1),
                       attrAt(op.getDilations(), 0),
                       attrAt(op.getDilations(), 1)};
    };
    // Rows narrower than half a vector are left to the loop vectorizer,
    // which does better on them than a mostly masked vector would.
    getOperation().walk([&](Operation *op) {
      if (auto dw = dyn_cast<linalg::DepthwiseConv2DNchwChwOp>(op)) {
        if (outputWidth(dw) >= vectorWidth / 2)
          convs.push_back({dw, shapeOf(dw, true)});
      } else if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op)) {
        if (outputWidth(conv) >= vectorWidth / 2)
          convs.push_back({conv, shapeOf(conv, false)});
      }
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, shape] : convs)
      emitConvKernels(rewriter, op, shape, vectorWidth, 8);
  }
};

} // namespace
