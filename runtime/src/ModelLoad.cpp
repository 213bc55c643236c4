//===- ModelLoad.cpp - cnnc_model_load / cnnc_model_free ------------------===//
//
// Opens an artifact with dlopen and checks, in this order, that it is a cnnc
// artifact, that it speaks this runtime's ABI version, that it was compiled
// for the requested kind of device and that the tensor descriptions (and for
// a GPU target the device program) it publishes are well formed. Nothing in
// the artifact is called before its ABI version has been checked, and no
// device is touched before the whole artifact has been checked.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Device.h"
#include "runtime/src/Error.h"
#include "runtime/src/Export.h"
#include "runtime/src/Model.h"
#include "runtime/src/TensorFormat.h"
#include "runtime/src/cuda/CudaDevice.h"

#if CNNC_HAVE_VULKAN
#include "runtime/src/vulkan/VulkanDevice.h"
#endif

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <dlfcn.h>
#include <sys/stat.h>

using namespace cnnc::rt;

namespace {

struct DlCloser {
  void operator()(void *handle) const { dlclose(handle); }
};
using LibraryHandle = std::unique_ptr<void, DlCloser>;

std::string quoted(const std::string &text) { return "'" + text + "'"; }

/// The first word of every SPIR-V module, and the size of its header.
constexpr uint32_t kSpirvMagic = 0x07230203u;
constexpr uint64_t kSpirvHeaderBytes = 5 * 4;

/// What every binding offset is a multiple of (see cnnc_binding).
constexpr uint64_t kBindingAlignment = 256;

/// Checks that `path` names an existing regular file, so that a missing
/// file is reported as such rather than as whatever dlopen makes of it.
cnnc_status checkFile(const std::string &path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    int error = errno;
    cnnc_status status = (error == ENOENT || error == ENOTDIR)
                             ? CNNC_ERROR_NOT_FOUND
                             : CNNC_ERROR_LOAD;
    return fail(status, "cannot open artifact " + quoted(path) + ": " +
                            std::strerror(error));
  }
  if (!S_ISREG(st.st_mode))
    return fail(CNNC_ERROR_LOAD, "cannot load artifact " + quoted(path) +
                                     ": not a regular file");
  return CNNC_OK;
}

std::string lastDlError() {
  const char *message = dlerror();
  return message ? message : "unknown dynamic loader error";
}

/// Looks up `name`; dlsym's result alone cannot tell a missing symbol from
/// one whose value is null, so dlerror is cleared and consulted.
void *findSymbol(void *handle, const char *name) {
  dlerror();
  void *symbol = dlsym(handle, name);
  if (dlerror() != nullptr)
    return nullptr;
  return symbol;
}

/// Checks one input or output description published by the artifact.
cnnc_status checkDesc(const std::string &path, const char *kind, uint32_t index,
                      const cnnc_tensor_desc &desc) {
  std::string where = "artifact " + quoted(path) + " has a malformed " + kind +
                      " " + std::to_string(index);
  if (desc.name == nullptr)
    return fail(CNNC_ERROR_LOAD, where + ": no name");
  where += " (" + quoted(desc.name) + "): ";
  if (dtypeName(desc.dtype) == nullptr)
    return fail(CNNC_ERROR_LOAD, where + describeDtype(desc.dtype));
  if (desc.rank < 0 || desc.rank > kMaxRank)
    return fail(CNNC_ERROR_LOAD, where + "rank " + std::to_string(desc.rank) +
                                     " (expected 0 to " +
                                     std::to_string(kMaxRank) + ")");
  if (desc.rank > 0 && desc.shape == nullptr)
    return fail(CNNC_ERROR_LOAD, where + "null shape");
  size_t bytes = 0;
  if (!denseByteSize(desc.dtype, desc.shape, desc.rank, bytes))
    return fail(CNNC_ERROR_LOAD, where + "invalid shape " +
                                     formatShape(desc.shape, desc.rank) +
                                     " (negative extent or size overflow)");
  return CNNC_OK;
}

