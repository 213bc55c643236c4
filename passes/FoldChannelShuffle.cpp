//===- FoldChannelShuffle.cpp - Channel routing folded away ---------------===//
//
// Concat, split, channel slices and the reshape-transpose-reshape channel
// shuffle all only route channels. This pass turns each into a
// cnn.channel_permute, composes chains of them into one op per consumer
// boundary, lets consumers take their input channels in any order (a
// convolution over all channels permutes its filter instead), and then splits
// the convolutions that produce the routed channels so that every result is
// a plain concatenation of whole convolution outputs. A convolution reading
// such a concatenation takes its parts as its inputs, so no concat is left
// (the backends have the parts written in place). ShuffleNet v2's concat ->
// shuffle -> split chain leaves no op and no data movement behind.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/IR/Matchers.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

#include <numeric>

namespace cnnc {
#define GEN_PASS_DEF_FOLDCHANNELSHUFFLE
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Channel `second` of the 4-D value `first`.
using Channel = std::pair<Value, int64_t>;
/// The channels of one result, in order.
using Route = SmallVector<Channel>;

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

bool is4D(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() == 4;
}

int64_t channelsOf(Value v) { return tensorType(v).getDimSize(1); }

/// `v`'s type with `channels` channels.
RankedTensorType withChannels(Value v, int64_t channels) {
  SmallVector<int64_t> shape(tensorType(v).getShape());
  shape[1] = channels;
  return RankedTensorType::get(shape, tensorType(v).getElementType());
}

/// The routes of `op`, one per result.
SmallVector<Route> routesOf(cnn::ChannelPermuteOp op) {
  Route all;
  for (Value in : op.getInputs())
    for (int64_t c = 0, e = channelsOf(in); c < e; ++c)
      all.push_back({in, c});
  SmallVector<Route> routes;
  ArrayRef<int64_t> sources = op.getSources();
  size_t next = 0;
  for (Value result : op.getResults()) {
    Route route;
    for (int64_t j = 0, e = channelsOf(result); j < e; ++j)
      route.push_back(all[sources[next++]]);
    routes.push_back(std::move(route));
  }
  return routes;
}

/// A channel_permute computing `routes`; inputs in order of first use.
cnn::ChannelPermuteOp buildPermute(OpBuilder &b, Location loc,
                                   ArrayRef<Route> routes) {
  SmallVector<Value> inputs;
  SmallVector<Type> types;
  DenseMap<Value, int64_t> base;
  int64_t total = 0;
  SmallVector<int64_t> sources;
  for (const Route &route : routes) {
    types.push_back(withChannels(route.front().first, route.size()));
    for (auto [v, c] : route) {
      auto [it, added] = base.try_emplace(v, total);
      if (added) {
        inputs.push_back(v);
        total += channelsOf(v);
      }
      sources.push_back(it->second + c);
    }
  }
  return b.create<cnn::ChannelPermuteOp>(loc, types, inputs,
                                         b.getDenseI64ArrayAttr(sources));
}

/// Replaces `op`'s used results by a new channel_permute with `routes` (one
/// per result; those of unused results are dropped). Erases `op`.
void rebuild(cnn::ChannelPermuteOp op, ArrayRef<Route> routes) {
  SmallVector<Route> kept;
  SmallVector<Value> old;
  for (auto [result, route] : llvm::zip(op.getResults(), routes))
    if (!result.use_empty()) {
      kept.push_back(route);
      old.push_back(result);
    }
  if (!kept.empty()) {
    OpBuilder b(op);
    auto fresh = buildPermute(b, op.getLoc(), kept);
    for (auto [from, to] : llvm::zip(old, fresh.getResults()))
      from.replaceAllUsesWith(to);
  }
  op.erase();
}

std::optional<SmallVector<float>> constantValues(Value v) {
  DenseFPElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return llvm::to_vector(attr.getValues<float>());
}

Value constantOf(OpBuilder &b, Location loc, RankedTensorType type,
                 ArrayRef<float> values) {
  return b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, values));
}

//===----------------------------------------------------------------------===//
// 1. Every exporter spelling of a channel routing becomes a channel_permute.
//===----------------------------------------------------------------------===//

