//===- CPUPipeline.h - cnn to LLVM for the CPU ------------------*- C++ -*-===//
//
// The CPU backend's pipelines, in the stages the driver dumps. The driver
// and cnnc-opt both build them from here, so `cnnc-opt --cnnc-cpu-...`
// reproduces exactly what `cnnc` runs.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_BACKENDS_CPU_CPUPIPELINE_H
#define CNNC_BACKENDS_CPU_CPUPIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace cnnc {

/// cnn -> linalg on tensors, fused element-wise (shared by every backend).
void buildCNNToLinalgPipeline(mlir::OpPassManager &pm);
/// linalg on tensors -> bufferized loops over memrefs; the entry function
/// takes its outputs as out-parameters.
void buildCPUBufferizePipeline(mlir::OpPassManager &pm);
/// loops over memrefs -> LLVM dialect, bare-pointer calling convention.
void buildCPUToLLVMPipeline(mlir::OpPassManager &pm);
/// All three.
void buildCPUPipeline(mlir::OpPassManager &pm);

/// Registers the pipelines above with the pass registry (for cnnc-opt).
void registerCPUPipelines();

} // namespace cnnc

#endif // CNNC_BACKENDS_CPU_CPUPIPELINE_H
