//===- CudaDevice.cpp - Device programs on CUDA ---------------------------===//
//
// Loading a model for "cuda" makes its dispatch list ready once:
//
//   the driver (libcuda.so.1, dlopen, cuInit once per process) -> device N
//   -> its compute capability and launch limits checked against every
//   kernel and dispatch -> the device's primary context (retained) -> one
//   module per distinct PTX text (JIT-compiled by the driver) and one
//   function per kernel -> one device allocation per input, output,
//   constant and the workspace, plus pinned host staging buffers for the
//   inputs and outputs -> the constants uploaded -> one stream -> one CUDA
//   graph, captured from that stream and instantiated.
//
// The graph, captured once and launched by every run:
//
//   copy input staging -> device inputs;
//   per dispatch: cuLaunchKernel (parameter i: the device address of
//   binding i, its buffer's base plus its offset);
//   copy device outputs -> output staging.
//
// A run copies the caller's inputs into the staging buffers, launches the
// graph on the stream, waits for the stream and copies the outputs out.
// Everything on one stream runs in order, so each dispatch sees every
// write of the ones before it.
//
// Profiling (cnnc_model_profile) does not touch the graph: the first call
// after a run replays that run's dispatches once, outside the graph, on the
// same inputs (copied again from the staging buffers, which still hold
// them, in case a kernel reused an input buffer), with a CUDA event
// recorded before and after each launch, and reports the time between
// them. Later calls before the next run return the same times. Graph runs
// therefore carry no timing cost; the replay costs one extra execution of
// the kernels per profiled run (and runs with warm caches).
//
// No CUDA header is included: the handful of driver types, constants and
// functions used are declared below, and every function is fetched with
// dlsym from the driver opened with dlopen, so nothing links against
// libcuda and no CUDA toolkit is needed to build the runtime.
//
// Every object belongs to one Program, whose destructor frees whatever was
// created, so a load that fails half-way leaks nothing. The driver's
// context is per thread: every entry point makes the model's context
// current for its own duration (push/pop) and leaves the caller's as it
// was.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/cuda/CudaDevice.h"

#include "runtime/src/Error.h"
#include "runtime/src/TensorFormat.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include <dlfcn.h>

using namespace cnnc::rt;

