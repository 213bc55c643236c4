//===- MapToLaunches.cpp - One gpu.launch per bufferized linalg op --------===//
//
// See Passes.td. Each launch computes its op point-wise: invocation ids are
// delinearized into the op's parallel loops, the reduction loops run as an
// scf.for nest carrying the accumulators, and the payload is cloned into the
// innermost loop with linalg.index replaced by the loop values.
//
//===----------------------------------------------------------------------===//
#include "backends/gpu/LaunchPlan.h"
#include "backends/gpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/Support/MathExtras.h"

namespace cnnc {
#define GEN_PASS_DEF_GPUMAPTOLAUNCHES
#include "backends/gpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::gpu;

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

/// The `bytes` bytes of a dense, non-splat constant.
std::optional<ArrayRef<char>> rawBytes(Attribute value, int64_t bytes) {
  ArrayRef<char> raw;
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(value)) {
    if (!dense.isSplat())
      raw = dense.getRawData();
  } else if (auto resource = dyn_cast_or_null<DenseResourceElementsAttr>(value)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      raw = blob->getData();
  }
  if (static_cast<int64_t>(raw.size()) != bytes)
    return std::nullopt;
  return raw;
}

/// A contraction out[.., i, j] += a[.., i, k] * b[.., k, j] (a matrix
/// product, a 1x1 convolution, their grouped and batched forms): the loops
/// of its row, column and reduction, and the batch loops both operands or
/// the output share.
struct Matmul {
  unsigned i, j, k;
  SmallVector<unsigned> batch;
  OpOperand *a, *b;
};

/// `op` as a Matmul whose tile loops are long enough to tile, if it is one.
std::optional<Matmul> matmulShape(linalg::LinalgOp op, ArrayRef<int64_t> ranges,
                                  int64_t minExtent) {
  SmallVector<unsigned> reductions;
  op.getReductionDims(reductions);
  if (reductions.size() != 1 || op.getNumDpsInits() != 1)
    return std::nullopt;
  SmallVector<OpOperand *> read;
  for (OpOperand *in : op.getDpsInputOperands())
    if (isa<MemRefType>(in->get().getType()) &&
        op.payloadUsesValueFromOperand(in))
      read.push_back(in);
  if (read.size() != 2 || op.getDpsInputOperands().size() != 2)
    return std::nullopt;
  // The payload is out + a * b (zero-padded tiles must not change it).
  Block &payload = *op.getBlock();
  auto ops = payload.without_terminator();
  if (std::distance(ops.begin(), ops.end()) != 2)
    return std::nullopt;
  auto mul = dyn_cast<arith::MulFOp>(&*ops.begin());
  auto add = dyn_cast<arith::AddFOp>(&*std::next(ops.begin()));
  Value out = payload.getArgument(2);
  if (!mul || !add ||
      payload.getTerminator()->getOperand(0) != add.getResult() ||
      !((add.getLhs() == out && add.getRhs() == mul) ||
        (add.getRhs() == out && add.getLhs() == mul)) ||
      !((mul.getLhs() == payload.getArgument(0) &&
         mul.getRhs() == payload.getArgument(1)) ||
        (mul.getLhs() == payload.getArgument(1) &&
         mul.getRhs() == payload.getArgument(0))))
    return std::nullopt;
  AffineMap mapA = op.getMatchingIndexingMap(read[0]);
  AffineMap mapB = op.getMatchingIndexingMap(read[1]);
  Matmul m{0, 0, reductions[0], {}, read[0], read[1]};
  if (!mapA.isFunctionOfDim(m.k) || !mapB.isFunctionOfDim(m.k))
    return std::nullopt;
  // Each operand's own loops: the longest is its tile loop, the others
  // batch loops.
  std::optional<unsigned> rowA, colB;
  for (unsigned d = 0; d < ranges.size(); ++d) {
    if (d == m.k)
      continue;
    bool inA = mapA.isFunctionOfDim(d), inB = mapB.isFunctionOfDim(d);
    if (inA && !inB && (!rowA || ranges[d] > ranges[*rowA]))
      rowA = d;
    if (inB && !inA && (!colB || ranges[d] > ranges[*colB]))
      colB = d;
  }
  if (!rowA || !colB || ranges[*rowA] < minExtent || ranges[*colB] < minExtent)
    return std::nullopt;
  m.i = *rowA;
  m.j = *colB;
  // Invocations next to each other take rows next to each other; make the
  // rows the output's contiguous dim, so that their stores coalesce.
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() &&
      outMap.getResults().back() == getAffineDimExpr(m.j, op.getContext())) {
    std::swap(m.i, m.j);
    std::swap(m.a, m.b);
  }
  for (unsigned d = 0; d < ranges.size(); ++d)
    if (d != m.i && d != m.j && d != m.k)
      m.batch.push_back(d);
  return m;
}

