//===- CudaPipeline.h - Outlined kernels to NVVM ----------------*- C++ -*-===//
#ifndef CNNC_BACKENDS_CUDA_CUDAPIPELINE_H
#define CNNC_BACKENDS_CUDA_CUDAPIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace cnnc {

/// Every gpu.module's kernels to the LLVM dialect with NVVM intrinsics:
/// math without libdevice, 32-bit indices, one bare pointer per buffer
/// argument (the runtime passes device pointers in binding order).
void buildCudaNVVMPipeline(mlir::OpPassManager &pm);
void registerCudaPipelines();

} // namespace cnnc

#endif // CNNC_BACKENDS_CUDA_CUDAPIPELINE_H
