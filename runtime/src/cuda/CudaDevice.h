//===- CudaDevice.h - Running device programs on CUDA ------------*- C++
//-*-===//
//
// The CUDA device of the runtime. The NVIDIA driver (libcuda.so.1) is
// opened with dlopen when a model is loaded for "cuda" or the devices are
// listed, never linked, and no CUDA header is needed to build it: the few
// driver types and functions used are declared in CudaDevice.cpp. A runtime
// always has it and still loads and runs CPU models on a machine without a
// driver.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_RUNTIME_SRC_CUDA_CUDADEVICE_H
#define CNNC_RUNTIME_SRC_CUDA_CUDADEVICE_H

#include "runtime/src/Device.h"

#include "cnnc/artifact_abi.h"

#include <cstdint>
#include <memory>
#include <string>

namespace cnnc::rt::cuda {

/// Checks what can be checked of a "cuda" kernel's code without a driver:
/// that it is PTX text (no NUL inside; a .version and a .target sm_XX
/// directive) that defines the entry `kernel.name` with exactly
/// `kernel.num_bindings` parameters, each a 64-bit pointer. On failure
/// returns false with `problem` set to the end of a sentence that starts
/// with the kernel's name ("has no .target directive in its PTX").
bool checkKernelCode(const cnnc_kernel &kernel, std::string &problem);

/// Makes the device program of a "cuda" artifact whose info (program
/// included, every kernel passing checkKernelCode) has been validated, on
/// CUDA device `index` (-1: device 0). `device` is the device string, for
/// messages.
cnnc_status createProgram(const cnnc_artifact_info &info,
                          const std::string &device, int64_t index,
                          std::unique_ptr<DeviceProgram> &program);

/// Appends one line per CUDA device to `text`, in the format of
/// cnnc_list_devices, or a '#' note saying why there is none.
void listDevices(std::string &text);

} // namespace cnnc::rt::cuda

#endif // CNNC_RUNTIME_SRC_CUDA_CUDADEVICE_H
