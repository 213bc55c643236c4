//===- VulkanDevice.cpp - Device programs on Vulkan -----------------------===//
//
// Loading a model for "vulkan" makes its dispatch list ready once:
//
//   instance (Vulkan 1.1) -> physical device -> a queue family with compute
//   -> device -> per kernel: shader module, descriptor set layout (n storage
//   buffers), pipeline layout, compute pipeline -> one device buffer per
//   input, output, constant and the workspace, plus host-visible staging
//   buffers for the inputs and outputs -> the constants uploaded through a
//   staging buffer -> one descriptor set per dispatch -> one command buffer.
//
// The command buffer, recorded once and replayed by every run:
//
//   copy input staging -> device inputs; barrier;
//   per dispatch: [barrier;] timestamp; bind; dispatch; timestamp;
//   barrier; copy device outputs -> output staging; barrier (host read).
//
// A run copies the caller's inputs into the mapped staging buffers, submits
// with a fence, waits, and copies the outputs out. Every Vulkan function is
// fetched through vkGetInstanceProcAddr / vkGetDeviceProcAddr from the
// loader opened with dlopen: nothing links against libvulkan.
//
// Every object belongs to one Program, whose destructor frees whatever was
// created, so a load that fails half-way leaks nothing.
//
//===----------------------------------------------------------------------===//

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include "runtime/src/vulkan/VulkanDevice.h"

#include "runtime/src/Error.h"
#include "runtime/src/TensorFormat.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <dlfcn.h>

using namespace cnnc::rt;

namespace {

constexpr const char *kLoaderName = "libvulkan.so.1";

/// Bytes of weights uploaded per staging round trip: bounds the extra host
/// memory a load needs to this, whatever the size of the weights.
#ifndef CNNC_VULKAN_UPLOAD_CHUNK_BYTES
#define CNNC_VULKAN_UPLOAD_CHUNK_BYTES (64u << 20)
#endif
constexpr VkDeviceSize kUploadChunkBytes = CNNC_VULKAN_UPLOAD_CHUNK_BYTES;

// The functions the runtime uses, by the object they are fetched from.
#define CNNC_VK_INSTANCE_FUNCTIONS(X)                                          \
  X(vkDestroyInstance)                                                         \
  X(vkEnumeratePhysicalDevices)                                                \
  X(vkGetPhysicalDeviceProperties)                                             \
  X(vkGetPhysicalDeviceFeatures)                                               \
  X(vkGetPhysicalDeviceQueueFamilyProperties)                                  \
  X(vkGetPhysicalDeviceMemoryProperties)                                       \
  X(vkCreateDevice)                                                            \
  X(vkGetDeviceProcAddr)

#define CNNC_VK_DEVICE_FUNCTIONS(X)                                            \
  X(vkDeviceWaitIdle)                                                          \
  X(vkGetDeviceQueue)                                                          \
  X(vkCreateBuffer)                                                            \
  X(vkDestroyBuffer)                                                           \
  X(vkGetBufferMemoryRequirements)                                             \
  X(vkAllocateMemory)                                                          \
  X(vkFreeMemory)                                                              \
  X(vkBindBufferMemory)                                                        \
  X(vkMapMemory)                                                               \
  X(vkCreateShaderModule)                                                      \
  X(vkDestroyShaderModule)                                                     \
  X(vkCreateDescriptorSetLayout)                                               \
  X(vkDestroyDescriptorSetLayout)                                              \
  X(vkCreatePipelineLayout)                                                    \
  X(vkDestroyPipelineLayout)                                                   \
  X(vkCreateComputePipelines)                                                  \
  X(vkDestroyPipeline)                                                         \
  X(vkCreateDescriptorPool)                                                    \
  X(vkDestroyDescriptorPool)                                                   \
  X(vkAllocateDescriptorSets)                                                  \
  X(vkUpdateDescriptorSets)                                                    \
  X(vkCreateCommandPool)                                                       \
  X(vkDestroyCommandPool)                                                      \
  X(vkAllocateCommandBuffers)                                                  \
  X(vkBeginCommandBuffer)                                                      \
  X(vkEndCommandBuffer)                                                        \
  X(vkCmdCopyBuffer)                                                           \
  X(vkCmdPipelineBarrier)                                                      \
  X(vkCmdBindPipeline)                                                         \
  X(vkCmdBindDescriptorSets)                                                   \
  X(vkCmdDispatch)                                                             \
  X(vkCmdResetQueryPool)                                                       \
  X(vkCmdWriteTimestamp)                                                       \
  X(vkCreateQueryPool)                                                         \
  X(vkDestroyQueryPool)                                                        \
  X(vkGetQueryPoolResults)                                                     \
  X(vkCreateFence)                                                             \
  X(vkDestroyFence)                                                            \
  X(vkResetFences)                                                             \
  X(vkWaitForFences)                                                           \
  X(vkQueueSubmit)

std::string quoted(const std::string &text) { return "'" + text + "'"; }

std::string resultName(VkResult result) {
  switch (result) {
#define CNNC_VK_RESULT(name)                                                   \
  case name:                                                                   \
    return #name;
    CNNC_VK_RESULT(VK_SUCCESS)
    CNNC_VK_RESULT(VK_NOT_READY)
    CNNC_VK_RESULT(VK_TIMEOUT)
    CNNC_VK_RESULT(VK_INCOMPLETE)
    CNNC_VK_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    CNNC_VK_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    CNNC_VK_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    CNNC_VK_RESULT(VK_ERROR_DEVICE_LOST)
    CNNC_VK_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    CNNC_VK_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    CNNC_VK_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    CNNC_VK_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    CNNC_VK_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    CNNC_VK_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    CNNC_VK_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
    CNNC_VK_RESULT(VK_ERROR_FRAGMENTED_POOL)
    CNNC_VK_RESULT(VK_ERROR_UNKNOWN)
    CNNC_VK_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
    CNNC_VK_RESULT(VK_ERROR_FRAGMENTATION)
    CNNC_VK_RESULT(VK_ERROR_INVALID_SHADER_NV)
#undef CNNC_VK_RESULT
  default:
    return "VkResult " + std::to_string(static_cast<int>(result));
  }
}

/// "1.3.230".
std::string versionText(uint32_t version) {
  return std::to_string(VK_API_VERSION_MAJOR(version)) + "." +
         std::to_string(VK_API_VERSION_MINOR(version)) + "." +
         std::to_string(VK_API_VERSION_PATCH(version));
}

const char *typeName(VkPhysicalDeviceType type) {
  switch (type) {
  case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
    return "discrete-gpu";
  case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
    return "integrated-gpu";
  case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
    return "virtual-gpu";
  case VK_PHYSICAL_DEVICE_TYPE_CPU:
    return "cpu";
  default:
    return "other";
  }
}

/// Order of preference of plain "vulkan": lower is better.
int typeRank(VkPhysicalDeviceType type) {
  switch (type) {
  case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
    return 0;
  case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
    return 1;
  case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
    return 2;
  case VK_PHYSICAL_DEVICE_TYPE_CPU:
    return 3;
  default:
    return 4;
  }
}

struct PhysicalDevice {
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties properties = {};
};

/// The device plain "vulkan" selects: the first of the most preferred type.
size_t defaultDevice(const std::vector<PhysicalDevice> &devices) {
  size_t best = 0;
  for (size_t i = 1; i < devices.size(); ++i)
    if (typeRank(devices[i].properties.deviceType) <
        typeRank(devices[best].properties.deviceType))
      best = i;
  return best;
}

/// "llvmpipe (LLVM 15.0.6, 256 bits) [cpu, Vulkan 1.3.230]".
std::string describeDevice(const PhysicalDevice &device, bool isDefault) {
  return std::string(device.properties.deviceName) + " [" +
         typeName(device.properties.deviceType) + ", Vulkan " +
         versionText(device.properties.apiVersion) +
         (isDefault ? ", default]" : "]");
}

/// The Vulkan loader, opened on first use and kept for the life of the
/// process: drivers may leave threads or exit handlers behind that point
/// into it, so it is never closed. Null (with `error` set) if it cannot be
/// opened.
PFN_vkGetInstanceProcAddr loaderEntryPoint(std::string &error) {
  static std::mutex mutex;
  static void *library = nullptr;
  std::lock_guard<std::mutex> lock(mutex);
  if (library == nullptr) {
    library = dlopen(kLoaderName, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char *message = dlerror();
      error = std::string("Vulkan is not available: cannot load the Vulkan "
                          "loader ") +
              kLoaderName + " (" +
              (message ? message : "unknown dynamic loader error") +
              "); install a Vulkan loader and driver (on Debian: libvulkan1 "
              "and mesa-vulkan-drivers)";
      return nullptr;
    }
  }
  auto entry = reinterpret_cast<PFN_vkGetInstanceProcAddr>(
      dlsym(library, "vkGetInstanceProcAddr"));
  if (entry == nullptr)
    error = std::string("the Vulkan loader ") + kLoaderName +
            " does not export vkGetInstanceProcAddr";
  return entry;
}

/// A Vulkan 1.1 instance and the instance-level functions.
class Instance {
public:
  Instance() = default;
  ~Instance() {
    if (instance_ != VK_NULL_HANDLE && vkDestroyInstance != nullptr)
      vkDestroyInstance(instance_, nullptr);
  }
  Instance(const Instance &) = delete;
  Instance &operator=(const Instance &) = delete;

