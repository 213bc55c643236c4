//===- Device.cpp - Device strings, cnnc_list_devices ---------------------===//

#include "runtime/src/Device.h"
#include "runtime/src/Error.h"
#include "runtime/src/Export.h"
#include "runtime/src/cuda/CudaDevice.h"

#if CNNC_HAVE_VULKAN
#include "runtime/src/vulkan/VulkanDevice.h"
#endif

#include <cstring>
#include <string>

using namespace cnnc::rt;

namespace {

/// Longest device index accepted ("vulkan:123456789"); keeps the value far
/// from any overflow.
constexpr size_t kMaxIndexDigits = 9;

std::string quoted(const std::string &text) { return "'" + text + "'"; }

/// The text cnnc_list_devices returns.
std::string deviceListing() {
  std::string text = "cpu host CPU\n";
#if CNNC_HAVE_VULKAN
  vulkan::listDevices(text);
#else
  text += "# vulkan: this runtime was built without Vulkan support\n";
#endif
  cuda::listDevices(text);
  return text;
}

cnnc_status listDevices(char *buffer, size_t size, size_t *outSize) {
  if (outSize == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_list_devices: out_size is null");
  *outSize = 0;
  if (buffer == nullptr && size > 0)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_list_devices: buffer is null but size is " +
                    std::to_string(size));
  std::string text = deviceListing();
  *outSize = text.size() + 1;
  if (size >= text.size() + 1) {
    std::memcpy(buffer, text.c_str(), text.size() + 1);
    return CNNC_OK;
  }
  if (size == 0 && buffer == nullptr)
    return CNNC_OK;
  buffer[0] = '\0';
  return fail(CNNC_ERROR_INVALID_ARGUMENT,
              "cnnc_list_devices: the buffer holds " + std::to_string(size) +
                  " bytes, the device list needs " +
                  std::to_string(text.size() + 1));
}

} // namespace

DeviceProgram::~DeviceProgram() = default;

const char *cnnc::rt::targetOf(DeviceKind kind) {
  switch (kind) {
  case DeviceKind::Cpu:
    return "cpu";
  case DeviceKind::Vulkan:
    return "vulkan";
  case DeviceKind::Cuda:
    return "cuda";
  }
  return "unknown";
}

cnnc_status cnnc::rt::parseDevice(const std::string &text, DeviceSpec &spec) {
  spec = DeviceSpec();
  size_t colon = text.find(':');
  std::string kind = text.substr(0, colon);
  if (kind == "vulkan")
    spec.kind = DeviceKind::Vulkan;
  else if (kind == "cuda")
    spec.kind = DeviceKind::Cuda;
  else if (text == "cpu")
    spec.kind = DeviceKind::Cpu;
  else
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "unknown device " + quoted(text) +
                    " (expected one of: cpu, vulkan, vulkan:N, cuda, "
                    "cuda:N)");

  if (colon != std::string::npos) {
    std::string digits = text.substr(colon + 1);
    if (digits.empty() || digits.size() > kMaxIndexDigits ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      return fail(CNNC_ERROR_INVALID_ARGUMENT,
                  "invalid device " + quoted(text) + " (expected " + kind +
                      " or " + kind + ":N with N a device index: 0, 1, ...)");
    spec.index = std::stoll(digits);
  }

#if !CNNC_HAVE_VULKAN
  if (spec.kind == DeviceKind::Vulkan)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "device " + quoted(text) +
                    " is not available: this runtime was built without "
                    "Vulkan support (it needs vulkan/vulkan.h at build "
                    "time, e.g. from Debian's libvulkan-dev)");
#endif
  return CNNC_OK;
}

CNNC_RUNTIME_API cnnc_status cnnc_list_devices(char *buffer, size_t size,
                                               size_t *out_size) {
  return guarded(CNNC_ERROR_DEVICE,
                 [&] { return listDevices(buffer, size, out_size); });
}