namespace {

constexpr const char *kDriverName = "libcuda.so.1";

// --- The driver API, as far as the runtime uses it ------------------------
//
// Declared from the driver API's documented ABI: handles are pointers to
// opaque driver structs, device addresses are 64-bit integers, enums are
// passed as int.

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CnncCuContext *;
using CUmodule = struct CnncCuModule *;
using CUfunction = struct CnncCuFunction *;
using CUstream = struct CnncCuStream *;
using CUevent = struct CnncCuEvent *;
using CUgraph = struct CnncCuGraph *;
using CUgraphExec = struct CnncCuGraphExec *;
using CUjit_option = int;

constexpr CUresult kSuccess = 0;
constexpr CUresult kErrorOutOfMemory = 2;
constexpr CUresult kErrorNoBinaryForGpu = 209;
constexpr CUresult kErrorJitCompilerNotFound = 221;
constexpr CUresult kErrorUnsupportedPtxVersion = 222;
constexpr CUresult kErrorNotFound = 500;

// Device attributes (CUdevice_attribute).
constexpr int kAttrMaxThreadsPerBlock = 1;
constexpr int kAttrMaxBlockDimX = 2; // Y, Z follow
constexpr int kAttrMaxGridDimX = 5;  // Y, Z follow
constexpr int kAttrComputeCapabilityMajor = 75;
constexpr int kAttrComputeCapabilityMinor = 76;

// Function attributes (CUfunction_attribute).
constexpr int kFuncAttrMaxThreadsPerBlock = 0;
constexpr int kFuncAttrNumRegs = 4;

// JIT options (CUjit_option).
constexpr CUjit_option kJitErrorLogBuffer = 5;
constexpr CUjit_option kJitErrorLogBufferSizeBytes = 6;

constexpr unsigned kStreamNonBlocking = 1;
constexpr int kCaptureModeThreadLocal = 1; // CUstreamCaptureMode
constexpr unsigned kEventDefault = 0;      // timing enabled

/// Bytes of JIT error log kept when the driver rejects a kernel.
constexpr size_t kJitLogBytes = 16384;
/// Characters of the JIT log quoted in an error message.
constexpr size_t kJitLogQuoted = 2000;

// The functions the runtime uses: member, exported symbol (the versioned
// name where the driver API has several; cuEventElapsedTime keeps its
// original name, which every driver exports), signature. cuInit and the
// error-name functions are fetched first, separately.
#define CNNC_CU_FUNCTIONS(X)                                                   \
  X(cuDriverGetVersion, "cuDriverGetVersion", CUresult(int *))                 \
  X(cuDeviceGetCount, "cuDeviceGetCount", CUresult(int *))                     \
  X(cuDeviceGet, "cuDeviceGet", CUresult(CUdevice *, int))                     \
  X(cuDeviceGetName, "cuDeviceGetName", CUresult(char *, int, CUdevice))       \
  X(cuDeviceGetAttribute, "cuDeviceGetAttribute",                              \
    CUresult(int *, int, CUdevice))                                            \
  X(cuDeviceTotalMem, "cuDeviceTotalMem_v2", CUresult(size_t *, CUdevice))     \
  X(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain",                      \
    CUresult(CUcontext *, CUdevice))                                           \
  X(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2",                 \
    CUresult(CUdevice))                                                        \
  X(cuCtxPushCurrent, "cuCtxPushCurrent_v2", CUresult(CUcontext))              \
  X(cuCtxPopCurrent, "cuCtxPopCurrent_v2", CUresult(CUcontext *))              \
  X(cuCtxSynchronize, "cuCtxSynchronize", CUresult())                          \
  X(cuModuleLoadDataEx, "cuModuleLoadDataEx",                                  \
    CUresult(CUmodule *, const void *, unsigned, CUjit_option *, void **))     \
  X(cuModuleGetFunction, "cuModuleGetFunction",                                \
    CUresult(CUfunction *, CUmodule, const char *))                            \
  X(cuModuleUnload, "cuModuleUnload", CUresult(CUmodule))                      \
  X(cuFuncGetAttribute, "cuFuncGetAttribute",                                  \
    CUresult(int *, int, CUfunction))                                          \
  X(cuMemAlloc, "cuMemAlloc_v2", CUresult(CUdeviceptr *, size_t))              \
  X(cuMemFree, "cuMemFree_v2", CUresult(CUdeviceptr))                          \
  X(cuMemHostAlloc, "cuMemHostAlloc", CUresult(void **, size_t, unsigned))     \
  X(cuMemFreeHost, "cuMemFreeHost", CUresult(void *))                          \
  X(cuMemcpyHtoD, "cuMemcpyHtoD_v2",                                           \
    CUresult(CUdeviceptr, const void *, size_t))                               \
  X(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2",                                 \
    CUresult(CUdeviceptr, const void *, size_t, CUstream))                     \
  X(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2",                                 \
    CUresult(void *, CUdeviceptr, size_t, CUstream))                           \
  X(cuMemsetD8, "cuMemsetD8_v2", CUresult(CUdeviceptr, unsigned char, size_t)) \
  X(cuStreamCreate, "cuStreamCreate", CUresult(CUstream *, unsigned))          \
  X(cuStreamDestroy, "cuStreamDestroy_v2", CUresult(CUstream))                 \
  X(cuStreamSynchronize, "cuStreamSynchronize", CUresult(CUstream))            \
  X(cuStreamBeginCapture, "cuStreamBeginCapture_v2", CUresult(CUstream, int))  \
  X(cuStreamEndCapture, "cuStreamEndCapture", CUresult(CUstream, CUgraph *))   \
  X(cuGraphInstantiate, "cuGraphInstantiateWithFlags",                         \
    CUresult(CUgraphExec *, CUgraph, unsigned long long))                      \
  X(cuGraphLaunch, "cuGraphLaunch", CUresult(CUgraphExec, CUstream))           \
  X(cuGraphExecDestroy, "cuGraphExecDestroy", CUresult(CUgraphExec))           \
  X(cuGraphDestroy, "cuGraphDestroy", CUresult(CUgraph))                       \
  X(cuLaunchKernel, "cuLaunchKernel",                                          \
    CUresult(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned,     \
             unsigned, unsigned, CUstream, void **, void **))                  \
  X(cuEventCreate, "cuEventCreate", CUresult(CUevent *, unsigned))             \
  X(cuEventDestroy, "cuEventDestroy_v2", CUresult(CUevent))                    \
  X(cuEventRecord, "cuEventRecord", CUresult(CUevent, CUstream))               \
  X(cuEventElapsedTime, "cuEventElapsedTime",                                  \
    CUresult(float *, CUevent, CUevent))

std::string quoted(const std::string &text) { return "'" + text + "'"; }

/// Names and meanings of the results the runtime may see, for when the
/// driver cannot describe them itself (the toolkit's stub library answers
/// every call, cuGetErrorName included, with CUDA_ERROR_STUB_LIBRARY).
struct KnownResult {
  CUresult code;
  const char *name;
  const char *meaning;
};
constexpr KnownResult kKnownResults[] = {
    {0, "CUDA_SUCCESS", "no error"},
    {1, "CUDA_ERROR_INVALID_VALUE", "an argument is out of range"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {3, "CUDA_ERROR_NOT_INITIALIZED", "the driver is not initialized"},
    {4, "CUDA_ERROR_DEINITIALIZED", "the driver is shutting down"},
    {34, "CUDA_ERROR_STUB_LIBRARY",
     "libcuda.so.1 is the CUDA toolkit's stub library, not an NVIDIA "
     "driver"},
    {35, "CUDA_ERROR_INSUFFICIENT_DRIVER",
     "the NVIDIA kernel driver is older than libcuda.so.1"},
    {46, "CUDA_ERROR_DEVICE_UNAVAILABLE", "the device is busy or unavailable"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {200, "CUDA_ERROR_INVALID_IMAGE", "the kernel image is invalid"},
    {201, "CUDA_ERROR_INVALID_CONTEXT", "invalid context"},
    {209, "CUDA_ERROR_NO_BINARY_FOR_GPU",
     "no kernel image is available for this device"},
    {218, "CUDA_ERROR_INVALID_PTX", "the PTX JIT compilation failed"},
    {221, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND",
     "the driver has no PTX JIT compiler"},
    {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
     "the PTX ISA version is newer than the driver supports"},
    {304, "CUDA_ERROR_OPERATING_SYSTEM", "an operating system call failed"},
    {400, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {600, "CUDA_ERROR_NOT_READY", "the work is not finished yet"},
    {700, "CUDA_ERROR_ILLEGAL_ADDRESS",
     "a kernel accessed an illegal memory address"},
    {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
     "too many resources requested for launch"},
    {702, "CUDA_ERROR_LAUNCH_TIMEOUT", "a kernel ran too long"},
    {710, "CUDA_ERROR_ASSERT", "a kernel assertion failed"},
    {714, "CUDA_ERROR_HARDWARE_STACK_ERROR", "hardware stack error"},
    {715, "CUDA_ERROR_ILLEGAL_INSTRUCTION",
     "a kernel executed an illegal instruction"},
    {716, "CUDA_ERROR_MISALIGNED_ADDRESS",
     "a kernel accessed a misaligned address"},
    {717, "CUDA_ERROR_INVALID_ADDRESS_SPACE",
     "a kernel used an address in the wrong address space"},
    {718, "CUDA_ERROR_INVALID_PC", "a kernel's program counter went wrong"},
    {719, "CUDA_ERROR_LAUNCH_FAILED", "a kernel failed while running"},
    {801, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH",
     "libcuda.so.1 and the NVIDIA kernel driver do not match"},
    {804, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE",
     "the forward-compatibility driver does not support this device"},
    {900, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
     "operation not permitted while capturing a graph"},
    {901, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED",
     "the graph capture was invalidated by an earlier error"},
    {999, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

const KnownResult *knownResult(CUresult result) {
  for (const KnownResult &known : kKnownResults)
    if (known.code == result)
      return &known;
  return nullptr;
}

/// Results after which the context cannot run anything again: a kernel
/// faulted or the launch machinery failed.
bool isSticky(CUresult result) {
  return result == 700 || result == 702 || result == 710 ||
         (result >= 714 && result <= 719);
}

/// The driver library, its functions and the result of cuInit. Opened and
/// initialized once per process and never closed: drivers leave threads
/// behind that point into it.
class Driver {
public:
  /// The process's driver, or null with `error` set when it cannot be
  /// opened or initialized (every such failure is a CNNC_ERROR_DEVICE).
  static const Driver *get(std::string &error);

  /// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)".
  std::string describe(CUresult result) const;
  /// "12.4" from cuDriverGetVersion.
  std::string versionText() const {
    return std::to_string(version_ / 1000) + "." +
           std::to_string(version_ % 1000 / 10);
  }

  CUresult (*cuInit)(unsigned) = nullptr;
  CUresult (*cuGetErrorName)(CUresult, const char **) = nullptr;
  CUresult (*cuGetErrorString)(CUresult, const char **) = nullptr;
#define CNNC_CU_MEMBER(member, symbol, signature)                              \
  std::add_pointer_t<signature> member = nullptr;
  CNNC_CU_FUNCTIONS(CNNC_CU_MEMBER)
#undef CNNC_CU_MEMBER

private:
  bool open(std::string &error);

  int version_ = 0;
};

const Driver *Driver::get(std::string &error) {
  static std::mutex mutex;
  static const Driver *driver = nullptr; // kept for the life of the process
  static std::string failure;            // why it cannot be had, once known
  std::lock_guard<std::mutex> lock(mutex);
  if (driver != nullptr)
    return driver;
  if (failure.empty()) {
    auto made = std::make_unique<Driver>();
    if (made->open(failure))
      driver = made.release();
  }
  if (driver == nullptr)
    error = failure;
  return driver;
}

bool Driver::open(std::string &error) {
  void *library = dlopen(kDriverName, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char *message = dlerror();
    error = std::string("CUDA is not available: cannot load the NVIDIA "
                        "driver library ") +
            kDriverName + " (" +
            (message ? message : "unknown dynamic loader error") +
            "); install the NVIDIA driver";
    return false;
  }
  auto symbol = [&](const char *name) { return dlsym(library, name); };
  cuInit = reinterpret_cast<CUresult (*)(unsigned)>(symbol("cuInit"));
  cuGetErrorName = reinterpret_cast<CUresult (*)(CUresult, const char **)>(
      symbol("cuGetErrorName"));
  cuGetErrorString = reinterpret_cast<CUresult (*)(CUresult, const char **)>(
      symbol("cuGetErrorString"));
  if (cuInit == nullptr) {
    error = std::string(kDriverName) + " is not a CUDA driver (it does not "
                                       "export cuInit)";
    return false;
  }
#define CNNC_CU_LOAD(member, name, signature)                                  \
  member = reinterpret_cast<std::add_pointer_t<signature>>(symbol(name));      \
  if (member == nullptr) {                                                     \
    error = std::string("the CUDA driver ") + kDriverName +                    \
            " does not provide " name                                          \
            " (cnnc needs a driver for CUDA 11.4 or later)";                   \
    return false;                                                              \
  }
  CNNC_CU_FUNCTIONS(CNNC_CU_LOAD)
#undef CNNC_CU_LOAD

  CUresult result = cuInit(0);
  if (result != kSuccess) {
    error = "CUDA is not available: cuInit failed: " + describe(result);
    return false;
  }
  if (cuDriverGetVersion(&version_) != kSuccess)
    version_ = 0;
  return true;
}

std::string Driver::describe(CUresult result) const {
  const KnownResult *known = knownResult(result);
  const char *name = nullptr;
  const char *meaning = nullptr;
  if (cuGetErrorName == nullptr || cuGetErrorName(result, &name) != kSuccess)
    name = nullptr;
  if (cuGetErrorString == nullptr ||
      cuGetErrorString(result, &meaning) != kSuccess)
    meaning = nullptr;
  if (name == nullptr && known != nullptr)
    name = known->name;
  if (meaning == nullptr && known != nullptr)
    meaning = known->meaning;
  std::string text =
      name != nullptr ? name : "CUresult " + std::to_string(result);
  if (meaning != nullptr && *meaning != '\0')
    text += std::string(" (") + meaning + ")";
  return text;
}

/// Makes a context current on this thread for the life of the object and
/// then restores the thread's previous one.
class ContextScope {
public:
  ContextScope(const Driver &driver, CUcontext context) : driver_(driver) {
    result_ = driver_.cuCtxPushCurrent(context);
  }
  ~ContextScope() {
    if (result_ == kSuccess) {
      CUcontext popped = nullptr;
      driver_.cuCtxPopCurrent(&popped);
    }
  }
  ContextScope(const ContextScope &) = delete;
  ContextScope &operator=(const ContextScope &) = delete;

  CUresult result() const { return result_; }

private:
  const Driver &driver_;
  CUresult result_;
};

// --- Devices ---------------------------------------------------------------

/// What the runtime reads of one device.
struct DeviceInfo {
  CUdevice handle = 0;
  std::string name;
  int major = 0, minor = 0; // compute capability
  size_t memory = 0;        // bytes
  int maxThreadsPerBlock = 0;
  int maxBlock[3] = {0, 0, 0};
  int maxGrid[3] = {0, 0, 0};
};

/// "sm_90".
std::string smName(int major, int minor) {
  return "sm_" + std::to_string(major) + std::to_string(minor);
}

/// "139 GiB", "512 MiB": rounded down.
std::string memoryText(size_t bytes) {
  constexpr size_t kGiB = size_t(1) << 30, kMiB = size_t(1) << 20;
  if (bytes >= kGiB)
    return std::to_string(bytes / kGiB) + " GiB";
  return std::to_string(bytes / kMiB) + " MiB";
}

/// The number of devices, or false with `error` set.
bool countDevices(const Driver &driver, int &count, std::string &error) {
  count = 0;
  CUresult result = driver.cuDeviceGetCount(&count);
  if (result != kSuccess) {
    error = "cannot count the CUDA devices: cuDeviceGetCount failed: " +
            driver.describe(result);
    return false;
  }
  return true;
}

/// Reads device `ordinal`, or returns false with `error` set.
bool queryDevice(const Driver &driver, int ordinal, DeviceInfo &info,
                 std::string &error) {
  std::string label = "cuda:" + std::to_string(ordinal);
  auto failed = [&](const char *what, CUresult result) {
    error = "cannot query " + label + ": " + what +
            " failed: " + driver.describe(result);
    return false;
  };
  CUresult result = driver.cuDeviceGet(&info.handle, ordinal);
  if (result != kSuccess)
    return failed("cuDeviceGet", result);
  char name[256] = {};
  result = driver.cuDeviceGetName(name, sizeof(name) - 1, info.handle);
  if (result != kSuccess)
    return failed("cuDeviceGetName", result);
  info.name = name;
  result = driver.cuDeviceTotalMem(&info.memory, info.handle);
  if (result != kSuccess)
    return failed("cuDeviceTotalMem", result);
  struct Attribute {
    int attribute;
    int *value;
  } attributes[] = {
      {kAttrComputeCapabilityMajor, &info.major},
      {kAttrComputeCapabilityMinor, &info.minor},
      {kAttrMaxThreadsPerBlock, &info.maxThreadsPerBlock},
      {kAttrMaxBlockDimX, &info.maxBlock[0]},
      {kAttrMaxBlockDimX + 1, &info.maxBlock[1]},
      {kAttrMaxBlockDimX + 2, &info.maxBlock[2]},
      {kAttrMaxGridDimX, &info.maxGrid[0]},
      {kAttrMaxGridDimX + 1, &info.maxGrid[1]},
      {kAttrMaxGridDimX + 2, &info.maxGrid[2]},
  };
  for (const Attribute &attribute : attributes) {
    result = driver.cuDeviceGetAttribute(attribute.value, attribute.attribute,
                                         info.handle);
    if (result != kSuccess)
      return failed("cuDeviceGetAttribute", result);
  }
  return true;
}

/// "NVIDIA H200 [sm_90, 139 GiB]".
std::string describeDevice(const DeviceInfo &info) {
  return info.name + " [" + smName(info.major, info.minor) + ", " +
         memoryText(info.memory) + "]";
}

// --- PTX -------------------------------------------------------------------
//
// The runtime reads a few things of each kernel's PTX before the driver
// sees it, so that a malformed artifact is reported as such, before any
// device is touched, and a kernel the device cannot run is reported with
// the architecture it needs rather than as a JIT failure.

/// One kernel entry point of a PTX module.
struct PtxEntry {
  std::string name;
  size_t params = 0;
  long badParam = -1; // the first parameter that is not a 64-bit scalar
};

/// The parts of a PTX module the runtime reads.
struct PtxModule {
  std::string version; // of ".version 7.8": "7.8"; empty without one
  bool hasTarget = false;
  std::string target; // of ".target sm_90a, debug": "sm_90a"
  std::vector<PtxEntry> entries;
};

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         c == '%' || c == '.';
}

/// Splits PTX text into tokens: words (directives, names, instructions,
/// numbers: letters, digits and _ $ % .), quoted strings, and any other
/// character on its own. Comments are dropped.
std::vector<std::string> ptxTokens(const std::string &text) {
  std::vector<std::string> tokens;
  size_t i = 0, n = text.size();
  while (i < n) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      i = text.find('\n', i);
      if (i == std::string::npos)
        i = n;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      i = end == std::string::npos ? n : end + 2;
    } else if (c == '"') {
      size_t end = text.find('"', i + 1);
      end = end == std::string::npos ? n : end + 1;
      tokens.push_back(text.substr(i, end - i));
      i = end;
    } else if (isWordChar(c)) {
      size_t begin = i;
      while (i < n && isWordChar(text[i]))
        ++i;
      tokens.push_back(text.substr(begin, i - begin));
    } else {
      tokens.emplace_back(1, c);
      ++i;
    }
  }
  return tokens;
}

/// Whether the tokens of one kernel parameter declare a 64-bit scalar:
/// `.param [.align N] .u64|.s64|.b64 [.ptr ...] name`, no array.
bool isPointerParam(const std::vector<std::string> &tokens) {
  size_t k = 0;
  if (k >= tokens.size() || tokens[k] != ".param")
    return false;
  ++k;
  if (k < tokens.size() && tokens[k] == ".align")
    k += 2;
  if (k >= tokens.size() ||
      (tokens[k] != ".u64" && tokens[k] != ".s64" && tokens[k] != ".b64"))
    return false;
  return std::find(tokens.begin(), tokens.end(), "[") == tokens.end();
}

PtxModule scanPtx(const std::string &text) {
  PtxModule module;
  std::vector<std::string> t = ptxTokens(text);
  size_t n = t.size();
  for (size_t i = 0; i < n; ++i) {
    if (t[i] == ".version" && i + 1 < n && module.version.empty()) {
      module.version = t[i + 1];
    } else if (t[i] == ".target" && !module.hasTarget) {
      // .target sm_90a[, texmode_independent][, debug]...
      module.hasTarget = true;
      for (size_t j = i + 1; j < n; j += 2) {
        if (module.target.empty() && t[j].rfind("sm_", 0) == 0)
          module.target = t[j];
        if (j + 1 >= n || t[j + 1] != ",")
          break;
      }
    } else if (t[i] == ".entry" && i + 1 < n) {
      PtxEntry entry;
      entry.name = t[i + 1];
      size_t j = i + 2;
      if (j < n && t[j] == "(") {
        // Parameters, separated by commas outside brackets, up to ")".
        std::vector<std::string> param;
        int depth = 0;
        auto finish = [&]() {
          if (param.empty())
            return;
          if (entry.badParam < 0 && !isPointerParam(param))
            entry.badParam = static_cast<long>(entry.params);
          ++entry.params;
          param.clear();
        };
        for (++j; j < n; ++j) {
          if (depth == 0 && (t[j] == "," || t[j] == ")")) {
            finish();
            if (t[j] == ")")
              break;
            continue;
          }
          if (t[j] == "[")
            ++depth;
          else if (t[j] == "]")
            --depth;
          param.push_back(t[j]);
        }
      }
      module.entries.push_back(entry);
      i = j < n ? j : n;
    }
  }
  return module;
}

/// The kernel's code as text without its terminating NUL, or false with
/// `problem` set. code_bytes may count the NUL or not.
bool ptxText(const cnnc_kernel &kernel, std::string &text,
             std::string &problem) {
  text.assign(static_cast<const char *>(kernel.code),
              static_cast<size_t>(kernel.code_bytes));
  if (!text.empty() && text.back() == '\0')
    text.pop_back();
  size_t nul = text.find('\0');
  if (nul != std::string::npos) {
    problem = "is not PTX text: its code has a NUL byte at offset " +
              std::to_string(nul) + " of " + std::to_string(kernel.code_bytes) +
              " (code_bytes may count the terminating NUL, nothing after "
              "it)";
    return false;
  }
  return true;
}

/// The architecture number and suffix of "sm_90a" (90, 'a'), or false.
bool parseSm(const std::string &target, unsigned &number, char &suffix) {
  if (target.rfind("sm_", 0) != 0)
    return false;
  size_t i = 3;
  number = 0;
  while (i < target.size() &&
         std::isdigit(static_cast<unsigned char>(target[i])) && number < 100000)
    number = number * 10 + static_cast<unsigned>(target[i++] - '0');
  if (i == 3)
    return false;
  suffix = '\0';
  if (i < target.size() && (target[i] == 'a' || target[i] == 'f'))
    suffix = target[i++];
  return i == target.size();
}

/// Whether a device of compute capability major.minor runs PTX compiled
/// for `target`: plain sm_XY PTX runs on X.Y and every later capability
/// (the driver JIT-compiles it), sm_XYa only on X.Y, sm_XYf on X.Y and
/// later X.*.
bool deviceRuns(const std::string &target, int major, int minor) {
  unsigned number = 0;
  char suffix = '\0';
  if (!parseSm(target, number, suffix))
    return false;
  int needMajor = static_cast<int>(number / 10);
  int needMinor = static_cast<int>(number % 10);
  if (suffix == 'a')
    return major == needMajor && minor == needMinor;
  if (suffix == 'f')
    return major == needMajor && minor >= needMinor;
  return major > needMajor || (major == needMajor && minor >= needMinor);
}

// --- The program -----------------------------------------------------------

/// One device allocation.
struct DeviceBuffer {
  CUdeviceptr address = 0;
  uint64_t bytes = 0; // as allocated: the bytes asked for, at least 4
};

/// A device program on one CUDA device.
class Program final : public DeviceProgram {
public:
  explicit Program(const cnnc_artifact_info &info)
      : info_(info), program_(*info.program) {}
  ~Program() override;
  Program(const Program &) = delete;
  Program &operator=(const Program &) = delete;

  /// Makes the program ready on device `index` (-1: device 0).
  cnnc_status init(const std::string &device, int64_t index);

  cnnc_status run(void *const *inputs, void *const *outputs) override;
  cnnc_status dispatchTimes(std::vector<double> &milliseconds) override;

private:
  cnnc_status selectDevice(const std::string &device, int64_t index);
  cnnc_status checkLimits();
  cnnc_status loadModules();
  cnnc_status createBuffers();
  cnnc_status uploadConstants();
  cnnc_status createStream();
  cnnc_status recordGraph();

  /// Allocates `bytes` (at least 4) of device memory into `buffer`; `what`
  /// names it in messages ("input 0 ('x')").
  cnnc_status allocate(DeviceBuffer &buffer, uint64_t bytes,
                       const std::string &what);
  /// Allocates `bytes` of pinned host memory into `staging`.
  cnnc_status allocateStaging(void *&staging, size_t bytes,
                              const std::string &what);
  const DeviceBuffer &bufferOf(const cnnc_binding &binding) const;
  /// Queues dispatch `d` on the stream (nothing for an empty grid).
  cnnc_status launch(uint32_t d, const std::string &what);

  /// CNNC_OK for CUDA_SUCCESS, otherwise a CNNC_ERROR_DEVICE naming `what`.
  cnnc_status check(CUresult result, const std::string &what);

  const cnnc_artifact_info &info_;
  const cnnc_device_program &program_;

  const Driver *driver_ = nullptr;
  DeviceInfo device_;
  std::string label_;           // "cuda:0 'NVIDIA H200'"
  CUcontext context_ = nullptr; // the device's primary context, retained

  std::vector<std::string> texts_;    // each kernel's PTX, NUL removed
  std::vector<CUmodule> modules_;     // one per distinct text
  std::vector<CUfunction> functions_; // one per kernel
  std::vector<size_t> inputBytes_, outputBytes_;
  std::vector<DeviceBuffer> inputs_, outputs_, constants_;
  DeviceBuffer workspace_;
  std::vector<void *> inputStaging_, outputStaging_; // pinned; null if empty
  std::vector<std::vector<CUdeviceptr>> arguments_;  // [dispatch][binding]
  CUstream stream_ = nullptr;
  CUgraph graph_ = nullptr;
  CUgraphExec exec_ = nullptr;  // null when a run has nothing to do
  std::vector<CUevent> events_; // 2 per dispatch, for profiling

  bool lost_ = false;      // a kernel faulted: the context is unusable
  bool haveRun_ = false;   // the last run succeeded
  bool haveTimes_ = false; // times_ holds the profile of the last run
  std::vector<double> times_;
};

Program::~Program() {
  if (context_ == nullptr)
    return;
  const Driver &d = *driver_;
  {
    ContextScope scope(d, context_);
    // Nothing may be in flight when it is freed; a run always waits for
    // its stream, but a failed wait may leave work behind. Results are
    // ignored: after a fault every call fails, and the primary context's
    // release frees what is left.
    if (stream_ != nullptr)
      d.cuStreamSynchronize(stream_);
    if (exec_ != nullptr)
      d.cuGraphExecDestroy(exec_);
    if (graph_ != nullptr)
      d.cuGraphDestroy(graph_);
    for (CUevent event : events_)
      if (event != nullptr)
        d.cuEventDestroy(event);
    if (stream_ != nullptr)
      d.cuStreamDestroy(stream_);
    for (CUmodule module : modules_)
      if (module != nullptr)
        d.cuModuleUnload(module);
    for (std::vector<DeviceBuffer> *buffers :
         {&inputs_, &outputs_, &constants_})
      for (DeviceBuffer &buffer : *buffers)
        if (buffer.address != 0)
          d.cuMemFree(buffer.address);
    if (workspace_.address != 0)
      d.cuMemFree(workspace_.address);
    for (std::vector<void *> *staging : {&inputStaging_, &outputStaging_})
      for (void *host : *staging)
        if (host != nullptr)
          d.cuMemFreeHost(host);
  }
  d.cuDevicePrimaryCtxRelease(device_.handle);
}

cnnc_status Program::check(CUresult result, const std::string &what) {
  if (result == kSuccess)
    return CNNC_OK;
  std::string message =
      label_ + ": " + what + " failed: " + driver_->describe(result);
  if (isSticky(result)) {
    lost_ = true;
    message += " (the device's CUDA context cannot run anything after this "
               "error; free every model loaded on it and load them again)";
  }
  return fail(CNNC_ERROR_DEVICE, message);
}

cnnc_status Program::init(const std::string &device, int64_t index) {
  std::string error;
  driver_ = Driver::get(error);
  if (driver_ == nullptr)
    return fail(CNNC_ERROR_DEVICE, "device " + quoted(device) + ": " + error);
  if (cnnc_status status = selectDevice(device, index))
    return status;
  if (cnnc_status status = checkLimits())
    return status;

  CUcontext context = nullptr;
  if (cnnc_status status =
          check(driver_->cuDevicePrimaryCtxRetain(&context, device_.handle),
                "cuDevicePrimaryCtxRetain"))
    return status;
  context_ = context;
  ContextScope scope(*driver_, context_);
  if (cnnc_status status =
          check(scope.result(), "making its CUDA context current"))
    return status;
  if (cnnc_status status = loadModules())
    return status;
  if (cnnc_status status = createBuffers())
    return status;
  if (cnnc_status status = uploadConstants())
    return status;
  if (cnnc_status status = createStream())
    return status;
  return recordGraph();
}

cnnc_status Program::selectDevice(const std::string &device, int64_t index) {
  std::string error;
  int count = 0;
  if (!countDevices(*driver_, count, error))
    return fail(CNNC_ERROR_DEVICE, "device " + quoted(device) + ": " + error);
  if (count <= 0)
    return fail(CNNC_ERROR_DEVICE,
                "device " + quoted(device) +
                    ": no CUDA device found (the driver lists none)");
  if (index >= 0 && index >= count) {
    std::string names;
    for (int i = 0; i < count; ++i) {
      DeviceInfo info;
      std::string ignored;
      names += std::string(i ? ", " : "") + "cuda:" + std::to_string(i);
      if (queryDevice(*driver_, i, info, ignored))
        names += " " + quoted(info.name);
    }
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "device " + quoted(device) +
                    " does not exist: this machine "
                    "has " +
                    countOf(static_cast<size_t>(count), "CUDA device") + " (" +
                    names + ")");
  }
  int chosen = index >= 0 ? static_cast<int>(index) : 0;
  if (!queryDevice(*driver_, chosen, device_, error))
    return fail(CNNC_ERROR_DEVICE, "device " + quoted(device) + ": " + error);
  label_ = "cuda:" + std::to_string(chosen) + " " + quoted(device_.name);
  return CNNC_OK;
}

/// Everything the program asks of the device that the device may not
/// offer, checked before any device object exists.
cnnc_status Program::checkLimits() {
  auto triple = [](const auto *values) {
    return "[" + std::to_string(values[0]) + "," + std::to_string(values[1]) +
           "," + std::to_string(values[2]) + "]";
  };
  std::string sm = smName(device_.major, device_.minor);
  texts_.resize(program_.num_kernels);
  for (uint32_t k = 0; k < program_.num_kernels; ++k) {
    const cnnc_kernel &kernel = program_.kernels[k];
    std::string label = label_ + " cannot run kernel " + std::to_string(k) +
                        " (" + quoted(kernel.name) + "): ";
    std::string problem;
    // Cannot fail: the code was checked at load (checkKernelCode).
    ptxText(kernel, texts_[k], problem);
    std::string target = scanPtx(texts_[k]).target;
    if (!deviceRuns(target, device_.major, device_.minor))
      return fail(CNNC_ERROR_DEVICE,
                  label + "the artifact needs " + target + ", device " +
                      label_ + " is " + sm +
                      " (compile the model for this device's architecture)");
    uint64_t threads = 1;
    for (int i = 0; i < 3; ++i) {
      threads *= kernel.workgroup_size[i];
      if (kernel.workgroup_size[i] > static_cast<uint32_t>(device_.maxBlock[i]))
        return fail(CNNC_ERROR_DEVICE,
                    label + "its workgroup size " +
                        triple(kernel.workgroup_size) +
                        " exceeds the device's maximum block size " +
                        triple(device_.maxBlock));
    }
    if (threads > static_cast<uint64_t>(device_.maxThreadsPerBlock))
      return fail(CNNC_ERROR_DEVICE,
                  label + "its workgroup of " + std::to_string(threads) +
                      " threads exceeds the device's maximum of " +
                      std::to_string(device_.maxThreadsPerBlock) +
                      " threads per block");
  }
  for (uint32_t d = 0; d < program_.num_dispatches; ++d) {
    const cnnc_dispatch &dispatch = program_.dispatches[d];
    for (int i = 0; i < 3; ++i)
      if (dispatch.grid[i] > static_cast<uint32_t>(device_.maxGrid[i]))
        return fail(CNNC_ERROR_DEVICE,
                    label_ + " cannot run dispatch " + std::to_string(d) +
                        " (kernel " +
                        quoted(program_.kernels[dispatch.kernel].name) +
                        "): its grid " + triple(dispatch.grid) +
                        " exceeds the device's maximum grid size " +
                        triple(device_.maxGrid));
  }
  return CNNC_OK;
}

cnnc_status Program::loadModules() {
  // Kernels that share their PTX text (one module with several entries)
  // share one module: each text is JIT-compiled once.
  std::map<std::string, size_t> moduleOfText;
  functions_.resize(program_.num_kernels);
  for (uint32_t k = 0; k < program_.num_kernels; ++k) {
    const cnnc_kernel &kernel = program_.kernels[k];
    std::string label =
        "kernel " + std::to_string(k) + " (" + quoted(kernel.name) + ")";
    auto found = moduleOfText.find(texts_[k]);
    if (found == moduleOfText.end()) {
      std::vector<char> log(kJitLogBytes, '\0');
      CUjit_option options[] = {kJitErrorLogBuffer,
                                kJitErrorLogBufferSizeBytes};
      void *values[] = {
          log.data(),
          reinterpret_cast<void *>(static_cast<uintptr_t>(log.size() - 1))};
      CUmodule module = nullptr;
      CUresult result = driver_->cuModuleLoadDataEx(&module, texts_[k].c_str(),
                                                    2, options, values);
      if (result != kSuccess) {
        if (result == kErrorOutOfMemory)
          return check(result, "JIT-compiling the PTX of " + label);
        log.back() = '\0';
        // One line: the log's lines joined, quoted up to a bound.
        std::string jit(log.data());
        std::replace(jit.begin(), jit.end(), '\n', ' ');
        while (!jit.empty() && jit.back() == ' ')
          jit.pop_back();
        if (jit.size() > kJitLogQuoted)
          jit = jit.substr(0, kJitLogQuoted) + "...";
        std::string message =
            label_ + " rejects " + label +
            ": cuModuleLoadDataEx failed: " + driver_->describe(result);
        if (!jit.empty())
          message += "; JIT log: " + jit;
        if (result == kErrorUnsupportedPtxVersion) {
          std::string version = scanPtx(texts_[k]).version;
          return fail(CNNC_ERROR_DEVICE,
                      message + "; the kernel is PTX ISA " + version +
                          ", newer than this driver (CUDA " +
                          driver_->versionText() +
                          ") supports: update the NVIDIA driver");
        }
        // Not the artifact's fault: the driver cannot compile for or run
        // on this device.
        if (result == kErrorJitCompilerNotFound ||
            result == kErrorNoBinaryForGpu || isSticky(result))
          return check(result, "JIT-compiling the PTX of " + label);
        return fail(CNNC_ERROR_LOAD, message);
      }
      found = moduleOfText.emplace(texts_[k], modules_.size()).first;
      modules_.push_back(module);
    }

    CUfunction function = nullptr;
    CUresult result = driver_->cuModuleGetFunction(
        &function, modules_[found->second], kernel.name);
    if (result == kErrorNotFound)
      return fail(CNNC_ERROR_LOAD, label_ + " rejects " + label +
                                       ": its PTX has no kernel entry " +
                                       quoted(kernel.name));
    if (cnnc_status status = check(result, "cuModuleGetFunction for " + label))
      return status;
    functions_[k] = function;

    // A kernel that needs many registers runs with fewer threads per block
    // than the device allows in general.
    int maxThreads = 0, registers = 0;
    if (cnnc_status status =
            check(driver_->cuFuncGetAttribute(
                      &maxThreads, kFuncAttrMaxThreadsPerBlock, function),
                  "cuFuncGetAttribute for " + label))
      return status;
    driver_->cuFuncGetAttribute(&registers, kFuncAttrNumRegs, function);
    uint64_t threads = uint64_t(kernel.workgroup_size[0]) *
                       kernel.workgroup_size[1] * kernel.workgroup_size[2];
    if (threads > static_cast<uint64_t>(maxThreads))
      return fail(CNNC_ERROR_DEVICE,
                  label_ + " cannot run " + label + ": its workgroup of " +
                      std::to_string(threads) + " threads exceeds the " +
                      std::to_string(maxThreads) +
                      " threads per block the compiled kernel allows (it "
                      "uses " +
                      std::to_string(registers) + " registers per thread)");
  }
  return CNNC_OK;
}

cnnc_status Program::allocate(DeviceBuffer &buffer, uint64_t bytes,
                              const std::string &what) {
  // An empty tensor still gets an address.
  uint64_t size = std::max<uint64_t>(bytes, 4);
  CUdeviceptr address = 0;
  if (cnnc_status status =
          check(driver_->cuMemAlloc(&address, static_cast<size_t>(size)),
                "allocating " + std::to_string(size) +
                    " bytes of device memory for " + what))
    return status;
  buffer.address = address;
  buffer.bytes = size;
  return CNNC_OK;
}

cnnc_status Program::allocateStaging(void *&staging, size_t bytes,
                                     const std::string &what) {
  if (bytes == 0)
    return CNNC_OK;
  void *host = nullptr;
  if (cnnc_status status = check(
          driver_->cuMemHostAlloc(&host, bytes, 0),
          "allocating " + std::to_string(bytes) +
              " bytes of pinned host memory for the staging buffer of " + what))
    return status;
  staging = host;
  return CNNC_OK;
}

cnnc_status Program::createBuffers() {
  auto label = [](const char *kind, uint32_t index,
                  const cnnc_tensor_desc &desc) {
    return std::string(kind) + " " + std::to_string(index) + " (" +
           quoted(desc.name) + ")";
  };
  // Each list is sized first so that the destructor sees every buffer made
  // before a failure.
  inputBytes_.resize(info_.num_inputs);
  inputs_.resize(info_.num_inputs);
  inputStaging_.resize(info_.num_inputs, nullptr);
  for (uint32_t i = 0; i < info_.num_inputs; ++i) {
    const cnnc_tensor_desc &desc = info_.inputs[i];
    // Cannot fail: the description was validated.
    denseByteSize(desc.dtype, desc.shape, desc.rank, inputBytes_[i]);
    std::string what = label("input", i, desc);
    if (cnnc_status status = allocate(inputs_[i], inputBytes_[i], what))
      return status;
    if (cnnc_status status =
            allocateStaging(inputStaging_[i], inputBytes_[i], what))
      return status;
  }
  outputBytes_.resize(info_.num_outputs);
  outputs_.resize(info_.num_outputs);
  outputStaging_.resize(info_.num_outputs, nullptr);
  for (uint32_t i = 0; i < info_.num_outputs; ++i) {
    const cnnc_tensor_desc &desc = info_.outputs[i];
    denseByteSize(desc.dtype, desc.shape, desc.rank, outputBytes_[i]);
    std::string what = label("output", i, desc);
    if (cnnc_status status = allocate(outputs_[i], outputBytes_[i], what))
      return status;
    if (cnnc_status status =
            allocateStaging(outputStaging_[i], outputBytes_[i], what))
      return status;
  }
  constants_.resize(program_.num_constants);
  for (uint32_t c = 0; c < program_.num_constants; ++c)
    if (cnnc_status status =
            allocate(constants_[c], program_.constants[c].bytes,
                     "constant " + std::to_string(c)))
      return status;
  if (cnnc_status status =
          allocate(workspace_, info_.workspace_bytes, "the workspace"))
    return status;
  // Kernels write every element they produce; zeroing the rest keeps a
  // run's results independent of what the memory held before.
  if (cnnc_status status =
          check(driver_->cuMemsetD8(workspace_.address, 0,
                                    static_cast<size_t>(workspace_.bytes)),
                "clearing the workspace"))
    return status;
  for (uint32_t i = 0; i < info_.num_outputs; ++i)
    if (cnnc_status status =
            check(driver_->cuMemsetD8(outputs_[i].address, 0,
                                      static_cast<size_t>(outputs_[i].bytes)),
                  "clearing output " + std::to_string(i)))
      return status;
  return CNNC_OK;
}

cnnc_status Program::uploadConstants() {
  // Straight from the artifact: the driver stages pageable memory itself,
  // in pieces, so the load needs no host copy of the weights.
  for (uint32_t c = 0; c < program_.num_constants; ++c) {
    const cnnc_constant &constant = program_.constants[c];
    if (constant.bytes == 0)
      continue;
    if (cnnc_status status =
            check(driver_->cuMemcpyHtoD(constants_[c].address, constant.data,
                                        static_cast<size_t>(constant.bytes)),
                  "uploading constant " + std::to_string(c) + " (" +
                      std::to_string(constant.bytes) + " bytes)"))
      return status;
  }
  // The clears and the uploads went to the legacy default stream, and an
  // upload from pageable memory may return before its last piece has
  // reached the device; the model's own stream does not wait for either.
  return check(driver_->cuCtxSynchronize(), "waiting for the weight upload");
}

const DeviceBuffer &Program::bufferOf(const cnnc_binding &binding) const {
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

cnnc_status Program::createStream() {
  // Its own stream: the legacy default stream cannot be captured, and a
  // non-blocking one does not wait for other work on the device.
  CUstream stream = nullptr;
  if (cnnc_status status =
          check(driver_->cuStreamCreate(&stream, kStreamNonBlocking),
                "cuStreamCreate"))
    return status;
  stream_ = stream;
  events_.resize(2 * static_cast<size_t>(program_.num_dispatches), nullptr);
  for (CUevent &event : events_) {
    CUevent made = nullptr;
    if (cnnc_status status = check(driver_->cuEventCreate(&made, kEventDefault),
                                   "cuEventCreate"))
      return status;
    event = made;
  }

  // Kernel parameter i of a dispatch: the address of binding i.
  arguments_.resize(program_.num_dispatches);
  for (uint32_t d = 0; d < program_.num_dispatches; ++d) {
    const cnnc_dispatch &dispatch = program_.dispatches[d];
    uint32_t count = program_.kernels[dispatch.kernel].num_bindings;
    arguments_[d].resize(count);
    for (uint32_t j = 0; j < count; ++j) {
      const cnnc_binding &binding =
          program_.bindings[dispatch.first_binding + j];
      arguments_[d][j] = bufferOf(binding).address + binding.offset;
    }
  }
  return CNNC_OK;
}

cnnc_status Program::launch(uint32_t d, const std::string &what) {
  const cnnc_dispatch &dispatch = program_.dispatches[d];
  const cnnc_kernel &kernel = program_.kernels[dispatch.kernel];
  if (dispatch.grid[0] == 0 || dispatch.grid[1] == 0 || dispatch.grid[2] == 0)
    return CNNC_OK; // no workgroups: nothing to run
  // The driver copies the parameter values when the launch is queued (or
  // captured), so they need to live only for the call.
  std::vector<void *> parameters(arguments_[d].size());
  for (size_t j = 0; j < parameters.size(); ++j)
    parameters[j] = &arguments_[d][j];
  return check(driver_->cuLaunchKernel(
                   functions_[dispatch.kernel], dispatch.grid[0],
                   dispatch.grid[1], dispatch.grid[2], kernel.workgroup_size[0],
                   kernel.workgroup_size[1], kernel.workgroup_size[2], 0,
                   stream_, parameters.empty() ? nullptr : parameters.data(),
                   nullptr),
               what + ": cuLaunchKernel for dispatch " + std::to_string(d) +
                   " (kernel " + quoted(kernel.name) + ")");
}

/// Captures the run into graph_ and instantiates it, once: every run
/// launches it.
cnnc_status Program::recordGraph() {
  bool anyWork = false;
  for (size_t bytes : inputBytes_)
    anyWork = anyWork || bytes > 0;
  for (size_t bytes : outputBytes_)
    anyWork = anyWork || bytes > 0;
  anyWork = anyWork || program_.num_dispatches > 0;
  if (!anyWork)
    return CNNC_OK; // a run has nothing to do on the device

  // Thread-local capture: other threads (loading other models) may keep
  // allocating while this one captures.
  if (cnnc_status status =
          check(driver_->cuStreamBeginCapture(stream_, kCaptureModeThreadLocal),
                "cuStreamBeginCapture"))
    return status;
  cnnc_status captured = CNNC_OK;
  for (uint32_t i = 0; i < info_.num_inputs && captured == CNNC_OK; ++i)
    if (inputBytes_[i] > 0)
      captured =
          check(driver_->cuMemcpyHtoDAsync(inputs_[i].address, inputStaging_[i],
                                           inputBytes_[i], stream_),
                "capturing the copy of input " + std::to_string(i));
  for (uint32_t d = 0; d < program_.num_dispatches && captured == CNNC_OK; ++d)
    captured = launch(d, "capturing the run");
  for (uint32_t i = 0; i < info_.num_outputs && captured == CNNC_OK; ++i)
    if (outputBytes_[i] > 0)
      captured = check(driver_->cuMemcpyDtoHAsync(outputStaging_[i],
                                                  outputs_[i].address,
                                                  outputBytes_[i], stream_),
                       "capturing the copy of output " + std::to_string(i));
  // The capture is ended whatever happened, so that the stream leaves
  // capture mode; the destructor frees a graph it returns.
  CUgraph graph = nullptr;
  CUresult ended = driver_->cuStreamEndCapture(stream_, &graph);
  graph_ = graph;
  if (captured != CNNC_OK)
    return captured;
  if (cnnc_status status = check(ended, "cuStreamEndCapture"))
    return status;

  CUgraphExec exec = nullptr;
  if (cnnc_status status = check(driver_->cuGraphInstantiate(&exec, graph_, 0),
                                 "cuGraphInstantiateWithFlags"))
    return status;
  exec_ = exec;
  return CNNC_OK;
}

cnnc_status Program::run(void *const *inputs, void *const *outputs) {
  if (lost_)
    return fail(CNNC_ERROR_DEVICE,
                label_ + " failed during an earlier call (its CUDA context "
                         "cannot run anything); free the model and load it "
                         "again");
  haveRun_ = false;
  haveTimes_ = false;
  for (uint32_t i = 0; i < info_.num_inputs; ++i)
    if (inputBytes_[i] > 0)
      std::memcpy(inputStaging_[i], inputs[i], inputBytes_[i]);
  if (exec_ != nullptr) {
    ContextScope scope(*driver_, context_);
    if (cnnc_status status =
            check(scope.result(), "making its CUDA context current"))
      return status;
    if (cnnc_status status = check(driver_->cuGraphLaunch(exec_, stream_),
                                   "running the model: cuGraphLaunch"))
      return status;
    if (cnnc_status status = check(driver_->cuStreamSynchronize(stream_),
                                   "running the model: cuStreamSynchronize"))
      return status;
  }
  for (uint32_t i = 0; i < info_.num_outputs; ++i)
    if (outputBytes_[i] > 0)
      std::memcpy(outputs[i], outputStaging_[i], outputBytes_[i]);
  haveRun_ = true;
  return CNNC_OK;
}

cnnc_status Program::dispatchTimes(std::vector<double> &milliseconds) {
  milliseconds.clear();
  if (program_.num_dispatches == 0)
    return CNNC_OK;
  if (!haveRun_)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_model_profile: the model has no successful run to "
                "profile; call cnnc_model_run first");
  if (!haveTimes_) {
    // Replays the last run's dispatches on its inputs, which the staging
    // buffers still hold, with an event on each side of every launch.
    ContextScope scope(*driver_, context_);
    if (cnnc_status status =
            check(scope.result(), "making its CUDA context current"))
      return status;
    const std::string what = "profiling the last run";
    cnnc_status queued = CNNC_OK;
    for (uint32_t i = 0; i < info_.num_inputs && queued == CNNC_OK; ++i)
      if (inputBytes_[i] > 0)
        queued = check(driver_->cuMemcpyHtoDAsync(inputs_[i].address,
                                                  inputStaging_[i],
                                                  inputBytes_[i], stream_),
                       what + ": copying input " + std::to_string(i));
    for (uint32_t d = 0; d < program_.num_dispatches && queued == CNNC_OK;
         ++d) {
      queued = check(driver_->cuEventRecord(events_[2 * d], stream_),
                     what + ": cuEventRecord");
      if (queued == CNNC_OK)
        queued = launch(d, what);
      if (queued == CNNC_OK)
        queued = check(driver_->cuEventRecord(events_[2 * d + 1], stream_),
                       what + ": cuEventRecord");
    }
    // Whatever was queued finishes before the events are read or the
    // buffers are used again.
    CUresult finished = driver_->cuStreamSynchronize(stream_);
    if (queued != CNNC_OK)
      return queued;
    if (cnnc_status status = check(finished, what + ": cuStreamSynchronize"))
      return status;
    times_.assign(program_.num_dispatches, 0.0);
    for (uint32_t d = 0; d < program_.num_dispatches; ++d) {
      float elapsed = 0;
      if (cnnc_status status =
              check(driver_->cuEventElapsedTime(&elapsed, events_[2 * d],
                                                events_[2 * d + 1]),
                    "reading the time of dispatch " + std::to_string(d) +
                        ": cuEventElapsedTime"))
        return status;
      times_[d] = elapsed;
    }
    haveTimes_ = true;
  }
  milliseconds = times_;
  return CNNC_OK;
}

} // namespace

bool cnnc::rt::cuda::checkKernelCode(const cnnc_kernel &kernel,
                                     std::string &problem) {
  std::string text;
  if (!ptxText(kernel, text, problem))
    return false;
  PtxModule module = scanPtx(text);
  if (module.version.empty()) {
    problem = "is not PTX text (it has no .version directive)";
    return false;
  }
  if (!module.hasTarget) {
    problem = "has no .target directive in its PTX";
    return false;
  }
  unsigned number = 0;
  char suffix = '\0';
  if (!parseSm(module.target, number, suffix)) {
    problem = "has a PTX .target that names no sm_NN architecture" +
              (module.target.empty() ? std::string()
                                     : " (" + quoted(module.target) + ")");
    return false;
  }
  const PtxEntry *entry = nullptr;
  std::string names;
  for (const PtxEntry &candidate : module.entries) {
    if (candidate.name == kernel.name && entry == nullptr)
      entry = &candidate;
    names += (names.empty() ? "" : ", ") + quoted(candidate.name);
  }
  if (entry == nullptr) {
    problem = "names an entry point its PTX does not define (" +
              (names.empty() ? std::string("it defines no .entry")
                             : "it defines " + names) +
              ")";
    return false;
  }
  if (entry->params != kernel.num_bindings) {
    problem = "has " + countOf(kernel.num_bindings, "binding") +
              " but its PTX entry takes " +
              countOf(entry->params, "parameter") +
              " (one 64-bit pointer per binding)";
    return false;
  }
  if (entry->badParam >= 0) {
    problem = "has a PTX entry whose parameter " +
              std::to_string(entry->badParam) +
              " is not a 64-bit pointer (.u64, .s64 or .b64)";
    return false;
  }
  return true;
}

cnnc_status
cnnc::rt::cuda::createProgram(const cnnc_artifact_info &info,
                              const std::string &device, int64_t index,
                              std::unique_ptr<DeviceProgram> &program) {
  auto made = std::make_unique<Program>(info);
  if (cnnc_status status = made->init(device, index))
    return status;
  program = std::move(made);
  return CNNC_OK;
}

void cnnc::rt::cuda::listDevices(std::string &text) {
  std::string error;
  const Driver *driver = Driver::get(error);
  int count = 0;
  if (driver == nullptr || !countDevices(*driver, count, error)) {
    text += "# cuda: " + error + "\n";
    return;
  }
  if (count <= 0) {
    text += "# cuda: no CUDA device found (the driver lists none)\n";
    return;
  }
  for (int i = 0; i < count; ++i) {
    DeviceInfo info;
    if (!queryDevice(*driver, i, info, error))
      text += "# cuda: " + error + "\n";
    else
      text += "cuda:" + std::to_string(i) + " " + describeDevice(info) + "\n";
  }
}
