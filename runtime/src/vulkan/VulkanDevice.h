//===- VulkanDevice.h - Running device programs on Vulkan --------*- C++
//-*-===//
//
// The Vulkan device of the runtime. The system's Vulkan loader
// (libvulkan.so.1) is opened with dlopen when a model is loaded for
// "vulkan" or the devices are listed, never linked: a runtime built with
// Vulkan support still loads and runs CPU models on a machine without it.
// Only compiled when vulkan/vulkan.h was found (CNNC_HAVE_VULKAN).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_RUNTIME_SRC_VULKAN_VULKANDEVICE_H
#define CNNC_RUNTIME_SRC_VULKAN_VULKANDEVICE_H

#include "runtime/src/Device.h"

#include <cstdint>
#include <memory>
#include <string>

namespace cnnc::rt::vulkan {

/// Makes the device program of a "vulkan" artifact whose info (program
/// included) has been validated, on Vulkan physical device `index` (-1: the
/// default one, see cnnc_model_load). `device` is the device string, for
/// messages.
cnnc_status createProgram(const cnnc_artifact_info &info,
                          const std::string &device, int64_t index,
                          std::unique_ptr<DeviceProgram> &program);

/// Appends one line per Vulkan physical device to `text`, in the format of
/// cnnc_list_devices, or a '#' note saying why there is none.
void listDevices(std::string &text);

} // namespace cnnc::rt::vulkan

#endif // CNNC_RUNTIME_SRC_VULKAN_VULKANDEVICE_H
