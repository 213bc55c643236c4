//===- VulkanTarget.h - Vulkan behind the target interface ------*- C++ -*-===//
#ifndef CNNC_BACKENDS_VULKAN_VULKANTARGET_H
#define CNNC_BACKENDS_VULKAN_VULKANTARGET_H

#include "backends/Target.h"

namespace cnnc {
/// Registers target "vulkan".
void registerVulkanTarget();
} // namespace cnnc

#endif // CNNC_BACKENDS_VULKAN_VULKANTARGET_H