  /// Opens the loader and creates the instance; on failure returns false
  /// with `error` set (every such failure is a CNNC_ERROR_DEVICE).
  bool open(std::string &error);
  /// Every physical device, in the loader's order (which vulkan:N indexes).
  bool physicalDevices(std::vector<PhysicalDevice> &devices,
                       std::string &error);

#define CNNC_VK_MEMBER(name) PFN_##name name = nullptr;
  CNNC_VK_INSTANCE_FUNCTIONS(CNNC_VK_MEMBER)
#undef CNNC_VK_MEMBER

private:
  VkInstance instance_ = VK_NULL_HANDLE;
};

bool Instance::open(std::string &error) {
  PFN_vkGetInstanceProcAddr getProcAddr = loaderEntryPoint(error);
  if (getProcAddr == nullptr)
    return false;
  // vkEnumerateInstanceVersion is missing from a Vulkan 1.0 loader.
  auto enumerateVersion = reinterpret_cast<PFN_vkEnumerateInstanceVersion>(
      getProcAddr(VK_NULL_HANDLE, "vkEnumerateInstanceVersion"));
  uint32_t version = VK_API_VERSION_1_0;
  if (enumerateVersion == nullptr || enumerateVersion(&version) != VK_SUCCESS)
    version = VK_API_VERSION_1_0;
  if (version < VK_API_VERSION_1_1) {
    error = "the Vulkan loader supports Vulkan " + versionText(version) +
            " only; cnnc needs Vulkan 1.1 or later";
    return false;
  }
  auto createInstance = reinterpret_cast<PFN_vkCreateInstance>(
      getProcAddr(VK_NULL_HANDLE, "vkCreateInstance"));
  if (createInstance == nullptr) {
    error = "the Vulkan loader does not provide vkCreateInstance";
    return false;
  }

  VkApplicationInfo application = {};
  application.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  application.pApplicationName = "cnnc";
  application.pEngineName = "cnnc";
  application.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo create = {};
  create.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  create.pApplicationInfo = &application;
  VkInstance instance = VK_NULL_HANDLE;
  VkResult result = createInstance(&create, nullptr, &instance);
  if (result == VK_ERROR_INCOMPATIBLE_DRIVER) {
    error = "no Vulkan driver is installed (vkCreateInstance returned "
            "VK_ERROR_INCOMPATIBLE_DRIVER); install one, e.g. Debian's "
            "mesa-vulkan-drivers";
    return false;
  }
  if (result != VK_SUCCESS) {
    error = "cannot create a Vulkan instance: vkCreateInstance failed: " +
            resultName(result);
    return false;
  }
  instance_ = instance;
  // vkDestroyInstance first, so that the destructor can free the instance
  // whatever else is missing.
#define CNNC_VK_LOAD(name)                                                     \
  name = reinterpret_cast<PFN_##name>(getProcAddr(instance_, #name));          \
  if (name == nullptr) {                                                       \
    error = "the Vulkan loader does not provide " #name;                       \
    return false;                                                              \
  }
  CNNC_VK_LOAD(vkDestroyInstance)
  CNNC_VK_INSTANCE_FUNCTIONS(CNNC_VK_LOAD)
#undef CNNC_VK_LOAD
  return true;
}

bool Instance::physicalDevices(std::vector<PhysicalDevice> &devices,
                               std::string &error) {
  std::vector<VkPhysicalDevice> handles;
  VkResult result;
  do {
    uint32_t count = 0;
    result = vkEnumeratePhysicalDevices(instance_, &count, nullptr);
    if (result == VK_SUCCESS && count > 0) {
      handles.resize(count);
      result = vkEnumeratePhysicalDevices(instance_, &count, handles.data());
      handles.resize(count);
    }
  } while (result == VK_INCOMPLETE); // a device appeared between the calls
  if (result != VK_SUCCESS) {
    error = "cannot list the Vulkan devices: vkEnumeratePhysicalDevices "
            "failed: " +
            resultName(result);
    return false;
  }
  devices.clear();
  for (VkPhysicalDevice handle : handles) {
    PhysicalDevice device;
    device.handle = handle;
    vkGetPhysicalDeviceProperties(handle, &device.properties);
    devices.push_back(device);
  }
  return true;
}

/// A buffer and the memory bound to it.
struct Buffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize size = 0;  // as created: the bytes asked for, rounded up to 4
  void *mapped = nullptr; // staging buffers: mapped for their whole life
};

