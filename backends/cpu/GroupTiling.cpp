//===- GroupTiling.cpp - Tiles of grouped and depthwise convolutions ------===//
//
// Decides, once per convolution, how the CPU kernels tile it, from the group
// count, the channels per group, the output size, the vector width, the
// vector registers and the cache size, and records the decision on the op
// as a `cnnc.group_tiling` attribute that cnnc-cpu-conv-kernels and
// cnnc-cpu-tile-and-vectorize follow.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/KernelSupport.h"
#include "backends/cpu/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_CPUGROUPTILING
#include "backends/cpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;

namespace {

/// What the plan depends on, in NCHW terms.
struct ConvGeometry {
  int64_t groups, channelsIn, channelsOut; // per group
  int64_t outH, outW, inW;
  int64_t kh, sh, dh;
};

/// Output channels per kernel for at most `accumulators` of them: a
/// divisor of the group's channels, or, when a group has fewer channels
/// than that, as many whole groups as fit.
void chooseChannels(GroupTilingPlan &plan, int64_t channelsOut,
                    int64_t accumulators) {
  if (channelsOut >= accumulators) {
    plan.groupsPerTile = 1;
    plan.channelsPerTile = largestDivisorAtMost(channelsOut, accumulators);
    return;
  }
  plan.groupsPerTile =
      largestDivisorAtMost(plan.groups, accumulators / channelsOut);
  plan.channelsPerTile = plan.groupsPerTile * channelsOut;
}

/// Accumulators of a direct kernel: 8 independent multiply-add chains
/// cover the latency of two FMA pipes (4 cycles each), and half the
/// registers are left for input rows and weights. With AVX2's 16 registers
/// that is 8, not the quarter (4) whose chains stall: SqueezeNet's 64 ->
/// 256 3x3 conv on 13x13 took 1.66-2.30 ms with 4 against 1.34-1.59 ms
/// with 8, in interleaved runs.
int64_t directAccumulators(int64_t numRegisters) {
  return std::max<int64_t>(std::min<int64_t>(8, numRegisters / 2), 1);
}

/// Direct KxK kernels: vectors along the output row, 8 accumulators (at
/// most half the vector registers) per output row, and as many output rows
/// per spatial tile as keep the input rows one channel tile reads within
/// `cacheBytes`; several rows per kernel when taps span rows (the other
/// registers hold input rows and broadcast weights).
std::optional<GroupTilingPlan> planDirect(const ConvGeometry &conv,
                                          int64_t vectorWidth,
                                          int64_t numRegisters,
                                          int64_t cacheBytes) {
  // Rows down to a quarter of a vector take half vectors: even half full
  // they beat what the loop vectorizer makes of the convolution (ResNet's
  // 3x3 convs on 7x7, one group: 19.7 ms against 2.6 ms in the kernels).
  // A row that fills more than half a vector takes a whole one, masked:
  // the same lanes as two half vectors with half the instructions
  // (ResNet-18's 512 -> 512 3x3 convs on 7x7 with AVX2: 6.4 -> 3.8 ms).
  if (conv.outW < std::max<int64_t>(vectorWidth / 4, 1))
    return std::nullopt;
  GroupTilingPlan plan;
  plan.groups = conv.groups;
  plan.vector = GroupTilingPlan::Vector::Width;
  plan.lanes = 2 * conv.outW > vectorWidth ? vectorWidth : vectorWidth / 2;
  // A depthwise channel reads an input of its own: channels in a kernel
  // share no load, while its output rows do (at stride 1 an input row
  // serves up to KH of them). So a depthwise kernel takes 2 channels and
  // several rows (below).
  bool depthwiseRows = conv.channelsIn == 1 && conv.channelsOut == 1 &&
                       conv.sh == 1 && conv.kh > 1;
  // A one-group conv on a target with 16 vector registers (AVX2) takes
  // half the channels and 2 rows when consecutive output rows share at
  // least half their input rows (stride 1; ResNet's 7x7 stem at stride 2).
  // At stride 1 and 3x3 that is 12 row loads and 36 weight broadcasts per
  // input channel for 72 multiply-adds, against 9 and 72 with one row, and
  // the broadcasts were what bound it. Measured on AVX2 (Zen 3): SqueezeNet's
  // 3x3 convs 1.33-1.73 -> 0.75-0.79 ms, ResNet-18's stem 13.2 -> 7.4 ms;
  // 3x3 convs at stride 2 gained nothing (64 -> 128 on 56x56: 2.9 -> 3.4
  // ms). On AVX-512 (32 registers) rows measured slower for convs over
  // several input channels, so that plan keeps one row.
  bool oneGroupRows = conv.groups == 1 && conv.kh > 1 &&
                      2 * (conv.kh - conv.sh) >= conv.kh &&
                      numRegisters < 32 && conv.outH > 1;
  int64_t accumulators = directAccumulators(numRegisters);
  chooseChannels(plan, conv.channelsOut,
                 depthwiseRows  ? 2
                 : oneGroupRows ? accumulators / 2
                                : accumulators);
  int64_t channelsRead = plan.groupsPerTile * conv.channelsIn;
  auto inputBytes = [&](int64_t rows) {
    int64_t inRows = (rows - 1) * conv.sh + (conv.kh - 1) * conv.dh + 1;
    return channelsRead * inRows * conv.inW * 4;
  };
  plan.rowsPerTile = 1;
  for (int64_t rows = conv.outH; rows > 1; --rows)
    if (conv.outH % rows == 0 && inputBytes(rows) <= cacheBytes) {
      plan.rowsPerTile = rows;
      break;
    }
  // Depthwise at stride 1: 4 output rows per kernel (7 when the rows come
  // in 7s), each input row loaded once for the taps of all of them. This
  // halves the time of MobileNetV2's stride-1 depthwise layers; at stride
  // 2, and for convolutions over several input channels, where one input
  // row already feeds every channel of the tile, it measured slower.
  if (oneGroupRows)
    plan.rowsPerKernel = std::min<int64_t>(plan.rowsPerTile, 2);
  if (depthwiseRows) {
    plan.rowsPerKernel = largestDivisorAtMost(plan.rowsPerTile, 4);
    if (plan.rowsPerKernel < 3)
      plan.rowsPerKernel = largestDivisorAtMost(plan.rowsPerTile, 8);
  }
  return plan;
}

/// Pointwise matrix-product kernels: vectors along the flattened pixels (at
/// most an eighth of the vector registers per row of the tile), half the
/// registers as accumulators. (With AVX2's 16 registers, 4 vectors a row
/// would leave 2 rows: SqueezeNet's 512 -> 1000 pointwise conv took 3.96 ms
/// that way against 2.78 ms with 2 vectors and 4 rows.)
GroupTilingPlan planPointwise(int64_t groups, int64_t channelsOut,
                              int64_t pixels, int64_t vectorWidth,
                              int64_t numRegisters) {
  GroupTilingPlan plan;
  plan.groups = groups;
  plan.vector = GroupTilingPlan::Vector::Pixels;
  plan.lanes = vectorWidth;
  plan.vectorsPerTile =
      columnsPerTile(pixels, vectorWidth, numRegisters) / vectorWidth;
  chooseChannels(plan, channelsOut,
                 std::max<int64_t>(numRegisters / 2 / plan.vectorsPerTile, 1));
  return plan;
}

bool staticShapes(linalg::LinalgOp op) {
  return op.hasPureTensorSemantics() &&
         llvm::all_of(op->getOperandTypes(), [](Type t) {
           auto tensor = dyn_cast<RankedTensorType>(t);
           return tensor && tensor.hasStaticShape();
         });
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// The geometry of a named KxK convolution whose operands end in (H, W)
/// and whose filter ends in (KH, KW).
template <typename ConvOp>
ConvGeometry directGeometry(ConvOp op, int64_t groups, int64_t channelsIn,
                            int64_t channelsOut) {
  ArrayRef<int64_t> in = shapeOf(op.getDpsInputOperand(0)->get());
  ArrayRef<int64_t> filter = shapeOf(op.getDpsInputOperand(1)->get());
  ArrayRef<int64_t> out = shapeOf(op.getDpsInitOperand(0)->get());
  int64_t rank = out.size();
  return ConvGeometry{groups,
                      channelsIn,
                      channelsOut,
                      out[rank - 2],
                      out[rank - 1],
                      in[rank - 1],
                      filter[filter.size() - 2],
                      op.getStrides().template getValues<int64_t>()[0],
                      op.getDilations().template getValues<int64_t>()[0]};
}

/// Groups of a pointwise convolution as cnn-to-linalg builds it,
/// out[n, f, p] += w[f, c] * in[n, c, p] (one group) or out[n, g, f, p] +=
/// w[g, f, c] * in[n, g, c, p], with its loop ranges; nothing for other
/// generics.
std::optional<int64_t> pointwiseGroups(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1)
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);
  if (op.getNumLoops() == 4 &&
      maps == SmallVector<AffineMap>{AffineMap::get(4, 0, {d0, d3, d2}, ctx),
                                     AffineMap::get(4, 0, {d1, d3}, ctx),
                                     AffineMap::get(4, 0, {d0, d1, d2}, ctx)})
    return 1;
  if (op.getNumLoops() == 5 &&
      maps ==
          SmallVector<AffineMap>{AffineMap::get(5, 0, {d0, d1, d4, d3}, ctx),
                                 AffineMap::get(5, 0, {d1, d2, d4}, ctx),
                                 AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)})
    return op.getStaticLoopRanges()[1];
  return std::nullopt;
}