/// The route of a reshape [N,C,H,W] -> [N,a,b,S...] -> transpose of dims 1
/// and 2 -> reshape [N,C,H,W] ending at `last`, or nothing if `last` is not
/// the end of such a chain: result channel k*a + i is input channel i*b + k.
std::optional<Route> shuffleRoute(cnn::ReshapeOp last) {
  auto transpose = last.getInput().getDefiningOp<cnn::TransposeOp>();
  if (!transpose || !transpose->hasOneUse())
    return std::nullopt;
  auto first = transpose.getInput().getDefiningOp<cnn::ReshapeOp>();
  if (!first || !first->hasOneUse())
    return std::nullopt;
  Value x = first.getInput();
  if (!is4D(x) || tensorType(x) != last.getType())
    return std::nullopt;
  ArrayRef<int64_t> in = tensorType(x).getShape();
  ArrayRef<int64_t> mid = first.getType().getShape();
  ArrayRef<int64_t> perm = transpose.getPerm();
  // [N, a, b, H, W] or [N, a, b, H*W]: the spatial dims stay behind.
  bool spatialKept =
      (mid.size() == 5 && mid[3] == in[2] && mid[4] == in[3]) ||
      (mid.size() == 4 && mid[3] == in[2] * in[3]);
  if (!spatialKept || mid[0] != in[0] || mid[1] * mid[2] != in[1] ||
      perm.size() != mid.size() || perm[0] != 0 || perm[1] != 2 ||
      perm[2] != 1)
    return std::nullopt;
  for (size_t d = 3; d < perm.size(); ++d)
    if (perm[d] != static_cast<int64_t>(d))
      return std::nullopt;
  int64_t a = mid[1], b = mid[2];
  Route route;
  for (int64_t k = 0; k < b; ++k)
    for (int64_t i = 0; i < a; ++i)
      route.push_back({x, i * b + k});
  return route;
}

/// The routes `op` computes if it only moves channels of 4-D tensors.
std::optional<SmallVector<Route>> routesOfMover(Operation *op) {
  auto whole = [](Value v) {
    Route route;
    for (int64_t c = 0, e = channelsOf(v); c < e; ++c)
      route.push_back({v, c});
    return route;
  };
  if (auto concat = dyn_cast<cnn::ConcatOp>(op)) {
    if (concat.getAxis() != 1 || !is4D(concat.getResult()))
      return std::nullopt;
    Route route;
    for (Value in : concat.getInputs())
      route.append(whole(in));
    return SmallVector<Route>{route};
  }
  if (auto split = dyn_cast<cnn::SplitOp>(op)) {
    if (split.getAxis() != 1 || !is4D(split.getInput()))
      return std::nullopt;
    Route all = whole(split.getInput());
    SmallVector<Route> routes;
    int64_t offset = 0;
    for (Value result : split.getResults()) {
      int64_t n = channelsOf(result);
      routes.push_back(Route(ArrayRef(all).slice(offset, n)));
      offset += n;
    }
    return routes;
  }
  if (auto slice = dyn_cast<cnn::SliceOp>(op)) {
    Value in = slice.getInput();
    if (!is4D(in))
      return std::nullopt;
    ArrayRef<int64_t> offsets = slice.getOffsets();
    ArrayRef<int64_t> strides = slice.getStrides();
    ArrayRef<int64_t> from = tensorType(in).getShape();
    ArrayRef<int64_t> to = slice.getType().getShape();
    for (int d : {0, 2, 3})
      if (offsets[d] != 0 || strides[d] != 1 || from[d] != to[d])
        return std::nullopt;
    Route route;
    for (int64_t j = 0; j < to[1]; ++j)
      route.push_back({in, offsets[1] + j * strides[1]});
    return SmallVector<Route>{route};
  }
  if (auto reshape = dyn_cast<cnn::ReshapeOp>(op))
    if (std::optional<Route> route = shuffleRoute(reshape))
      return SmallVector<Route>{*route};
  return std::nullopt;
}

void recognize(func::FuncOp func) {
  SmallVector<Operation *> movers;
  func.walk([&](Operation *op) {
    if (isa<cnn::ConcatOp, cnn::SplitOp, cnn::SliceOp, cnn::ReshapeOp>(op))
      movers.push_back(op);
  });
  for (Operation *op : movers) {
    std::optional<SmallVector<Route>> routes = routesOfMover(op);
    if (!routes)
      continue;
    OpBuilder b(op);
    auto permute = buildPermute(b, op->getLoc(), *routes);
    // The chain a shuffle ends may leave its reshape and transpose dead.
    Operation *chain = isa<cnn::ReshapeOp>(op)
                           ? op->getOperand(0).getDefiningOp()
                           : nullptr;
    op->replaceAllUsesWith(permute.getResults());
    op->erase();
    while (chain && chain->use_empty()) {
      Operation *next = chain->getOperand(0).getDefiningOp();
      chain->erase();
      chain = isa_and_nonnull<cnn::ReshapeOp, cnn::TransposeOp>(next) ? next
                                                                       : nullptr;
    }
  }
}

