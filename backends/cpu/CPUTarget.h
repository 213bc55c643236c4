//===- CPUTarget.h - The CPU behind the target interface --------*- C++ -*-===//
#ifndef CNNC_BACKENDS_CPU_CPUTARGET_H
#define CNNC_BACKENDS_CPU_CPUTARGET_H

#include "backends/Target.h"

namespace cnnc {
/// Registers target "cpu".
void registerCPUTarget();
} // namespace cnnc

#endif // CNNC_BACKENDS_CPU_CPUTARGET_H
