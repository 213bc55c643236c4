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

/// The vector registers of the target CPU that cnnc-cpu-group-tiling and
/// cnnc-cpu-tile-and-vectorize plan their register tiles for.
struct CPUVectorShape {
  int64_t width = 16;    // f32 lanes per register
  int64_t registers = 32; // architectural vector registers
};

/// cnn -> linalg on tensors, fused element-wise (shared by every backend).
void buildCNNToLinalgPipeline(mlir::OpPassManager &pm);
/// linalg on tensors -> bufferized loops over memrefs, register tiles
/// planned for `vectors`; the entry function takes its outputs as
/// out-parameters.
void buildCPUBufferizePipeline(mlir::OpPassManager &pm,
                               const CPUVectorShape &vectors = {});
/// loops over memrefs -> LLVM dialect, bare-pointer calling convention.
void buildCPUToLLVMPipeline(mlir::OpPassManager &pm);
/// All three.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUVectorShape &vectors = {});

/// Registers the pipelines above with the pass registry (for cnnc-opt).
void registerCPUPipelines();

} // namespace cnnc

#endif // CNNC_BACKENDS_CPU_CPUPIPELINE_H