/// The objects of one kernel.
struct Kernel {
  VkShaderModule module = VK_NULL_HANDLE;
  VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
};

/// A device program on one Vulkan device.
class Program final : public DeviceProgram {
public:
  explicit Program(const cnnc_artifact_info &info)
      : info_(info), program_(*info.program) {}
  ~Program() override;
  Program(const Program &) = delete;
  Program &operator=(const Program &) = delete;

  /// Makes the program ready on physical device `index` (-1: the default).
  cnnc_status init(const std::string &device, int64_t index);

  cnnc_status run(void *const *inputs, void *const *outputs) override;
  cnnc_status dispatchTimes(std::vector<double> &milliseconds) override;

private:
  cnnc_status selectDevice(const std::string &device, int64_t index);
  cnnc_status createDevice();
  cnnc_status checkLimits();
  cnnc_status createPipelines();
  cnnc_status createBuffers();
  cnnc_status uploadConstants();
  cnnc_status createDescriptorSets();
  cnnc_status createCommands();
  cnnc_status recordRun();

  /// Creates a buffer of at least `bytes` bytes in memory with every flag of
  /// `required` and, if such memory exists, of `preferred`; maps it if
  /// `map`. `what` names it in messages ("input 0 ('x')").
  cnnc_status createBuffer(Buffer &buffer, uint64_t bytes,
                           VkBufferUsageFlags usage,
                           VkMemoryPropertyFlags required,
                           VkMemoryPropertyFlags preferred, bool map,
                           const std::string &what);
  void destroyBuffer(Buffer &buffer);
  bool findMemoryType(uint32_t typeBits, VkMemoryPropertyFlags required,
                      VkMemoryPropertyFlags preferred, uint32_t &type) const;
  Buffer &bufferOf(const cnnc_binding &binding);

  /// Submits `commands`, waits for them and reports a failure of either.
  cnnc_status submitAndWait(VkCommandBuffer commands, const std::string &what);
  /// CNNC_OK for VK_SUCCESS, otherwise a CNNC_ERROR_DEVICE naming `what`.
  cnnc_status check(VkResult result, const std::string &what);

  /// Copies the pending weight pieces from the upload staging buffer.
  struct PendingCopy {
    VkBuffer destination;
    VkBufferCopy region;
  };
  cnnc_status flushUpload(std::vector<PendingCopy> &pending);

  const cnnc_artifact_info &info_;
  const cnnc_device_program &program_;

  Instance instance_;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties properties_ = {};
  VkPhysicalDeviceMemoryProperties memory_ = {};
  std::string label_; // "vulkan:0 'llvmpipe (LLVM 15.0.6, 256 bits)'"
  uint32_t queueFamily_ = 0;
  bool timestamps_ = false;
  uint64_t timestampMask_ = 0;

  VkDevice device_ = VK_NULL_HANDLE;
  bool deviceFunctionsLoaded_ = false;
  PFN_vkDestroyDevice vkDestroyDevice = nullptr;
#define CNNC_VK_MEMBER(name) PFN_##name name = nullptr;
  CNNC_VK_DEVICE_FUNCTIONS(CNNC_VK_MEMBER)
#undef CNNC_VK_MEMBER
  VkQueue queue_ = VK_NULL_HANDLE;

  std::vector<Kernel> kernels_;
  std::vector<size_t> inputBytes_, outputBytes_;
  std::vector<Buffer> inputs_, outputs_, constants_;
  Buffer workspace_;
  std::vector<Buffer> inputStaging_, outputStaging_;
  Buffer uploadStaging_; // only while the load uploads the weights
  VkDescriptorPool descriptorPool_ = VK_NULL_HANDLE;
  std::vector<VkDescriptorSet> descriptorSets_; // one per dispatch
  VkCommandPool commandPool_ = VK_NULL_HANDLE;
  VkCommandBuffer runCommands_ = VK_NULL_HANDLE;
  VkCommandBuffer uploadCommands_ = VK_NULL_HANDLE;
  VkQueryPool queryPool_ = VK_NULL_HANDLE; // 2 timestamps per dispatch
  VkFence fence_ = VK_NULL_HANDLE;

  bool lost_ = false;    // the device was lost: no run can succeed
  bool haveRun_ = false; // the last run succeeded: its timestamps are valid
};

Program::~Program() {
  if (device_ == VK_NULL_HANDLE)
    return;
  if (deviceFunctionsLoaded_) {
    // Nothing may be in flight when it is destroyed; a run always waits for
    // its fence, but a failed wait may leave work behind.
    vkDeviceWaitIdle(device_);
    if (fence_ != VK_NULL_HANDLE)
      vkDestroyFence(device_, fence_, nullptr);
    if (queryPool_ != VK_NULL_HANDLE)
      vkDestroyQueryPool(device_, queryPool_, nullptr);
    // Frees the command buffers and the descriptor sets too.
    if (commandPool_ != VK_NULL_HANDLE)
      vkDestroyCommandPool(device_, commandPool_, nullptr);
    if (descriptorPool_ != VK_NULL_HANDLE)
      vkDestroyDescriptorPool(device_, descriptorPool_, nullptr);
    for (Kernel &kernel : kernels_) {
      if (kernel.pipeline != VK_NULL_HANDLE)
        vkDestroyPipeline(device_, kernel.pipeline, nullptr);
      if (kernel.layout != VK_NULL_HANDLE)
        vkDestroyPipelineLayout(device_, kernel.layout, nullptr);
      if (kernel.setLayout != VK_NULL_HANDLE)
        vkDestroyDescriptorSetLayout(device_, kernel.setLayout, nullptr);
      if (kernel.module != VK_NULL_HANDLE)
        vkDestroyShaderModule(device_, kernel.module, nullptr);
    }
    for (std::vector<Buffer> *buffers :
         {&inputs_, &outputs_, &constants_, &inputStaging_, &outputStaging_})
      for (Buffer &buffer : *buffers)
        destroyBuffer(buffer);
    destroyBuffer(workspace_);
    destroyBuffer(uploadStaging_);
  }
  if (vkDestroyDevice != nullptr)
    vkDestroyDevice(device_, nullptr);
}