//===----------------------------------------------------------------------===//
// 2. Chains compose: every permute reads only values no permute computes.
//===----------------------------------------------------------------------===//

void compose(func::FuncOp func) {
  SmallVector<cnn::ChannelPermuteOp> ops;
  func.walk([&](cnn::ChannelPermuteOp op) { ops.push_back(op); });
  // In program order, so that every permute a route reads through has been
  // composed already.
  DenseMap<Operation *, SmallVector<Route>> composed;
  for (cnn::ChannelPermuteOp op : ops) {
    SmallVector<Route> routes = routesOf(op);
    for (Route &route : routes)
      for (Channel &ch : route)
        if (auto producer = ch.first.getDefiningOp<cnn::ChannelPermuteOp>())
          ch = composed[producer][cast<OpResult>(ch.first).getResultNumber()]
                       [ch.second];
    composed[op] = routes;
  }
  // Rebuild from the last, so each rebuilt op sees its users' final state;
  // a result that is a whole value in order is that value.
  for (cnn::ChannelPermuteOp op : llvm::reverse(ops)) {
    SmallVector<Route> &routes = composed[op];
    for (auto [result, route] : llvm::zip(op.getResults(), routes)) {
      Value v = route.front().first;
      bool whole = static_cast<int64_t>(route.size()) == channelsOf(v) &&
                   llvm::all_of(llvm::enumerate(route), [&](auto e) {
                     return e.value() == Channel{v, int64_t(e.index())};
                   });
      if (whole)
        result.replaceAllUsesWith(v);
    }
    if (llvm::all_of(op.getResults(), [](Value r) { return r.use_empty(); }))
      op.erase();
    else
      rebuild(op, routes);
  }
}

//===----------------------------------------------------------------------===//
// 3. Consumers that do not care about channel order take the sorted order.
//===----------------------------------------------------------------------===//

/// A convolution over all input channels with constant weights, reading `v`.
bool isDenseReader(Operation *user, Value v) {
  auto conv = dyn_cast<cnn::Conv2DOp>(user);
  return conv && conv.getGroups() == 1 && conv.getInput() == v &&
         conv.getFilter() != v && constantValues(conv.getFilter());
}

/// A depthwise convolution with constant weights reading `v`, whose result
/// only dense readers use: it can compute its channels in any order.
bool isReorderableDepthwise(Operation *user, Value v) {
  auto conv = dyn_cast<cnn::Conv2DOp>(user);
  if (!conv || !conv.isDepthwise() || conv.getInput() != v ||
      conv.getResidual() || conv.getFilter() == v ||
      !constantValues(conv.getFilter()) ||
      (conv.getBias() && !constantValues(conv.getBias())))
    return false;
  Value out = conv.getResult();
  return !out.use_empty() && llvm::all_of(out.getUsers(), [&](Operation *u) {
    return isDenseReader(u, out);
  });
}

/// Reorders dim `dim` of the constant `v`: new index j holds old `order[j]`.
Value permuteConstant(OpBuilder &b, Location loc, Value v, int64_t dim,
                      ArrayRef<int64_t> order) {
  SmallVector<float> values = *constantValues(v);
  RankedTensorType type = tensorType(v);
  ArrayRef<int64_t> shape = type.getShape();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d)
    outer *= shape[d];
  for (int64_t d = dim + 1; d < type.getRank(); ++d)
    inner *= shape[d];
  int64_t n = shape[dim];
  SmallVector<float> result(values.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < n; ++j)
      std::copy_n(values.begin() + (o * n + order[j]) * inner, inner,
                  result.begin() + (o * n + j) * inner);
  return constantOf(b, loc, type, result);
}

/// Makes a dense reader take its input channels in `order`.
void reorderInputChannels(cnn::Conv2DOp conv, ArrayRef<int64_t> order) {
  OpBuilder b(conv);
  conv.getFilterMutable().assign(
      permuteConstant(b, conv.getLoc(), conv.getFilter(), 1, order));
}

