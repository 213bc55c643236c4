//===- Registration.h - Everything cnnc's tools register --------*- C++ -*-===//
#ifndef CNNC_COMPILER_REGISTRATION_H
#define CNNC_COMPILER_REGISTRATION_H

#include "mlir/IR/DialectRegistry.h"

namespace cnnc {

/// The cnn dialect plus every upstream dialect, interface model and LLVM IR
/// translation the pipelines use.
void registerDialects(mlir::DialectRegistry &registry);

/// Every target behind backends/Target.h: cpu, vulkan, cuda.
void registerTargets();
/// cnnc's passes and pipelines (for the opt tool).
void registerPassesAndPipelines();

} // namespace cnnc

#endif // CNNC_COMPILER_REGISTRATION_H