cnnc_status Program::check(VkResult result, const std::string &what) {
  if (result == VK_SUCCESS)
    return CNNC_OK;
  std::string message = label_ + ": " + what + " failed: " + resultName(result);
  if (result == VK_ERROR_DEVICE_LOST) {
    lost_ = true;
    message += " (the device was lost; free the model and load it again)";
  }
  return fail(CNNC_ERROR_DEVICE, message);
}

cnnc_status Program::init(const std::string &device, int64_t index) {
  std::string error;
  if (!instance_.open(error))
    return fail(CNNC_ERROR_DEVICE, "device " + quoted(device) + ": " + error);
  if (cnnc_status status = selectDevice(device, index))
    return status;
  if (cnnc_status status = checkLimits())
    return status;
  if (cnnc_status status = createDevice())
    return status;
  if (cnnc_status status = createPipelines())
    return status;
  if (cnnc_status status = createBuffers())
    return status;
  if (cnnc_status status = createCommands())
    return status;
  if (cnnc_status status = uploadConstants())
    return status;
  if (cnnc_status status = createDescriptorSets())
    return status;
  return recordRun();
}

cnnc_status Program::selectDevice(const std::string &device, int64_t index) {
  std::string error;
  std::vector<PhysicalDevice> devices;
  if (!instance_.physicalDevices(devices, error))
    return fail(CNNC_ERROR_DEVICE, "device " + quoted(device) + ": " + error);
  if (devices.empty())
    return fail(CNNC_ERROR_DEVICE,
                "device " + quoted(device) +
                    ": no Vulkan device found (the Vulkan loader lists none; "
                    "is a driver installed, e.g. Debian's "
                    "mesa-vulkan-drivers?)");
  if (index >= 0 && static_cast<uint64_t>(index) >= devices.size()) {
    std::string names;
    for (size_t i = 0; i < devices.size(); ++i)
      names += std::string(i ? ", " : "") + "vulkan:" + std::to_string(i) +
               " " + quoted(devices[i].properties.deviceName);
    return fail(
        CNNC_ERROR_INVALID_ARGUMENT,
        "device " + quoted(device) + " does not exist: this machine has " +
            countOf(devices.size(), "Vulkan device") + " (" + names + ")");
  }
  size_t chosen =
      index >= 0 ? static_cast<size_t>(index) : defaultDevice(devices);
  physical_ = devices[chosen].handle;
  properties_ = devices[chosen].properties;
  label_ =
      "vulkan:" + std::to_string(chosen) + " " + quoted(properties_.deviceName);
  instance_.vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);

  // A queue family with compute, preferably one that can time its work.
  uint32_t count = 0;
  instance_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count,
                                                     nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  instance_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count,
                                                     families.data());
  bool found = false;
  for (uint32_t i = 0; i < count; ++i) {
    if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) ||
        families[i].queueCount == 0)
      continue;
    if (!found || (families[queueFamily_].timestampValidBits == 0 &&
                   families[i].timestampValidBits > 0))
      queueFamily_ = i;
    found = true;
  }
  if (!found)
    return fail(CNNC_ERROR_DEVICE,
                label_ + " has no queue family that supports compute");
  uint32_t bits = families[queueFamily_].timestampValidBits;
  timestamps_ = bits > 0 && program_.num_dispatches > 0;
  timestampMask_ = bits >= 64 ? ~0ull : (1ull << bits) - 1;
  return CNNC_OK;
}

/// Everything the program asks of the device that the device may not
/// offer, checked before any device object exists.
cnnc_status Program::checkLimits() {
  const VkPhysicalDeviceLimits &limits = properties_.limits;
  uint32_t maxBindings = std::min(limits.maxPerStageDescriptorStorageBuffers,
                                  limits.maxDescriptorSetStorageBuffers);
  auto triple = [](const uint32_t *values) {
    return "[" + std::to_string(values[0]) + "," + std::to_string(values[1]) +
           "," + std::to_string(values[2]) + "]";
  };
  for (uint32_t k = 0; k < program_.num_kernels; ++k) {
    const cnnc_kernel &kernel = program_.kernels[k];
    std::string label = label_ + " cannot run kernel " + std::to_string(k) +
                        " (" + quoted(kernel.name) + "): ";
    if (kernel.num_bindings > maxBindings)
      return fail(CNNC_ERROR_DEVICE,
                  label + "it binds " + std::to_string(kernel.num_bindings) +
                      " storage buffers, the device allows " +
                      std::to_string(maxBindings));
    uint64_t invocations = 1;
    for (int i = 0; i < 3; ++i) {
      invocations *= kernel.workgroup_size[i];
      if (kernel.workgroup_size[i] > limits.maxComputeWorkGroupSize[i])
        return fail(CNNC_ERROR_DEVICE,
                    label + "its workgroup size " +
                        triple(kernel.workgroup_size) +
                        " exceeds the device's maxComputeWorkGroupSize " +
                        triple(limits.maxComputeWorkGroupSize));
    }
    if (invocations > limits.maxComputeWorkGroupInvocations)
      return fail(CNNC_ERROR_DEVICE,
                  label + "its workgroup of " + std::to_string(invocations) +
                      " invocations exceeds the device's "
                      "maxComputeWorkGroupInvocations (" +
                      std::to_string(limits.maxComputeWorkGroupInvocations) +
                      ")");
  }
  VkDeviceSize alignment =
      std::max<VkDeviceSize>(limits.minStorageBufferOffsetAlignment, 1);
  for (uint32_t d = 0; d < program_.num_dispatches; ++d) {
    const cnnc_dispatch &dispatch = program_.dispatches[d];
    const cnnc_kernel &kernel = program_.kernels[dispatch.kernel];
    std::string label = label_ + " cannot run dispatch " + std::to_string(d) +
                        " (kernel " + quoted(kernel.name) + "): ";
    for (int i = 0; i < 3; ++i)
      if (dispatch.grid[i] > limits.maxComputeWorkGroupCount[i])
        return fail(CNNC_ERROR_DEVICE,
                    label + "its grid " + triple(dispatch.grid) +
                        " exceeds the device's maxComputeWorkGroupCount " +
                        triple(limits.maxComputeWorkGroupCount));
    for (uint32_t j = 0; j < kernel.num_bindings; ++j) {
      const cnnc_binding &binding =
          program_.bindings[dispatch.first_binding + j];
      if (binding.offset % alignment != 0)
        return fail(CNNC_ERROR_DEVICE,
                    label + "its binding " + std::to_string(j) +
                        " (program binding " +
                        std::to_string(dispatch.first_binding + j) +
                        ") starts at byte " + std::to_string(binding.offset) +
                        ", not a multiple of the device's "
                        "minStorageBufferOffsetAlignment (" +
                        std::to_string(alignment) + ")");
    }
  }
  return CNNC_OK;
}