cnnc_status checkInfo(const std::string &path, uint32_t abiVersion,
                      const cnnc_artifact_info *info, const std::string &device,
                      const DeviceSpec &spec) {
  std::string artifact = "artifact " + quoted(path);
  if (info == nullptr)
    return fail(CNNC_ERROR_LOAD,
                artifact + ": cnnc_artifact_get_info returned null");
  if (info->abi_version != abiVersion)
    return fail(CNNC_ERROR_ABI_VERSION,
                artifact + " is inconsistent: its info reports ABI version " +
                    std::to_string(info->abi_version) +
                    " but cnnc_artifact_abi_version() returns " +
                    std::to_string(abiVersion));
  if (info->target == nullptr)
    return fail(CNNC_ERROR_LOAD, artifact + " does not name its target");
  if (std::strcmp(info->target, targetOf(spec.kind)) != 0)
    return fail(CNNC_ERROR_TARGET, artifact + " was compiled for target " +
                                       quoted(info->target) + ", but device " +
                                       quoted(device) + " was requested");
  if (info->num_inputs > 0 && info->inputs == nullptr)
    return fail(CNNC_ERROR_LOAD, artifact + " declares " +
                                     countOf(info->num_inputs, "input") +
                                     " but no input descriptions");
  if (info->num_outputs > 0 && info->outputs == nullptr)
    return fail(CNNC_ERROR_LOAD, artifact + " declares " +
                                     countOf(info->num_outputs, "output") +
                                     " but no output descriptions");
  for (uint32_t i = 0; i < info->num_inputs; ++i)
    if (cnnc_status status = checkDesc(path, "input", i, info->inputs[i]))
      return status;
  for (uint32_t i = 0; i < info->num_outputs; ++i)
    if (cnnc_status status = checkDesc(path, "output", i, info->outputs[i]))
      return status;
  return CNNC_OK;
}

/// Size in bytes of the buffer a binding names, or false if it names none.
bool bufferBytes(const cnnc_artifact_info &info, const cnnc_binding &binding,
                 uint64_t &bytes) {
  const cnnc_device_program &program = *info.program;
  size_t tensorBytes = 0;
  switch (binding.kind) {
  case CNNC_BUFFER_INPUT:
    if (binding.index >= info.num_inputs)
      return false;
    denseByteSize(info.inputs[binding.index].dtype,
                  info.inputs[binding.index].shape,
                  info.inputs[binding.index].rank, tensorBytes);
    bytes = tensorBytes;
    return true;
  case CNNC_BUFFER_OUTPUT:
    if (binding.index >= info.num_outputs)
      return false;
    denseByteSize(info.outputs[binding.index].dtype,
                  info.outputs[binding.index].shape,
                  info.outputs[binding.index].rank, tensorBytes);
    bytes = tensorBytes;
    return true;
  case CNNC_BUFFER_CONSTANT:
    if (binding.index >= program.num_constants)
      return false;
    bytes = program.constants[binding.index].bytes;
    return true;
  case CNNC_BUFFER_WORKSPACE:
    if (binding.index != 0)
      return false;
    bytes = info.workspace_bytes;
    return true;
  default:
    return false;
  }
}

/// "input 0", "constant 3", "the workspace", "buffer kind 9".
std::string describeBuffer(const cnnc_binding &binding) {
  std::string index = std::to_string(binding.index);
  switch (binding.kind) {
  case CNNC_BUFFER_INPUT:
    return "input " + index;
  case CNNC_BUFFER_OUTPUT:
    return "output " + index;
  case CNNC_BUFFER_CONSTANT:
    return "constant " + index;
  case CNNC_BUFFER_WORKSPACE:
    return binding.index == 0 ? "the workspace" : "workspace " + index;
  default:
    return "buffer kind " + std::to_string(binding.kind);
  }
}