void sortForConsumers(func::FuncOp func) {
  SmallVector<cnn::ChannelPermuteOp> ops;
  func.walk([&](cnn::ChannelPermuteOp op) { ops.push_back(op); });
  for (cnn::ChannelPermuteOp op : ops) {
    SmallVector<Route> routes = routesOf(op);
    DenseMap<Value, unsigned> inputIndex;
    for (auto [i, in] : llvm::enumerate(op.getInputs()))
      inputIndex[in] = i;
    bool changed = false;
    for (unsigned r = 0; r < op.getNumResults(); ++r) {
      Value result = op.getResult(r);
      Route &route = routes[r];
      bool free = llvm::all_of(result.getUsers(), [&](Operation *u) {
        return isDenseReader(u, result) || isReorderableDepthwise(u, result);
      });
      SmallVector<int64_t> order(route.size());
      std::iota(order.begin(), order.end(), 0);
      auto key = [&](int64_t j) {
        return std::make_tuple(inputIndex[route[j].first], route[j].second, j);
      };
      llvm::sort(order, [&](int64_t x, int64_t y) { return key(x) < key(y); });
      if (!free || llvm::is_sorted(order))
        continue;
      for (Operation *user : llvm::to_vector(result.getUsers())) {
        auto conv = cast<cnn::Conv2DOp>(user);
        if (conv.isDepthwise() && conv.getGroups() > 1) {
          OpBuilder b(conv);
          conv.getFilterMutable().assign(
              permuteConstant(b, conv.getLoc(), conv.getFilter(), 0, order));
          if (conv.getBias())
            conv.getBiasMutable().assign(
                permuteConstant(b, conv.getLoc(), conv.getBias(), 0, order));
          for (Operation *next : conv.getResult().getUsers())
            reorderInputChannels(cast<cnn::Conv2DOp>(next), order);
        } else {
          reorderInputChannels(conv, order);
        }
      }
      Route sorted;
      for (int64_t j : order)
        sorted.push_back(route[j]);
      route = sorted;
      changed = true;
    }
    if (changed)
      rebuild(op, routes);
  }
}

//===----------------------------------------------------------------------===//
// 4. Producers compute each routed block as a convolution of its own.
//===----------------------------------------------------------------------===//

/// Where one channel of a producer goes: result `result` of `op`, position
/// `position`.
struct Destination {
  cnn::ChannelPermuteOp op;
  unsigned result;
  int64_t position;
};

/// A convolution over all input channels computing only output channels
/// `rows` of `conv`, in that order.
Value convRows(OpBuilder &b, cnn::Conv2DOp conv, ArrayRef<int64_t> rows) {
  Location loc = conv.getLoc();
  SmallVector<float> filter = *constantValues(conv.getFilter());
  ArrayRef<int64_t> fshape = conv.getFilter().getType().getShape();
  int64_t perRow = fshape[1] * fshape[2] * fshape[3];
  SmallVector<float> w, bias;
  std::optional<SmallVector<float>> oldBias = constantValues(conv.getBias());
  for (int64_t f : rows) {
    w.append(filter.begin() + f * perRow, filter.begin() + (f + 1) * perRow);
    if (oldBias)
      bias.push_back((*oldBias)[f]);
  }
  int64_t n = rows.size();
  Type f32 = b.getF32Type();
  Value wv = constantOf(
      b, loc, RankedTensorType::get({n, fshape[1], fshape[2], fshape[3]}, f32),
      w);
  Value bv = oldBias ? constantOf(b, loc, RankedTensorType::get({n}, f32), bias)
                     : Value();
  return b
      .create<cnn::Conv2DOp>(loc, withChannels(conv.getResult(), n),
                             conv.getInputs(), wv, bv, /*residual=*/Value(),
                             conv.getStridesAttr(),
                             conv.getPadsAttr(), conv.getDilationsAttr(),
                             conv.getGroupsAttr(), conv.getActivationAttr(),
                             conv.getActivationParamsAttr())
      .getResult();
}

