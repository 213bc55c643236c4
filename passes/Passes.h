//===- Passes.h - Graph passes on the cnn dialect ---------------*- C++ -*-===//
#ifndef CNNC_PASSES_PASSES_H
#define CNNC_PASSES_PASSES_H

#include "dialects/cnn/CNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The graph optimizations `cnnc` runs at -O1 and above, in order.
void buildGraphOptimizationPipeline(mlir::OpPassManager &pm);

/// Registers the pipeline above as `cnnc-graph-opt` (for cnnc-opt).
void registerGraphPipelines();

} // namespace cnnc

#endif // CNNC_PASSES_PASSES_H