struct CPUGroupTilingPass : cnnc::impl::CPUGroupTilingBase<CPUGroupTilingPass> {
  using CPUGroupTilingBase::CPUGroupTilingBase;

  void runOnOperation() override {
    getOperation().walk([&](linalg::LinalgOp linalgOp) {
      if (!staticShapes(linalgOp))
        return;
      Operation *op = linalgOp.getOperation();
      std::optional<GroupTilingPlan> plan;
      auto direct = [&](const ConvGeometry &conv) {
        plan = planDirect(conv, vectorWidth, numVectorRegisters, cacheBytes);
      };
      auto channelwise = [&](auto named) {
        int64_t channels = shapeOf(named.getDpsInitOperand(0)->get())[1];
        direct(directGeometry(named, channels, 1, 1));
      };
      if (auto dw = dyn_cast<linalg::DepthwiseConv2DNchwChwOp>(op)) {
        channelwise(dw);
      } else if (auto max = dyn_cast<linalg::PoolingNchwMaxOp>(op)) {
        channelwise(max);
      } else if (auto sum = dyn_cast<linalg::PoolingNchwSumOp>(op)) {
        channelwise(sum);
      } else if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op)) {
        ArrayRef<int64_t> filter = shapeOf(conv.getDpsInputOperand(1)->get());
        direct(directGeometry(conv, 1, filter[1], filter[0]));
      } else if (auto grouped = dyn_cast<linalg::Conv2DNgchwGfchwOp>(op)) {
        ArrayRef<int64_t> filter =
            shapeOf(grouped.getDpsInputOperand(1)->get());
        direct(directGeometry(grouped, filter[0], filter[2], filter[1]));
      } else if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
        if (std::optional<int64_t> groups = pointwiseGroups(generic)) {
          SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
          int64_t n = ranges.size();
          plan = planPointwise(*groups, ranges[n - 3], ranges[n - 2],
                               vectorWidth, numVectorRegisters);
        }
      }
      if (plan)
        op->setAttr(kGroupTilingAttr, plan->toAttr(op->getContext()));
    });
  }
};

} // namespace
