//===- Bufferize.h - Tensors to buffers, for every backend ------*- C++ -*-===//
#ifndef CNNC_BACKENDS_COMMON_BUFFERIZE_H
#define CNNC_BACKENDS_COMMON_BUFFERIZE_H

#include "mlir/Pass/PassManager.h"

namespace cnnc {

/// Linalg on tensors to linalg on buffers, as every backend wants it: each
/// kernel its own destination, one-shot bufferization across the function
/// boundary (identity layouts there), results as out-parameters, copies as
/// linalg.copy, and concatenation pieces and results computed where they
/// are finally copied to (cnnc-forward-copies).
void buildBufferizePipeline(mlir::OpPassManager &pm);

} // namespace cnnc

#endif // CNNC_BACKENDS_COMMON_BUFFERIZE_H
