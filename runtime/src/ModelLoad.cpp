//===- ModelLoad.cpp - cnnc_model_load / cnnc_model_free ------------------===//
//
// Opens an artifact with dlopen and checks, in this order, that it is a cnnc
// artifact, that it speaks this runtime's ABI version, that it was compiled
// for the requested device and that the tensor descriptions it publishes are
// well formed. Nothing in the artifact is called before its ABI version has
// been checked.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Error.h"
#include "runtime/src/Export.h"
#include "runtime/src/Model.h"
#include "runtime/src/TensorFormat.h"

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

/// Checks that `device` names a device this runtime build can run on.
cnnc_status checkDevice(const std::string &device) {
  if (device == "cpu")
    return CNNC_OK;
  if (device == "cuda" || device == "vulkan")
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "device " + quoted(device) +
                    " is not supported by this runtime build yet "
                    "(supported devices: cpu)");
  return fail(CNNC_ERROR_INVALID_ARGUMENT,
              "unknown device " + quoted(device) +
                  " (expected one of: cpu, cuda, vulkan)");
}

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
                      const cnnc_artifact_info *info,
                      const std::string &device) {
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
  if (device != info->target)
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
  if (cnnc_status status = checkDevice(device))
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
  auto runFn = reinterpret_cast<cnnc_artifact_run_fn>(
      findSymbol(handle.get(), "cnnc_artifact_run"));
  if (getInfoFn == nullptr || runFn == nullptr)
    return fail(CNNC_ERROR_LOAD,
                "artifact " + quoted(path) +
                    " is incomplete: it does not export " +
                    (getInfoFn == nullptr ? "cnnc_artifact_get_info"
                                          : "cnnc_artifact_run"));

  const cnnc_artifact_info *info = getInfoFn();
  if (cnnc_status status = checkInfo(path, abiVersion, info, device))
    return status;

  auto model = std::make_unique<cnnc_model>();
  model->info = info;
  model->run = runFn;
  model->path = path;
  model->workspaces = std::make_unique<WorkspacePool>(
      static_cast<size_t>(info->workspace_bytes));
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
  if (model->handle != nullptr)
    dlclose(model->handle);
  delete model;
}
