//===- Passes.h - GPU lowering shared by CUDA and Vulkan --------*- C++ -*-===//
#ifndef CNNC_BACKENDS_GPU_PASSES_H
#define CNNC_BACKENDS_GPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "backends/gpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "backends/gpu/Passes.h.inc"

} // namespace cnnc

#endif // CNNC_BACKENDS_GPU_PASSES_H
