//===- Passes.h - The CUDA backend ------------------------------*- C++ -*-===//
#ifndef CNNC_BACKENDS_CUDA_PASSES_H
#define CNNC_BACKENDS_CUDA_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "backends/cuda/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "backends/cuda/Passes.h.inc"

} // namespace cnnc

#endif // CNNC_BACKENDS_CUDA_PASSES_H