cnnc_status Program::createDevice() {
  // Integer and double widths the generated kernels may use, where offered.
  VkPhysicalDeviceFeatures supported = {};
  instance_.vkGetPhysicalDeviceFeatures(physical_, &supported);
  VkPhysicalDeviceFeatures enabled = {};
  enabled.shaderInt64 = supported.shaderInt64;
  enabled.shaderInt16 = supported.shaderInt16;
  enabled.shaderFloat64 = supported.shaderFloat64;

  float priority = 1.0f;
  VkDeviceQueueCreateInfo queue = {};
  queue.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  queue.queueFamilyIndex = queueFamily_;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  VkDeviceCreateInfo create = {};
  create.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  create.queueCreateInfoCount = 1;
  create.pQueueCreateInfos = &queue;
  create.pEnabledFeatures = &enabled;
  VkDevice device = VK_NULL_HANDLE;
  if (cnnc_status status =
          check(instance_.vkCreateDevice(physical_, &create, nullptr, &device),
                "vkCreateDevice"))
    return status;
  device_ = device;

  // vkDestroyDevice first, so that the destructor can free the device
  // whatever else is missing.
#define CNNC_VK_LOAD(name)                                                     \
  name = reinterpret_cast<PFN_##name>(                                         \
      instance_.vkGetDeviceProcAddr(device_, #name));                          \
  if (name == nullptr)                                                         \
    return fail(CNNC_ERROR_DEVICE,                                             \
                label_ + ": the Vulkan driver does not provide " #name);
  CNNC_VK_LOAD(vkDestroyDevice)
  CNNC_VK_DEVICE_FUNCTIONS(CNNC_VK_LOAD)
#undef CNNC_VK_LOAD
  deviceFunctionsLoaded_ = true;
  vkGetDeviceQueue(device_, queueFamily_, 0, &queue_);
  return CNNC_OK;
}

cnnc_status Program::createPipelines() {
  kernels_.resize(program_.num_kernels);
  std::vector<uint32_t> words;
  for (uint32_t k = 0; k < program_.num_kernels; ++k) {
    const cnnc_kernel &source = program_.kernels[k];
    Kernel &kernel = kernels_[k];
    std::string label =
        "kernel " + std::to_string(k) + " (" + quoted(source.name) + ")";
    // The code may sit at any address in the artifact; Vulkan wants
    // aligned words. (Its size and header were checked at load.)
    words.resize(source.code_bytes / 4);
    std::memcpy(words.data(), source.code, words.size() * 4);

    // A driver that rejects the code (rather than running out of memory)
    // was given a bad artifact.
    auto pipelineFailure = [&](VkResult result, const char *what) {
      bool memory = result == VK_ERROR_OUT_OF_HOST_MEMORY ||
                    result == VK_ERROR_OUT_OF_DEVICE_MEMORY ||
                    result == VK_ERROR_DEVICE_LOST;
      if (memory)
        return check(result, std::string(what) + " for " + label);
      return fail(CNNC_ERROR_LOAD, label_ + " rejects " + label + ": " + what +
                                       " failed: " + resultName(result));
    };

    VkShaderModuleCreateInfo module = {};
    module.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    module.codeSize = words.size() * 4;
    module.pCode = words.data();
    VkShaderModule moduleHandle = VK_NULL_HANDLE;
    VkResult result =
        vkCreateShaderModule(device_, &module, nullptr, &moduleHandle);
    if (result != VK_SUCCESS)
      return pipelineFailure(result, "vkCreateShaderModule");
    kernel.module = moduleHandle;

    std::vector<VkDescriptorSetLayoutBinding> bindings(source.num_bindings);
    for (uint32_t j = 0; j < source.num_bindings; ++j) {
      bindings[j] = {};
      bindings[j].binding = j;
      bindings[j].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      bindings[j].descriptorCount = 1;
      bindings[j].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo setLayout = {};
    setLayout.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    setLayout.bindingCount = source.num_bindings;
    setLayout.pBindings = bindings.data();
    VkDescriptorSetLayout setLayoutHandle = VK_NULL_HANDLE;
    if (cnnc_status status =
            check(vkCreateDescriptorSetLayout(device_, &setLayout, nullptr,
                                              &setLayoutHandle),
                  "vkCreateDescriptorSetLayout for " + label))
      return status;
    kernel.setLayout = setLayoutHandle;

    VkPipelineLayoutCreateInfo layout = {};
    layout.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layout.setLayoutCount = 1;
    layout.pSetLayouts = &kernel.setLayout;
    VkPipelineLayout layoutHandle = VK_NULL_HANDLE;
    if (cnnc_status status = check(
            vkCreatePipelineLayout(device_, &layout, nullptr, &layoutHandle),
            "vkCreatePipelineLayout for " + label))
      return status;
    kernel.layout = layoutHandle;

    VkComputePipelineCreateInfo pipeline = {};
    pipeline.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    pipeline.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    pipeline.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    pipeline.stage.module = kernel.module;
    pipeline.stage.pName = source.name;
    pipeline.layout = kernel.layout;
    VkPipeline pipelineHandle = VK_NULL_HANDLE;
    result = vkCreateComputePipelines(device_, VK_NULL_HANDLE, 1, &pipeline,
                                      nullptr, &pipelineHandle);
    if (result != VK_SUCCESS)
      return pipelineFailure(result, "vkCreateComputePipelines");
    kernel.pipeline = pipelineHandle;
    // The pipeline keeps what it needs of the module.
    vkDestroyShaderModule(device_, kernel.module, nullptr);
    kernel.module = VK_NULL_HANDLE;
  }
  return CNNC_OK;
}

bool Program::findMemoryType(uint32_t typeBits, VkMemoryPropertyFlags required,
                             VkMemoryPropertyFlags preferred,
                             uint32_t &type) const {
  for (VkMemoryPropertyFlags wanted : {required | preferred, required})
    for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i)
      if ((typeBits & (1u << i)) &&
          (memory_.memoryTypes[i].propertyFlags & wanted) == wanted) {
        type = i;
        return true;
      }
  return false;
}

cnnc_status Program::createBuffer(Buffer &buffer, uint64_t bytes,
                                  VkBufferUsageFlags usage,
                                  VkMemoryPropertyFlags required,
                                  VkMemoryPropertyFlags preferred, bool map,
                                  const std::string &what) {
  // Storage buffers hold whole words; an empty tensor still needs a buffer.
  buffer.size = (std::max<uint64_t>(bytes, 4) + 3) / 4 * 4;
  VkBufferCreateInfo create = {};
  create.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  create.size = buffer.size;
  create.usage = usage;
  create.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer handle = VK_NULL_HANDLE;
  if (cnnc_status status = check(
          vkCreateBuffer(device_, &create, nullptr, &handle),
          "creating the " + std::to_string(bytes) + "-byte buffer of " + what))
    return status;
  buffer.buffer = handle;

  VkMemoryRequirements requirements;
  vkGetBufferMemoryRequirements(device_, buffer.buffer, &requirements);
  VkMemoryAllocateInfo allocate = {};
  allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  allocate.allocationSize = requirements.size;
  if (!findMemoryType(requirements.memoryTypeBits, required, preferred,
                      allocate.memoryTypeIndex))
    return fail(CNNC_ERROR_DEVICE,
                label_ + " has no suitable memory type for " + what);
  VkDeviceMemory memory = VK_NULL_HANDLE;
  if (cnnc_status status =
          check(vkAllocateMemory(device_, &allocate, nullptr, &memory),
                "allocating " + std::to_string(requirements.size) +
                    " bytes of device memory for " + what))
    return status;
  buffer.memory = memory;
  if (cnnc_status status =
          check(vkBindBufferMemory(device_, buffer.buffer, buffer.memory, 0),
                "binding the memory of " + what))
    return status;
  if (map) {
    void *mapped = nullptr;
    if (cnnc_status status = check(
            vkMapMemory(device_, buffer.memory, 0, VK_WHOLE_SIZE, 0, &mapped),
            "mapping the memory of " + what))
      return status;
    buffer.mapped = mapped;
  }
  return CNNC_OK;
}

void Program::destroyBuffer(Buffer &buffer) {
  if (buffer.buffer != VK_NULL_HANDLE)
    vkDestroyBuffer(device_, buffer.buffer, nullptr);
  // Freeing mapped memory unmaps it.
  if (buffer.memory != VK_NULL_HANDLE)
    vkFreeMemory(device_, buffer.memory, nullptr);
  buffer = Buffer();
}

cnnc_status Program::createBuffers() {
  const VkBufferUsageFlags deviceUsage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                         VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                         VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  const VkMemoryPropertyFlags local = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                     VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  auto label = [](const char *kind, uint32_t index,
                  const cnnc_tensor_desc &desc) {
    return std::string(kind) + " " + std::to_string(index) + " (" +
           quoted(desc.name) + ")";
  };

  // Each list is sized first so that the destructor sees every buffer made
  // before a failure.
  inputBytes_.resize(info_.num_inputs);
  inputs_.resize(info_.num_inputs);
  inputStaging_.resize(info_.num_inputs);
  for (uint32_t i = 0; i < info_.num_inputs; ++i) {
    const cnnc_tensor_desc &desc = info_.inputs[i];
    // Cannot fail: the description was validated.
    denseByteSize(desc.dtype, desc.shape, desc.rank, inputBytes_[i]);
    std::string what = label("input", i, desc);
    if (cnnc_status status = createBuffer(inputs_[i], inputBytes_[i],
                                          deviceUsage, 0, local, false, what))
      return status;
    if (cnnc_status status = createBuffer(
            inputStaging_[i], inputBytes_[i], VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
            host, 0, true, "the staging buffer of " + what))
      return status;
  }
  outputBytes_.resize(info_.num_outputs);
  outputs_.resize(info_.num_outputs);
  outputStaging_.resize(info_.num_outputs);
  for (uint32_t i = 0; i < info_.num_outputs; ++i) {
    const cnnc_tensor_desc &desc = info_.outputs[i];
    denseByteSize(desc.dtype, desc.shape, desc.rank, outputBytes_[i]);
    std::string what = label("output", i, desc);
    if (cnnc_status status = createBuffer(outputs_[i], outputBytes_[i],
                                          deviceUsage, 0, local, false, what))
      return status;
    // The host reads these: cached memory reads much faster where offered.
    if (cnnc_status status =
            createBuffer(outputStaging_[i], outputBytes_[i],
                         VK_BUFFER_USAGE_TRANSFER_DST_BIT, host,
                         VK_MEMORY_PROPERTY_HOST_CACHED_BIT, true,
                         "the staging buffer of " + what))
      return status;
  }
  constants_.resize(program_.num_constants);
  for (uint32_t c = 0; c < program_.num_constants; ++c)
    if (cnnc_status status = createBuffer(
            constants_[c], program_.constants[c].bytes, deviceUsage, 0, local,
            false, "constant " + std::to_string(c)))
      return status;
  return createBuffer(workspace_, info_.workspace_bytes, deviceUsage, 0, local,
                      false, "the workspace");
}

cnnc_status Program::createCommands() {
  VkCommandPoolCreateInfo pool = {};
  pool.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  // The upload command buffer is recorded once per chunk of weights.
  pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool.queueFamilyIndex = queueFamily_;
  VkCommandPool commandPool = VK_NULL_HANDLE;
  if (cnnc_status status =
          check(vkCreateCommandPool(device_, &pool, nullptr, &commandPool),
                "vkCreateCommandPool"))
    return status;
  commandPool_ = commandPool;
  VkCommandBufferAllocateInfo allocate = {};
  allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  allocate.commandPool = commandPool_;
  allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  allocate.commandBufferCount = 2;
  VkCommandBuffer buffers[2] = {VK_NULL_HANDLE, VK_NULL_HANDLE};
  if (cnnc_status status =
          check(vkAllocateCommandBuffers(device_, &allocate, buffers),
                "vkAllocateCommandBuffers"))
    return status;
  runCommands_ = buffers[0];
  uploadCommands_ = buffers[1];

  VkFenceCreateInfo fence = {};
  fence.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
  VkFence fenceHandle = VK_NULL_HANDLE;
  if (cnnc_status status =
          check(vkCreateFence(device_, &fence, nullptr, &fenceHandle),
                "vkCreateFence"))
    return status;
  fence_ = fenceHandle;

  if (timestamps_) {
    VkQueryPoolCreateInfo queries = {};
    queries.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
    queries.queryType = VK_QUERY_TYPE_TIMESTAMP;
    queries.queryCount = 2 * program_.num_dispatches;
    VkQueryPool queryPool = VK_NULL_HANDLE;
    if (cnnc_status status =
            check(vkCreateQueryPool(device_, &queries, nullptr, &queryPool),
                  "vkCreateQueryPool"))
      return status;
    queryPool_ = queryPool;
  }
  return CNNC_OK;
}

cnnc_status Program::submitAndWait(VkCommandBuffer commands,
                                   const std::string &what) {
  if (cnnc_status status =
          check(vkResetFences(device_, 1, &fence_), what + ": vkResetFences"))
    return status;
  VkSubmitInfo submit = {};
  submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &commands;
  if (cnnc_status status = check(vkQueueSubmit(queue_, 1, &submit, fence_),
                                 what + ": vkQueueSubmit"))
    return status;
  return check(vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX),
               what + ": vkWaitForFences");
}

cnnc_status Program::flushUpload(std::vector<PendingCopy> &pending) {
  if (pending.empty())
    return CNNC_OK;
  VkCommandBufferBeginInfo begin = {};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  if (cnnc_status status = check(vkBeginCommandBuffer(uploadCommands_, &begin),
                                 "recording the weight upload"))
    return status;
  for (const PendingCopy &copy : pending)
    vkCmdCopyBuffer(uploadCommands_, uploadStaging_.buffer, copy.destination, 1,
                    &copy.region);
  // The weights must be visible to every later dispatch on this queue.
  VkMemoryBarrier barrier = {};
  barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
  barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
  vkCmdPipelineBarrier(uploadCommands_, VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0,
                       nullptr, 0, nullptr);
  if (cnnc_status status = check(vkEndCommandBuffer(uploadCommands_),
                                 "recording the weight upload"))
    return status;
  pending.clear();
  return submitAndWait(uploadCommands_, "uploading the weights");
}

cnnc_status Program::uploadConstants() {
  uint64_t total = 0;
  for (uint32_t c = 0; c < program_.num_constants; ++c)
    total += program_.constants[c].bytes;
  if (total == 0)
    return CNNC_OK;
  VkDeviceSize chunk = std::min<uint64_t>(total, kUploadChunkBytes);
  if (cnnc_status status =
          createBuffer(uploadStaging_, chunk, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                           VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                       0, true, "the weight staging buffer"))
    return status;

  // Fill the staging buffer with whole constants or pieces of them, copy,
  // repeat.
  auto *staging = static_cast<unsigned char *>(uploadStaging_.mapped);
  std::vector<PendingCopy> pending;
  VkDeviceSize used = 0;
  for (uint32_t c = 0; c < program_.num_constants; ++c) {
    const cnnc_constant &constant = program_.constants[c];
    auto *data = static_cast<const unsigned char *>(constant.data);
    for (uint64_t done = 0; done < constant.bytes;) {
      if (used == chunk) {
        if (cnnc_status status = flushUpload(pending))
          return status;
        used = 0;
      }
      VkDeviceSize piece =
          std::min<uint64_t>(constant.bytes - done, chunk - used);
      std::memcpy(staging + used, data + done, piece);
      pending.push_back({constants_[c].buffer, {used, done, piece}});
      used += piece;
      done += piece;
    }
  }
  if (cnnc_status status = flushUpload(pending))
    return status;
  destroyBuffer(uploadStaging_);
  return CNNC_OK;
}

Buffer &Program::bufferOf(const cnnc_binding &binding) {
  switch (binding.kind) {
  case CNNC_BUFFER_INPUT:
    return inputs_[binding.index];
  case CNNC_BUFFER_OUTPUT:
    return outputs_[binding.index];
  case CNNC_BUFFER_CONSTANT:
    return constants_[binding.index];
  default: // CNNC_BUFFER_WORKSPACE, validated at load
    return workspace_;
  }
}

cnnc_status Program::createDescriptorSets() {
  uint64_t total = 0;
  for (uint32_t d = 0; d < program_.num_dispatches; ++d)
    total += program_.kernels[program_.dispatches[d].kernel].num_bindings;
  if (program_.num_dispatches == 0)
    return CNNC_OK;

  VkDescriptorPoolSize size = {};
  size.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
  size.descriptorCount = static_cast<uint32_t>(std::max<uint64_t>(total, 1));
  VkDescriptorPoolCreateInfo pool = {};
  pool.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
  pool.maxSets = program_.num_dispatches;
  pool.poolSizeCount = 1;
  pool.pPoolSizes = &size;
  VkDescriptorPool descriptorPool = VK_NULL_HANDLE;
  if (cnnc_status status = check(
          vkCreateDescriptorPool(device_, &pool, nullptr, &descriptorPool),
          "vkCreateDescriptorPool"))
    return status;
  descriptorPool_ = descriptorPool;

  std::vector<VkDescriptorSetLayout> layouts(program_.num_dispatches);
  for (uint32_t d = 0; d < program_.num_dispatches; ++d)
    layouts[d] = kernels_[program_.dispatches[d].kernel].setLayout;
  VkDescriptorSetAllocateInfo allocate = {};
  allocate.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
  allocate.descriptorPool = descriptorPool_;
  allocate.descriptorSetCount = program_.num_dispatches;
  allocate.pSetLayouts = layouts.data();
  descriptorSets_.resize(program_.num_dispatches);
  if (cnnc_status status = check(
          vkAllocateDescriptorSets(device_, &allocate, descriptorSets_.data()),
          "vkAllocateDescriptorSets"))
    return status;

  // Each binding sees the bytes its kernel reaches (`bytes`, or to the end
  // of the buffer when 0: then a range the device cannot address at once
  // is cut to the largest it can). A kernel that reaches more than the
  // device binds cannot run on it.
  VkDeviceSize maxRange = properties_.limits.maxStorageBufferRange;
  std::vector<VkDescriptorBufferInfo> buffers(total);
  std::vector<VkWriteDescriptorSet> writes(total);
  size_t next = 0;
  for (uint32_t d = 0; d < program_.num_dispatches; ++d) {
    const cnnc_dispatch &dispatch = program_.dispatches[d];
    uint32_t count = program_.kernels[dispatch.kernel].num_bindings;
    for (uint32_t j = 0; j < count; ++j, ++next) {
      const cnnc_binding &binding =
          program_.bindings[dispatch.first_binding + j];
      const Buffer &buffer = bufferOf(binding);
      VkDeviceSize range = buffer.size - binding.offset;
      if (binding.bytes > maxRange)
        return fail(CNNC_ERROR_DEVICE,
                    "dispatch " + std::to_string(d) + " binding " +
                        std::to_string(j) + " reaches " +
                        std::to_string(binding.bytes) + " bytes, but " +
                        label_ + " binds at most " +
                        std::to_string(maxRange) +
                        " (maxStorageBufferRange)");
      buffers[next].buffer = buffer.buffer;
      buffers[next].offset = binding.offset;
      buffers[next].range = binding.bytes != 0 ? binding.bytes
                            : range > maxRange ? maxRange
                                               : VK_WHOLE_SIZE;
      writes[next] = {};
      writes[next].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
      writes[next].dstSet = descriptorSets_[d];
      writes[next].dstBinding = j;
      writes[next].descriptorCount = 1;
      writes[next].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[next].pBufferInfo = &buffers[next];
    }
  }
  vkUpdateDescriptorSets(device_, static_cast<uint32_t>(writes.size()),
                         writes.data(), 0, nullptr);
  return CNNC_OK;
}

/// Records the run into runCommands_, once: every run replays it.
cnnc_status Program::recordRun() {
  VkCommandBufferBeginInfo begin = {};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  if (cnnc_status status = check(vkBeginCommandBuffer(runCommands_, &begin),
                                 "recording the run"))
    return status;
  auto barrier = [&](VkPipelineStageFlags srcStages, VkAccessFlags srcAccess,
                     VkPipelineStageFlags dstStages, VkAccessFlags dstAccess) {
    VkMemoryBarrier memory = {};
    memory.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    memory.srcAccessMask = srcAccess;
    memory.dstAccessMask = dstAccess;
    vkCmdPipelineBarrier(runCommands_, srcStages, dstStages, 0, 1, &memory, 0,
                         nullptr, 0, nullptr);
  };
  const VkAccessFlags shaderAccess =
      VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;

  if (timestamps_)
    vkCmdResetQueryPool(runCommands_, queryPool_, 0,
                        2 * program_.num_dispatches);
  // The previous run's kernels are done with the inputs before they are
  // overwritten.
  barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0,
          VK_PIPELINE_STAGE_TRANSFER_BIT, 0);
  for (uint32_t i = 0; i < info_.num_inputs; ++i) {
    if (inputBytes_[i] == 0)
      continue;
    VkBufferCopy region = {0, 0, inputBytes_[i]};
    vkCmdCopyBuffer(runCommands_, inputStaging_[i].buffer, inputs_[i].buffer, 1,
                    &region);
  }
  // The inputs, and everything the previous run's kernels wrote, are
  // visible to this run's kernels.
  barrier(VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
          VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_SHADER_WRITE_BIT,
          VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, shaderAccess);

  for (uint32_t d = 0; d < program_.num_dispatches; ++d) {
    const cnnc_dispatch &dispatch = program_.dispatches[d];
    const Kernel &kernel = kernels_[dispatch.kernel];
    // Each dispatch sees every write of the ones before it.
    if (d > 0)
      barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
              VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, shaderAccess);
    // Bottom-of-pipe timestamps: the first is written once every earlier
    // command has completed, the second once this dispatch has.
    if (timestamps_)
      vkCmdWriteTimestamp(runCommands_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
                          queryPool_, 2 * d);
    vkCmdBindPipeline(runCommands_, VK_PIPELINE_BIND_POINT_COMPUTE,
                      kernel.pipeline);
    vkCmdBindDescriptorSets(runCommands_, VK_PIPELINE_BIND_POINT_COMPUTE,
                            kernel.layout, 0, 1, &descriptorSets_[d], 0,
                            nullptr);
    vkCmdDispatch(runCommands_, dispatch.grid[0], dispatch.grid[1],
                  dispatch.grid[2]);
    if (timestamps_)
      vkCmdWriteTimestamp(runCommands_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
                          queryPool_, 2 * d + 1);
  }

  barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
          VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
  for (uint32_t i = 0; i < info_.num_outputs; ++i) {
    if (outputBytes_[i] == 0)
      continue;
    VkBufferCopy region = {0, 0, outputBytes_[i]};
    vkCmdCopyBuffer(runCommands_, outputs_[i].buffer, outputStaging_[i].buffer,
                    1, &region);
  }
  barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
          VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
  return check(vkEndCommandBuffer(runCommands_), "recording the run");
}

