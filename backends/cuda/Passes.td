//===- Passes.td - The CUDA backend ----------------------*- tablegen -*-===//
#ifndef CNNC_BACKENDS_CUDA_PASSES_TD
#define CNNC_BACKENDS_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def CudaLowerMath : Pass<"cnnc-cuda-lower-math", "mlir::gpu::GPUModuleOp"> {
  let summary = "Math in kernels as arithmetic and NVPTX intrinsics";
  let description = [{
    So that PTX needs no libdevice (which comes with the CUDA toolkit):
    exp, log, tanh and erf become polynomial approximations (upstream's,
    the ones the CPU uses too) and powf becomes exp(y * log(x)). What is
    left (sqrt, abs, floor, ceil, fma, rsqrt) convert-gpu-to-nvvm turns
    into calls of libdevice's names, which the CUDA target defines itself
    as the LLVM intrinsics that NVPTX lowers to one PTX instruction each.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::vector::VectorDialect"];
}

#endif // CNNC_BACKENDS_CUDA_PASSES_TD
