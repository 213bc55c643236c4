//===- GroupTiling.cpp - (in progress) ---------------------------------------===//
#include "backends/cpu/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_CPUGROUPTILING
#include "backends/cpu/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {
struct CPUGroupTilingPass : cnnc::impl::CPUGroupTilingBase<CPUGroupTilingPass> {
  void runOnOperation() override {}
};
} // namespace
