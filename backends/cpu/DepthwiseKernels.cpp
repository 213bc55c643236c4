//===- DepthwiseKernels.cpp - Depthwise convolutions as vector kernels ----===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc {
#define GEN_PASS_DEF_CPUDEPTHWISEKERNELS
#include "backends/cpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

int64_t attrAt(DenseIntElementsAttr attr, int i) {
  return attr.getValues<int64_t>()[i];
}

/// Emits the kernel for `op` (static shapes) and replaces it.
void emitDepthwiseKernel(RewriterBase &rewriter,
                         linalg::DepthwiseConv2DNchwChwOp op,
                         int64_t vectorWidth) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value input = op.getDpsInputOperand(0)->get();
  Value filter = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  ArrayRef<int64_t> out = cast<RankedTensorType>(init.getType()).getShape();
  ArrayRef<int64_t> fs = cast<RankedTensorType>(filter.getType()).getShape();
  int64_t sh = attrAt(op.getStrides(), 0), sw = attrAt(op.getStrides(), 1);
  int64_t dh = attrAt(op.getDilations(), 0), dw = attrAt(op.getDilations(), 1);
  int64_t width = vectorWidth;
  bool outInBounds = out[3] % width == 0;
  Type f32 = rewriter.getF32Type();
  auto outVec = VectorType::get({width}, f32);
  // A stride-s load reads s * width contiguous inputs and keeps every s-th.
  auto inVec = VectorType::get({width * sw}, f32);
  SmallVector<int64_t> lanes;
  for (int64_t i = 0; i < width; ++i)
    lanes.push_back(i * sw);

  auto cst = [&](OpBuilder &b, int64_t v) -> Value {
    return b.create<arith::ConstantIndexOp>(loc, v);
  };
  Value zero = cst(rewriter, 0), one = cst(rewriter, 1);
  Value pad = rewriter.create<arith::ConstantOp>(loc, rewriter.getF32FloatAttr(0));
  SmallVector<Value> lbs(4, zero);
  SmallVector<Value> ubs = {cst(rewriter, out[0]), cst(rewriter, out[1]),
                            cst(rewriter, out[2]), cst(rewriter, out[3])};
  SmallVector<Value> steps = {one, one, one, cst(rewriter, width)};
  scf::LoopNest nest = scf::buildLoopNest(
      rewriter, loc, lbs, ubs, steps, ValueRange{init},
      [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange iter) {
        Value n = ivs[0], c = ivs[1], oh = ivs[2], ow = ivs[3];
        auto affine = [&](Value v, int64_t scale, int64_t offset) -> Value {
          Value s = b.create<arith::MulIOp>(l, v, cst(b, scale));
          return b.create<arith::AddIOp>(l, s, cst(b, offset));
        };
        SmallVector<Value> outIdx = {n, c, oh, ow};
        Value acc = b.create<vector::TransferReadOp>(
            l, outVec, iter[0], outIdx, pad, ArrayRef<bool>{outInBounds});
        for (int64_t kh = 0; kh < fs[1]; ++kh) {
          Value ih = affine(oh, sh, kh * dh);
          for (int64_t kw = 0; kw < fs[2]; ++kw) {
            Value iw = affine(ow, sw, kw * dw);
            Value row = b.create<vector::TransferReadOp>(
                l, inVec, input, ValueRange{n, c, ih, iw}, pad,
                ArrayRef<bool>{false});
            if (sw != 1)
              row = b.create<vector::ShuffleOp>(l, row, row, lanes);
            Value w = b.create<tensor::ExtractOp>(
                l, filter, ValueRange{c, cst(b, kh), cst(b, kw)});
            Value wv = b.create<vector::BroadcastOp>(l, outVec, w);
            acc = b.create<vector::FMAOp>(l, row, wv, acc);
          }
        }
        Value written = b.create<vector::TransferWriteOp>(
                             l, acc, iter[0], outIdx,
                             ArrayRef<bool>{outInBounds})
                            .getResult();
        return scf::ValueVector{written};
      });
  rewriter.replaceOp(op, nest.results);
}

struct CPUDepthwiseKernelsPass
    : cnnc::impl::CPUDepthwiseKernelsBase<CPUDepthwiseKernelsPass> {
  using CPUDepthwiseKernelsBase::CPUDepthwiseKernelsBase;

  void runOnOperation() override {
    SmallVector<linalg::DepthwiseConv2DNchwChwOp> ops;
    getOperation().walk([&](linalg::DepthwiseConv2DNchwChwOp op) {
      // Rows narrower than a vector are left to the loop vectorizer, which
      // does better on them than a mostly masked vector would.
      auto outType =
          cast<RankedTensorType>(op.getDpsInitOperand(0)->get().getType());
      if (op.hasPureTensorSemantics() &&
          llvm::all_of(op->getOperandTypes(),
                       [](Type t) {
                         return cast<RankedTensorType>(t).hasStaticShape();
                       }) &&
          outType.getDimSize(3) >= vectorWidth)
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::DepthwiseConv2DNchwChwOp op : ops)
      emitDepthwiseKernel(rewriter, op, vectorWidth);
  }
};

} // namespace
