//===- CudaPipeline.cpp - Outlined kernels to NVVM ------------------------===//
#include "backends/cuda/CudaPipeline.h"
#include "backends/cuda/Passes.h"
#include "backends/gpu/GPUPipeline.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cnnc::buildCudaNVVMPipeline(OpPassManager &pm) {
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createCudaLowerMath());
  kernels.addPass(createConvertSCFToCFPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 32;
  nvvm.useBarePtrCallConv = true;
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  kernels.addPass(createReconcileUnrealizedCastsPass());
  kernels.addPass(createCanonicalizerPass());
}

void cnnc::registerCudaPipelines() {
  PassPipelineRegistration<>(
      "cnnc-cuda-nvvm", "outlined GPU kernels to NVVM (CUDA)",
      buildCudaNVVMPipeline);
  PassPipelineRegistration<>("cnnc-cuda",
                             "linalg on tensors to NVVM kernels (CUDA)",
                             [](OpPassManager &pm) {
                               buildGPUKernelPipeline(pm);
                               buildCudaNVVMPipeline(pm);
                             });
}