/// Checks the device program of a GPU artifact: every array it declares is
/// present, every index points inside its array, every dispatch's bindings
/// lie inside the binding list and every binding starts inside its buffer.
/// The device's own limits are checked when the program is made ready on it.
cnnc_status checkProgram(const std::string &path,
                         const cnnc_artifact_info &info, DeviceKind kind) {
  std::string artifact = "artifact " + quoted(path);
  if (info.program == nullptr)
    return fail(CNNC_ERROR_LOAD, artifact + " targets " + quoted(info.target) +
                                     " but carries no device program");
  const cnnc_device_program &program = *info.program;
  std::string where = artifact + " has a malformed device program: ";
  struct Array {
    uint32_t count;
    const void *data;
    const char *noun;
  } arrays[] = {{program.num_kernels, program.kernels, "kernel"},
                {program.num_dispatches, program.dispatches, "dispatch"},
                {program.num_bindings, program.bindings, "binding"},
                {program.num_constants, program.constants, "constant"}};
  for (const Array &array : arrays)
    if (array.count > 0 && array.data == nullptr)
      return fail(CNNC_ERROR_LOAD,
                  where + "it declares " + std::to_string(array.count) + " " +
                      array.noun + " entries but no " + array.noun + " list");

  for (uint32_t k = 0; k < program.num_kernels; ++k) {
    const cnnc_kernel &kernel = program.kernels[k];
    std::string label = where + "kernel " + std::to_string(k);
    if (kernel.name == nullptr || *kernel.name == '\0')
      return fail(CNNC_ERROR_LOAD, label + " has no entry point name");
    label += " (" + quoted(kernel.name) + ") ";
    if (kernel.code == nullptr || kernel.code_bytes == 0)
      return fail(CNNC_ERROR_LOAD, label + "has no code");
    if (kind == DeviceKind::Vulkan) {
      if (kernel.code_bytes % 4 != 0)
        return fail(CNNC_ERROR_LOAD,
                    label + "has " + std::to_string(kernel.code_bytes) +
                        " bytes of SPIR-V, not a whole number of 4-byte "
                        "words");
      // The code may sit at any address in the artifact.
      uint32_t magic = 0;
      std::memcpy(&magic, kernel.code, sizeof(magic));
      if (kernel.code_bytes < kSpirvHeaderBytes || magic != kSpirvMagic)
        return fail(CNNC_ERROR_LOAD,
                    label + "is not SPIR-V (it does not start with a SPIR-V "
                            "header)");
    }
    if (kind == DeviceKind::Cuda) {
      std::string problem;
      if (!cuda::checkKernelCode(kernel, problem))
        return fail(CNNC_ERROR_LOAD, label + problem);
    }
    for (uint32_t extent : kernel.workgroup_size)
      if (extent == 0)
        return fail(CNNC_ERROR_LOAD, label + "has an empty workgroup");
  }

  for (uint32_t d = 0; d < program.num_dispatches; ++d) {
    const cnnc_dispatch &dispatch = program.dispatches[d];
    std::string label = where + "dispatch " + std::to_string(d) + " ";
    if (dispatch.kernel >= program.num_kernels)
      return fail(CNNC_ERROR_LOAD, label + "uses kernel " +
                                       std::to_string(dispatch.kernel) +
                                       " but the program has " +
                                       countOf(program.num_kernels, "kernel"));
    uint64_t end = static_cast<uint64_t>(dispatch.first_binding) +
                   program.kernels[dispatch.kernel].num_bindings;
    if (end > program.num_bindings)
      return fail(CNNC_ERROR_LOAD,
                  label + "uses bindings " +
                      std::to_string(dispatch.first_binding) + " to " +
                      std::to_string(end) +
                      " (exclusive) but the program has " +
                      countOf(program.num_bindings, "binding"));
  }

  for (uint32_t c = 0; c < program.num_constants; ++c)
    if (program.constants[c].bytes > 0 && program.constants[c].data == nullptr)
      return fail(CNNC_ERROR_LOAD,
                  where + "constant " + std::to_string(c) + " has " +
                      std::to_string(program.constants[c].bytes) +
                      " bytes but no data");

  for (uint32_t b = 0; b < program.num_bindings; ++b) {
    const cnnc_binding &binding = program.bindings[b];
    std::string label = where + "binding " + std::to_string(b) + " ";
    uint64_t bytes = 0;
    if (!bufferBytes(info, binding, bytes))
      return fail(CNNC_ERROR_LOAD,
                  label + "names " + describeBuffer(binding) +
                      ", which does not exist (the model has " +
                      countOf(info.num_inputs, "input") + ", " +
                      countOf(info.num_outputs, "output") + ", " +
                      countOf(program.num_constants, "constant") +
                      " and one workspace, index 0)");
    // A binding reaches `bytes` bytes (0: to the end of its buffer) from its
    // offset, so it must start inside the buffer (at 0 for an empty one)
    // and end inside it.
    if (binding.bytes != 0 &&
        (binding.offset > bytes || binding.bytes > bytes - binding.offset))
      return fail(CNNC_ERROR_LOAD,
                  label + "reaches " + std::to_string(binding.bytes) +
                      " bytes from byte " + std::to_string(binding.offset) +
                      " of " + describeBuffer(binding) + ", which has " +
                      std::to_string(bytes) + " bytes");
    if (binding.offset != 0 && binding.offset >= bytes)
      return fail(CNNC_ERROR_LOAD,
                  label + "starts at byte " + std::to_string(binding.offset) +
                      " of " + describeBuffer(binding) + ", which has " +
                      std::to_string(bytes) + " bytes");
    // A CUDA kernel sees a binding as a plain pointer: the ABI's alignment
    // is all that keeps its loads aligned. (A Vulkan device states its own
    // alignment, checked when the program is made ready on it.)
    if (kind == DeviceKind::Cuda && binding.offset % kBindingAlignment != 0)
      return fail(CNNC_ERROR_LOAD, label + "starts at byte " +
                                       std::to_string(binding.offset) + " of " +
                                       describeBuffer(binding) +
                                       ", not a multiple of " +
                                       std::to_string(kBindingAlignment) +
                                       " as the artifact ABI requires");
  }
  return CNNC_OK;
}