/// Splits `conv` by destination block if every channel it computes goes to
/// exactly one place and each result receives one contiguous block of them.
void splitProducer(cnn::Conv2DOp conv) {
  Value x = conv.getResult();
  if (conv.getGroups() != 1 || x.use_empty() || conv.getResidual() ||
      !constantValues(conv.getFilter()) ||
      (conv.getBias() && !constantValues(conv.getBias())))
    return;
  SetVector<Operation *> users(x.getUsers().begin(), x.getUsers().end());
  if (!llvm::all_of(users, [](Operation *u) {
        return isa<cnn::ChannelPermuteOp>(u);
      }))
    return;
  DenseMap<Operation *, SmallVector<Route>> routes;
  SmallVector<SmallVector<Destination>> where(channelsOf(x));
  for (Operation *user : users) {
    auto op = cast<cnn::ChannelPermuteOp>(user);
    routes[op] = routesOf(op);
    for (auto [r, route] : llvm::enumerate(routes[op]))
      for (auto [j, ch] : llvm::enumerate(route))
        if (ch.first == x)
          where[ch.second].push_back({op, unsigned(r), int64_t(j)});
  }
  // One block per (op, result): the channels going there, by position.
  using Key = std::pair<Operation *, unsigned>;
  llvm::MapVector<Key, SmallVector<std::pair<int64_t, int64_t>>> blocks;
  for (auto [c, dests] : llvm::enumerate(where)) {
    if (dests.size() > 1)
      return; // a channel needed twice: leave the copy
    for (const Destination &d : dests)
      blocks[{d.op, d.result}].push_back({d.position, int64_t(c)});
  }
  for (auto &[key, block] : blocks) {
    llvm::sort(block);
    for (size_t i = 1; i < block.size(); ++i)
      if (block[i].first != block[i - 1].first + 1)
        return;
  }
  // Already a single block in the conv's own order: nothing to split.
  if (blocks.size() == 1) {
    auto &block = blocks.front().second;
    if (static_cast<int64_t>(block.size()) == channelsOf(x) &&
        llvm::all_of(llvm::enumerate(block), [](auto e) {
          return e.value().second == int64_t(e.index());
        }))
      return;
  }
  OpBuilder b(conv);
  for (auto &[key, block] : blocks) {
    SmallVector<int64_t> rows =
        llvm::map_to_vector(block, [](auto p) { return p.second; });
    Value piece = convRows(b, conv, rows);
    Route &route = routes[key.first][key.second];
    for (auto [i, pos] : llvm::enumerate(block))
      route[pos.first] = {piece, int64_t(i)};
  }
  for (Operation *user : users)
    rebuild(cast<cnn::ChannelPermuteOp>(user), routes[user]);
  conv.erase();
}

//===----------------------------------------------------------------------===//
// 5. What is left becomes conv inputs, concats and slices where it can.
//===----------------------------------------------------------------------===//

/// If only convolutions read `v` (as their input), makes each read `parts`,
/// whose concatenation `v` is, as its inputs instead: no concat is left.
bool takeAsInputs(Value v, ArrayRef<Value> parts) {
  if (!llvm::all_of(v.getUses(), [](OpOperand &use) {
        auto conv = dyn_cast<cnn::Conv2DOp>(use.getOwner());
        return conv && conv.getInput() == use.get();
      }))
    return false;
  for (Operation *user : llvm::to_vector(v.getUsers()))
    cast<cnn::Conv2DOp>(user).getInputsMutable().assign(parts);
  return true;
}

void materialize(func::FuncOp func) {
  SmallVector<cnn::ChannelPermuteOp> ops;
  func.walk([&](cnn::ChannelPermuteOp op) { ops.push_back(op); });
  for (cnn::ChannelPermuteOp op : ops) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    SmallVector<Route> routes = routesOf(op);
    for (auto [r, result] : llvm::enumerate(op.getResults())) {
      // Interleaved runs stay a channel_permute (ShuffleNet v1's shuffle).
      using Run = cnn::ChannelPermuteOp::Run;
      SmallVector<Run> runs = op.getRuns(r);
      if (runs.size() > 1 &&
          llvm::any_of(runs, [](const Run &run) { return run.stride != 1; }))
        continue;
      SmallVector<Value> parts;
      for (const Run &run : runs) {
        Value in = op.getInputs()[run.input];
        if (run.length == channelsOf(in)) {
          parts.push_back(in);
          continue;
        }
        parts.push_back(b.create<cnn::SliceOp>(
            loc, withChannels(in, run.length), in,
            b.getDenseI64ArrayAttr({0, run.first, 0, 0}),
            b.getDenseI64ArrayAttr({1, run.stride, 1, 1})));
      }
      if (parts.size() > 1 && takeAsInputs(result, parts))
        continue;
      Value replacement =
          parts.size() == 1
              ? parts.front()
              : b.create<cnn::ConcatOp>(loc, result.getType(), parts, 1)
                    .getResult();
      result.replaceAllUsesWith(replacement);
    }
    rebuild(op, routes);
  }
}

struct FoldChannelShufflePass
    : cnnc::impl::FoldChannelShuffleBase<FoldChannelShufflePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    recognize(func);
    compose(func);
    sortForConsumers(func);
    SmallVector<cnn::Conv2DOp> convs;
    func.walk([&](cnn::Conv2DOp conv) { convs.push_back(conv); });
    for (cnn::Conv2DOp conv : convs)
      splitProducer(conv);
    materialize(func);
  }
};

} // namespace