struct GPUMapToLaunchesPass
    : cnnc::impl::GPUMapToLaunchesBase<GPUMapToLaunchesPass> {
  using GPUMapToLaunchesBase::GPUMapToLaunchesBase;

  /// Tiles of a Matmul: each workgroup (64 invocations, 8 x 8) computes a
  /// kTile x kTile block of the output, each invocation 4 x 4 points of it
  /// (rows and columns 8 apart) in registers; the reduction runs in steps
  /// of kDepth, each step staging a kTile-wide, kDepth-deep tile of each
  /// operand in workgroup memory, loaded cooperatively (zeros past the
  /// edges, consecutive invocations on consecutive addresses), so that
  /// each element is read from memory once per workgroup instead of once
  /// per invocation.
  static constexpr int64_t kTile = 32, kDepth = 16, kMicro = 4;

  LogicalResult mapMatmulToLaunch(linalg::LinalgOp op, const Fusion &fusion,
                                  const Matmul &mm, Location loc,
                                  ArrayRef<int64_t> ranges) {
    int64_t extentI = ranges[mm.i], extentJ = ranges[mm.j],
            extentK = ranges[mm.k];
    int64_t batch = 1;
    for (unsigned d : mm.batch)
      batch *= ranges[d];
    int64_t gridX = llvm::divideCeil(extentJ, kTile);
    int64_t gridY = llvm::divideCeil(extentI, kTile);
    if (gridY > kMaxGridDim || batch > kMaxGridDim || gridX > kMaxGridDim)
      return failure();
    int64_t threads = (kTile / kMicro) * (kTile / kMicro);
    OpBuilder b(fusion.consumer ? static_cast<Operation *>(fusion.consumer)
                                : op.getOperation());
    auto constant = [&](int64_t v) -> Value {
      return b.create<arith::ConstantIndexOp>(loc, v);
    };
    Type element = cast<MemRefType>(mm.a->get().getType()).getElementType();
    auto workgroup = gpu::AddressSpaceAttr::get(b.getContext(),
                                                gpu::AddressSpace::Workgroup);
    // Both tiles k-major: invocations next to each other read words next
    // to each other (or the same word).
    auto tileType = MemRefType::get({kDepth, kTile}, element, AffineMap(),
                                    workgroup);
    auto launch = b.create<gpu::LaunchOp>(
        loc, constant(gridX), constant(gridY), constant(batch),
        constant(threads), constant(1), constant(1), Value(), Type(),
        ValueRange(), TypeRange{tileType, tileType});
    launch->setAttr(
        "cnnc.gpu_map",
        b.getDictionaryAttr({
            b.getNamedAttr("grid",
                           b.getDenseI64ArrayAttr({gridX, gridY, batch})),
            b.getNamedAttr("block", b.getDenseI64ArrayAttr({threads, 1, 1})),
            b.getNamedAttr("matmul_tile",
                           b.getDenseI64ArrayAttr({kTile, kTile, kDepth})),
            b.getNamedAttr("micro_tile",
                           b.getDenseI64ArrayAttr({kMicro, kMicro})),
            b.getNamedAttr("loops", b.getDenseI64ArrayAttr(
                                        {int64_t(mm.i), int64_t(mm.j),
                                         int64_t(mm.k)})),
            b.getNamedAttr("fused",
                           b.getStrArrayAttr(fusedNames(op, fusion))),
        }));
    Value sharedA = launch.getWorkgroupAttributions()[0];
    Value sharedB = launch.getWorkgroupAttributions()[1];
    Block &body = launch.getBody().front();
    b.setInsertionPointToEnd(&body);
    auto terminator = b.create<gpu::TerminatorOp>(loc);
    b.setInsertionPoint(terminator);

    gpu::KernelDim3 blockIds = launch.getBlockIds();
    Value tid = launch.getThreadIds().x;
    Value zero = constant(0);
    Value i0 = b.create<arith::MulIOp>(loc, blockIds.y, constant(kTile));
    Value j0 = b.create<arith::MulIOp>(loc, blockIds.x, constant(kTile));
    // Invocation (tx, ty) computes rows tx + 8r and columns ty + 8c of the
    // block (r, c < 4).
    Value ty = b.create<arith::DivUIOp>(loc, tid, constant(kTile / kMicro));
    Value tx = b.create<arith::RemUIOp>(loc, tid, constant(kTile / kMicro));
    int64_t stride = kTile / kMicro;
    SmallVector<Value> base(ranges.size(), zero);
    Value rest = blockIds.z;
    for (unsigned d : llvm::reverse(mm.batch)) {
      base[d] = b.create<arith::RemUIOp>(loc, rest, constant(ranges[d]));
      rest = b.create<arith::DivUIOp>(loc, rest, constant(ranges[d]));
    }
    auto add = [&](Value x, Value y) -> Value {
      return b.create<arith::AddIOp>(loc, x, y);
    };
    auto below = [&](Value x, int64_t bound) -> Value {
      return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, x,
                                     constant(bound));
    };
    auto clamp = [&](Value x, int64_t bound) -> Value {
      return b.create<arith::MinUIOp>(loc, x, constant(bound - 1));
    };
    // The invocation's points, clamped into range for the loads of their
    // initial values; `valid` keeps the stores of the clamped ones out.
    SmallVector<SmallVector<Value>> points;
    SmallVector<Value> valid;
    for (int64_t r = 0; r < kMicro; ++r) {
      Value i = add(i0, add(tx, constant(r * stride)));
      for (int64_t c = 0; c < kMicro; ++c) {
        Value j = add(j0, add(ty, constant(c * stride)));
        SmallVector<Value> point = base;
        point[mm.i] = clamp(i, extentI);
        point[mm.j] = clamp(j, extentJ);
        points.push_back(point);
        valid.push_back(b.create<arith::AndIOp>(loc, below(i, extentI),
                                                below(j, extentJ)));
      }
    }
    SmallVector<SmallVector<Value>> outIndices;
    SmallVector<Value> inits =
        initPoints(b, loc, op, points, fusion, outIndices);

    auto steps = b.create<scf::ForOp>(
        loc, zero, constant(extentK), constant(kDepth), inits,
        [&](OpBuilder &nb, Location l, Value k0, ValueRange accs) {
          // Stage both tiles: kTile * kDepth elements each, kTile * kDepth /
          // threads per invocation.
          auto stage = [&](OpOperand *operand, Value shared, bool isA) {
            // Consecutive invocations load consecutive elements of the
            // operand's contiguous dim: its tile loop or the reduction.
            unsigned tileDim = isA ? mm.i : mm.j;
            AffineMap map = op.getMatchingIndexingMap(operand);
            bool tileInner =
                map.getResults().back() ==
                getAffineDimExpr(tileDim, nb.getContext());
            for (int64_t q = 0; q < kTile * kDepth / threads; ++q) {
              Value e = nb.create<arith::AddIOp>(
                  l, tid, nb.create<arith::ConstantIndexOp>(l, q * threads));
              int64_t fast = tileInner ? kTile : kDepth;
              Value lo = nb.create<arith::RemUIOp>(
                  l, e, nb.create<arith::ConstantIndexOp>(l, fast));
              Value hi = nb.create<arith::DivUIOp>(
                  l, e, nb.create<arith::ConstantIndexOp>(l, fast));
              Value local = tileInner ? lo : hi; // in [0, kTile)
              Value kLocal = tileInner ? hi : lo; // in [0, kDepth)
              Value tileLoop =
                  nb.create<arith::AddIOp>(l, isA ? i0 : j0, local);
              Value depth = nb.create<arith::AddIOp>(l, k0, kLocal);
              int64_t tileExtent = isA ? extentI : extentJ;
              Value inside = nb.create<arith::AndIOp>(
                  l,
                  nb.create<arith::CmpIOp>(
                      l, arith::CmpIPredicate::ult, tileLoop,
                      nb.create<arith::ConstantIndexOp>(l, tileExtent)),
                  nb.create<arith::CmpIOp>(
                      l, arith::CmpIPredicate::ult, depth,
                      nb.create<arith::ConstantIndexOp>(l, extentK)));
              SmallVector<Value> at = base;
              at[isA ? mm.i : mm.j] = tileLoop;
              at[mm.k] = depth;
              auto load = nb.create<scf::IfOp>(
                  l, inside,
                  [&](OpBuilder &ib, Location il) {
                    ib.create<scf::YieldOp>(
                        il, loadAt(ib, il, op, *operand, at, &fusion));
                  },
                  [&](OpBuilder &ib, Location il) {
                    ib.create<scf::YieldOp>(
                        il, ValueRange{ib.create<arith::ConstantOp>(
                                il, ib.getZeroAttr(element))});
                  });
              nb.create<memref::StoreOp>(l, load.getResult(0), shared,
                                         ValueRange{kLocal, local});
            }
          };
          stage(mm.a, sharedA, true);
          stage(mm.b, sharedB, false);
          nb.create<gpu::BarrierOp>(l);
          auto inner = nb.create<scf::ForOp>(
              l, nb.create<arith::ConstantIndexOp>(l, 0),
              nb.create<arith::ConstantIndexOp>(l, kDepth),
              nb.create<arith::ConstantIndexOp>(l, 1), accs,
              [&](OpBuilder &ib, Location il, Value kc, ValueRange acc) {
                SmallVector<Value> as, bs;
                for (int64_t r = 0; r < kMicro; ++r) {
                  Value row = ib.create<arith::AddIOp>(
                      il, tx, ib.create<arith::ConstantIndexOp>(il, r * stride));
                  as.push_back(ib.create<memref::LoadOp>(il, sharedA,
                                                         ValueRange{kc, row}));
                  Value col = ib.create<arith::AddIOp>(
                      il, ty, ib.create<arith::ConstantIndexOp>(il, r * stride));
                  bs.push_back(ib.create<memref::LoadOp>(il, sharedB,
                                                         ValueRange{kc, col}));
                }
                SmallVector<Value> next;
                for (int64_t r = 0; r < kMicro; ++r)
                  for (int64_t c = 0; c < kMicro; ++c) {
                    DenseMap<unsigned, Value> given;
                    given[mm.a->getOperandNumber()] = as[r];
                    given[mm.b->getOperandNumber()] = bs[c];
                    next.push_back(clonePayload(ib, il, op, points[r * kMicro + c],
                                                acc[r * kMicro + c], given)[0]);
                  }
                ib.create<scf::YieldOp>(il, next);
              });
          nb.create<gpu::BarrierOp>(l);
          nb.create<scf::YieldOp>(l, inner.getResults());
        });
    SmallVector<Value> results(steps.getResults());
    storePoints(b, loc, op, points, outIndices, results, fusion, valid);
    return success();
  }

  LogicalResult mapToLaunch(linalg::LinalgOp op, const Fusion &fusion) {
    SmallVector<Location> locs;
    if (fusion.producer)
      locs.push_back(fusion.producer->getLoc());
    locs.push_back(op.getLoc());
    if (fusion.consumer)
      locs.push_back(fusion.consumer->getLoc());
    Location loc = FusedLoc::get(op->getContext(), locs);
    if (!op.hasPureBufferSemantics())
      return op.emitError("GPU lowering: op is not bufferized");
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return op.emitError("GPU lowering: dynamic loop bounds");
    auto iterators = op.getIteratorTypesArray();
    std::optional<unsigned> yLoop = gridYLoop(op, ranges);
    SmallVector<int64_t> fullRanges = ranges;
    if (fusion.slice)
      ranges[fusion.slice->loop] = fusion.slice->length;
    if (tileMatmuls && !fusion.slice)
      if (std::optional<Matmul> mm = matmulShape(op, ranges, kTile / 2))
        if (succeeded(mapMatmulToLaunch(op, fusion, *mm, loc, ranges)))
          return success();
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
    // Several output channels per invocation when an input does not depend
    // on the channel (one-group convolutions: every channel reads the same
    // input pixels): the invocation loads each of them once for all.
    int64_t channels = 1;
    if (yLoop && op.getNumReductionLoops() > 0 &&
        llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
          return isa<MemRefType>(in->get().getType()) &&
                 op.payloadUsesValueFromOperand(in) &&
                 !op.getMatchingIndexingMap(in).isFunctionOfDim(*yLoop);
        }))
      for (int64_t t : {4, 2})
        if (t <= channelsPerInvocation && ranges[*yLoop] % t == 0) {
          channels = t;
          break;
        }
    int64_t gridY = yLoop ? ranges[*yLoop] / channels : 1;
    if (gridZ > kMaxGridDim)
      return op.emitError("GPU lowering: ")
             << points << " points do not fit in one grid";

    // After the views the consumer's operands need (only views, constants
    // and allocations lie between the op and its consumer).
    OpBuilder b(fusion.consumer ? static_cast<Operation *>(fusion.consumer)
                                : op.getOperation());
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
            b.getNamedAttr("channels_per_invocation",
                           b.getI64IntegerAttr(channels)),
            b.getNamedAttr("fused",
                           b.getStrArrayAttr(fusedNames(op, fusion))),
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
    if (fusion.slice) {
      unsigned d = fusion.slice->loop;
      if (d != yLoop)
        ivs[d] = b.create<arith::AddIOp>(loc, ivs[d],
                                         constant(fusion.slice->begin));
    }
    SmallVector<SmallVector<Value>> pointIvs;
    for (int64_t t = 0; t < channels; ++t) {
      SmallVector<Value> point = ivs;
      if (yLoop) {
        int64_t begin = fusion.slice && fusion.slice->loop == *yLoop
                            ? fusion.slice->begin
                            : 0;
        Value y = blockIds.y;
        if (channels > 1)
          y = b.create<arith::MulIOp>(loc, y, constant(channels));
        if (begin + t)
          y = b.create<arith::AddIOp>(loc, y, constant(begin + t));
        point[*yLoop] = y;
      }
      pointIvs.push_back(std::move(point));
    }
    emitPoints(b, loc, op, std::move(pointIvs), fullRanges, fusion);
    return success();
  }

  /// One launch per slice of the op's largest-extent parallel loop when a
  /// constant operand holds more than `max-binding-bytes` (Vulkan devices
  /// bind 128 MiB or more; lavapipe exactly that): each slice of the
  /// constant becomes a memref.global of its own.
  FailureOr<SmallVector<Fusion>> splitLargeConstants(linalg::LinalgOp op,
                                                     const Fusion &fusion) {
    for (OpOperand *input : op.getDpsInputOperands()) {
      auto get = input->get().getDefiningOp<memref::GetGlobalOp>();
      if (!get)
        continue;
      MemRefType type = get.getType();
      int64_t bytes = type.getNumElements() *
                      type.getElementType().getIntOrFloatBitWidth() / 8;
      if (bytes <= maxBindingBytes)
        continue;
      auto module = op->getParentOfType<ModuleOp>();
      auto global = module.lookupSymbol<memref::GlobalOp>(get.getNameAttr());
      std::optional<ArrayRef<char>> raw;
      if (global)
        raw = rawBytes(global.getInitialValueAttr(), bytes);
      // The operand dim indexed by the longest parallel loop alone.
      AffineMap map = op.getMatchingIndexingMap(input);
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      std::optional<std::pair<unsigned, unsigned>> best;
      for (auto [dim, expr] : llvm::enumerate(map.getResults())) {
        auto loop = dyn_cast<AffineDimExpr>(expr);
        if (!loop || op.getIteratorTypesArray()[loop.getPosition()] !=
                         utils::IteratorType::parallel)
          continue;
        if (!best || ranges[loop.getPosition()] > ranges[best->first])
          best = {loop.getPosition(), dim};
      }
      if (!best || !raw)
        return op.emitError("GPU lowering: a ")
               << bytes << "-byte constant exceeds one binding ("
               << maxBindingBytes << " bytes) and cannot be split";
      auto [loop, dim] = *best;
      int64_t extent = type.getShape()[dim];
      int64_t perIndex = bytes / extent;
      int64_t length = std::max<int64_t>(1, maxBindingBytes / perIndex);
      int64_t outer = 1, inner = perIndex;
      for (int64_t d = 0; d < static_cast<int64_t>(dim); ++d)
        outer *= type.getShape()[d];
      inner = perIndex / outer; // bytes of one index of `dim` per outer row
      SmallVector<Fusion> pieces;
      OpBuilder b(global);
      OpBuilder at(get);
      for (int64_t begin = 0; begin < extent; begin += length) {
        int64_t n = std::min(length, extent - begin);
        SmallVector<int64_t> shape(type.getShape());
        shape[dim] = n;
        std::vector<char> data;
        data.reserve(outer * n * inner);
        for (int64_t o = 0; o < outer; ++o) {
          const char *row = raw->data() + (o * extent + begin) * inner;
          data.insert(data.end(), row, row + n * inner);
        }
        auto sliceType = MemRefType::get(shape, type.getElementType());
        auto tensorType = RankedTensorType::get(shape, type.getElementType());
        auto slice = b.create<memref::GlobalOp>(
            global.getLoc(),
            (global.getSymName() + "_slice" + Twine(pieces.size())).str(),
            b.getStringAttr("private"), sliceType,
            DenseElementsAttr::getFromRawBuffer(tensorType, data),
            /*constant=*/true, global.getAlignmentAttr());
        Fusion piece = fusion;
        piece.slice = Fusion::Slice{
            loop, input->getOperandNumber(), dim, begin, n,
            at.create<memref::GetGlobalOp>(get.getLoc(), sliceType,
                                           slice.getSymName())};
        pieces.push_back(std::move(piece));
      }
      return pieces;
    }
    return SmallVector<Fusion>{fusion};
  }

  static SmallVector<StringRef> fusedNames(linalg::LinalgOp op,
                                           const Fusion &fusion) {
    SmallVector<StringRef> names;
    if (fusion.producer)
      names.push_back("producer");
    if (!fusion.padded.empty())
      names.push_back("padding");
    if (fusion.consumer)
      names.push_back(fusion.storeResult ? "consumer" : "consumer-only");
    if (!fusion.copies.empty())
      names.push_back("copies");
    return names;
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
    // Plan every fusion before rewriting anything: the plans read the
    // buffers' users as bufferization left them.
    DenseSet<Operation *> absorbed;
    SmallVector<std::pair<linalg::LinalgOp, Fusion>> launches;
    for (linalg::LinalgOp op : ops) {
      if (absorbed.contains(op))
        continue;
      Fusion fusion = fuse ? planFusion(op) : Fusion();
      if (fusion.producer && absorbed.contains(fusion.producer))
        fusion.producer = nullptr;
      if (fusion.producer) {
        // Planned as a launch of its own before `op` was seen.
        auto it = llvm::find_if(launches, [&](auto &l) {
          return l.first == fusion.producer;
        });
        if (it != launches.end() && !it->second.consumer &&
            it->second.padded.empty() && !it->second.producer)
          launches.erase(it);
        else
          fusion.producer = nullptr;
      }
      // A padded input whose copy another launch took (as its consumer)
      // stays a buffer: that launch writes the interior in place.
      for (auto it = fusion.padded.begin(); it != fusion.padded.end();) {
        SmallVector<Operation *> writers =
            usersOf(wholeRootOf(op->getOperand(it->first)));
        llvm::erase(writers, op.getOperation());
        if (llvm::any_of(writers,
                         [&](Operation *w) { return absorbed.contains(w); })) {
          fusion.padded.erase(it++);
          continue;
        }
        for (Operation *w : writers)
          absorbed.insert(w);
        ++it;
      }
      if (fusion.producer)
        absorbed.insert(fusion.producer);
      if (fusion.consumer)
        absorbed.insert(fusion.consumer);
      launches.push_back({op, fusion});
    }
    if (fuse)
      forwardSliceCopies(launches, absorbed);
    launches.erase(llvm::remove_if(launches,
                                   [&](auto &l) {
                                     return absorbed.contains(l.first);
                                   }),
                   launches.end());
    for (auto &[op, fusion] : launches) {
      FailureOr<SmallVector<Fusion>> pieces = splitLargeConstants(op, fusion);
      if (failed(pieces))
        return signalPassFailure();
      for (const Fusion &piece : *pieces)
        if (failed(mapToLaunch(op, piece)))
          return signalPassFailure();
    }
    for (auto &[op, fusion] : launches)
      op->erase();
    for (Operation *op : absorbed)
      op->erase();
  }
};

} // namespace
