//===- Passes.h - The Vulkan backend ----------------------------*- C++ -*-===//
#ifndef CNNC_BACKENDS_VULKAN_PASSES_H
#define CNNC_BACKENDS_VULKAN_PASSES_H

#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "backends/vulkan/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "backends/vulkan/Passes.h.inc"

} // namespace cnnc

#endif // CNNC_BACKENDS_VULKAN_PASSES_H
