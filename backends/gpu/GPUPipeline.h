//===- GPUPipeline.h - linalg to outlined GPU kernels -----------*- C++ -*-===//
//
// The lowering CUDA and Vulkan share: from backends/common's linalg on
// tensors to a host function of buffer views and gpu.launch_func ops, one
// outlined kernel per fused op, every intermediate buffer in one planned
// workspace.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_BACKENDS_GPU_GPUPIPELINE_H
#define CNNC_BACKENDS_GPU_GPUPIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace cnnc {

/// Byte alignment of every buffer in a GPU workspace: Vulkan's
/// minStorageBufferOffsetAlignment is at most 256 on every device.
constexpr int64_t kGPUBufferAlignment = 256;

void buildGPUKernelPipeline(mlir::OpPassManager &pm);
void registerGPUPipelines();

} // namespace cnnc

#endif // CNNC_BACKENDS_GPU_GPUPIPELINE_H
