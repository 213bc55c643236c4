//===- CudaTarget.h - CUDA behind the target interface ----------*- C++ -*-===//
#ifndef CNNC_BACKENDS_CUDA_CUDATARGET_H
#define CNNC_BACKENDS_CUDA_CUDATARGET_H

#include "backends/Target.h"

namespace cnnc {
/// Registers target "cuda".
void registerCudaTarget();
} // namespace cnnc

#endif // CNNC_BACKENDS_CUDA_CUDATARGET_H