cnnc_status loadModel(const char *pathArg, const char *deviceArg,
                      cnnc_model **outModel) {
  if (outModel == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_model_load: out_model is null");
  *outModel = nullptr;
  if (pathArg == nullptr || *pathArg == '\0')
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_model_load: the artifact path is null or empty");
  if (deviceArg == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_model_load: the device is null");
  std::string path = pathArg;
  std::string device = deviceArg;
  DeviceSpec spec;
  if (cnnc_status status = parseDevice(device, spec))
    return status;
  if (cnnc_status status = checkFile(path))
    return status;

  // A name without a slash would make dlopen search the library path; the
  // caller means the file in the current directory.
  std::string dlPath = path.find('/') == std::string::npos ? "./" + path : path;
  LibraryHandle handle(dlopen(dlPath.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!handle)
    return fail(CNNC_ERROR_LOAD,
                "cannot load artifact " + quoted(path) + ": " + lastDlError());

  auto *abiVersionFn = reinterpret_cast<uint32_t (*)(void)>(
      findSymbol(handle.get(), "cnnc_artifact_abi_version"));
  if (abiVersionFn == nullptr)
    return fail(CNNC_ERROR_LOAD,
                quoted(path) + " is not a cnnc artifact (it does not export "
                               "cnnc_artifact_abi_version)");
  uint32_t abiVersion = abiVersionFn();
  if (abiVersion != CNNC_ARTIFACT_ABI_VERSION)
    return fail(CNNC_ERROR_ABI_VERSION,
                "artifact " + quoted(path) + " uses artifact ABI version " +
                    std::to_string(abiVersion) +
                    ", but this runtime supports version " +
                    std::to_string(CNNC_ARTIFACT_ABI_VERSION) +
                    "; recompile the model with a matching cnnc");

  auto *getInfoFn = reinterpret_cast<const cnnc_artifact_info *(*)(void)>(
      findSymbol(handle.get(), "cnnc_artifact_get_info"));
  if (getInfoFn == nullptr)
    return fail(CNNC_ERROR_LOAD, "artifact " + quoted(path) +
                                     " is incomplete: it does not export "
                                     "cnnc_artifact_get_info");

  const cnnc_artifact_info *info = getInfoFn();
  if (cnnc_status status = checkInfo(path, abiVersion, info, device, spec))
    return status;

  auto model = std::make_unique<cnnc_model>();
  model->info = info;
  model->path = path;
  model->kind = spec.kind;
  if (spec.kind == DeviceKind::Cpu) {
    // Only CPU artifacts carry host code; GPU artifacts describe their work
    // in info->program.
    model->run = reinterpret_cast<cnnc_artifact_run_fn>(
        findSymbol(handle.get(), "cnnc_artifact_run"));
    if (model->run == nullptr)
      return fail(CNNC_ERROR_LOAD, "artifact " + quoted(path) +
                                       " is incomplete: it does not export "
                                       "cnnc_artifact_run");
    model->workspaces = std::make_unique<WorkspacePool>(
        static_cast<size_t>(info->workspace_bytes));
  } else {
    if (cnnc_status status = checkProgram(path, *info, spec.kind))
      return status;
    if (spec.kind == DeviceKind::Cuda) {
      if (cnnc_status status =
              cuda::createProgram(*info, device, spec.index, model->program))
        return status;
    } else {
#if CNNC_HAVE_VULKAN
      if (cnnc_status status =
              vulkan::createProgram(*info, device, spec.index, model->program))
        return status;
#else
      // Not reached: parseDevice refuses "vulkan" in this build.
      return fail(CNNC_ERROR_INVALID_ARGUMENT, "device " + quoted(device) +
                                                   " is not supported by "
                                                   "this runtime build");
#endif
    }
  }
  model->handle = handle.release();
  *outModel = model.release();
  return CNNC_OK;
}

} // namespace

CNNC_RUNTIME_API cnnc_status cnnc_model_load(const char *path,
                                             const char *device,
                                             cnnc_model **out_model) {
  return guarded(CNNC_ERROR_LOAD,
                 [&] { return loadModel(path, device, out_model); });
}

CNNC_RUNTIME_API void cnnc_model_free(cnnc_model *model) {
  if (model == nullptr)
    return;
  // The program refers to the artifact's kernel names: free it first.
  model->program.reset();
  if (model->handle != nullptr)
    dlclose(model->handle);
  delete model;
}
