//===- FoldChannelShuffle.cpp - (in progress) -----------------------------===//
#include "passes/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_FOLDCHANNELSHUFFLE
#include "passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {
struct FoldChannelShufflePass
    : cnnc::impl::FoldChannelShuffleBase<FoldChannelShufflePass> {
  void runOnOperation() override {}
};
} // namespace