cnnc_status Program::run(void *const *inputs, void *const *outputs) {
  if (lost_)
    return fail(CNNC_ERROR_DEVICE,
                label_ + " was lost during an earlier call; free the model "
                         "and load it again");
  haveRun_ = false;
  for (uint32_t i = 0; i < info_.num_inputs; ++i)
    if (inputBytes_[i] > 0)
      std::memcpy(inputStaging_[i].mapped, inputs[i], inputBytes_[i]);
  if (cnnc_status status = submitAndWait(runCommands_, "running the model"))
    return status;
  for (uint32_t i = 0; i < info_.num_outputs; ++i)
    if (outputBytes_[i] > 0)
      std::memcpy(outputs[i], outputStaging_[i].mapped, outputBytes_[i]);
  haveRun_ = true;
  return CNNC_OK;
}

cnnc_status Program::dispatchTimes(std::vector<double> &milliseconds) {
  milliseconds.clear();
  if (program_.num_dispatches == 0)
    return CNNC_OK;
  if (!timestamps_)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_model_profile: " + label_ +
                    " cannot time its work (its compute queue has no "
                    "timestamp support)");
  if (!haveRun_)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_model_profile: the model has no successful run to "
                "profile; call cnnc_model_run first");
  uint32_t count = 2 * program_.num_dispatches;
  std::vector<uint64_t> stamps(count);
  if (cnnc_status status = check(
          vkGetQueryPoolResults(
              device_, queryPool_, 0, count, stamps.size() * sizeof(uint64_t),
              stamps.data(), sizeof(uint64_t),
              VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
          "reading the timestamps"))
    return status;
  // Timestamps count in units of timestampPeriod nanoseconds and wrap at
  // timestampValidBits.
  double period = properties_.limits.timestampPeriod;
  milliseconds.resize(program_.num_dispatches);
  for (uint32_t d = 0; d < program_.num_dispatches; ++d) {
    uint64_t ticks = (stamps[2 * d + 1] - stamps[2 * d]) & timestampMask_;
    milliseconds[d] = static_cast<double>(ticks) * period * 1e-6;
  }
  return CNNC_OK;
}

} // namespace

cnnc_status
cnnc::rt::vulkan::createProgram(const cnnc_artifact_info &info,
                                const std::string &device, int64_t index,
                                std::unique_ptr<DeviceProgram> &program) {
  auto made = std::make_unique<Program>(info);
  if (cnnc_status status = made->init(device, index))
    return status;
  program = std::move(made);
  return CNNC_OK;
}

void cnnc::rt::vulkan::listDevices(std::string &text) {
  Instance instance;
  std::string error;
  std::vector<PhysicalDevice> devices;
  if (!instance.open(error) || !instance.physicalDevices(devices, error)) {
    text += "# vulkan: " + error + "\n";
    return;
  }
  if (devices.empty()) {
    text += "# vulkan: no Vulkan device found (the Vulkan loader lists "
            "none)\n";
    return;
  }
  size_t chosen = defaultDevice(devices);
  for (size_t i = 0; i < devices.size(); ++i)
    text += "vulkan:" + std::to_string(i) + " " +
            describeDevice(devices[i], i == chosen) + "\n";
}
