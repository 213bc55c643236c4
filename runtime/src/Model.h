//===- Model.h - The loaded-artifact handle behind cnnc_model ----*- C++
//-*-===//
#ifndef CNNC_RUNTIME_SRC_MODEL_H
#define CNNC_RUNTIME_SRC_MODEL_H

#include "cnnc/runtime.h"
#include "runtime/src/Device.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

using cnnc_artifact_run_fn = void (*)(void *const *, void *const *, void *);

/// Workspaces for one model's runs. A run takes a free one (allocating one
/// only when every workspace is in use by a concurrent run) and gives it
/// back, so steady-state runs allocate nothing and concurrent runs on one
/// model never share scratch memory.
class WorkspacePool {
public:
  explicit WorkspacePool(size_t bytes) : bytes_(bytes) {}
  ~WorkspacePool();
  WorkspacePool(const WorkspacePool &) = delete;
  WorkspacePool &operator=(const WorkspacePool &) = delete;

  /// Null only if the allocation failed (or `bytes` is 0).
  void *acquire();
  void release(void *workspace);

private:
  size_t bytes_;
  std::mutex mutex_;
  std::vector<void *> free_;
  std::vector<void *> all_;
};

/// Apart from the workspace pool (which locks) and the device program
/// (which `programMutex` guards), immutable after cnnc_model_load, so
/// concurrent cnnc_model_run calls on one model are safe: CPU runs proceed in
/// parallel (the artifact itself is stateless, see artifact_abi.h), GPU runs
/// take turns on the program's single command buffer.
struct cnnc_model {
  void *handle = nullptr; // from dlopen; closed by cnnc_model_free
  const cnnc_artifact_info *info = nullptr; // owned by the artifact
  std::string path;
  cnnc::rt::DeviceKind kind = cnnc::rt::DeviceKind::Cpu;

  // CPU models.
  cnnc_artifact_run_fn run = nullptr;
  std::unique_ptr<WorkspacePool> workspaces;

  // GPU models. The program refers to the artifact's strings and must be
  // destroyed before the artifact is closed.
  std::unique_ptr<cnnc::rt::DeviceProgram> program;
  std::mutex programMutex; // serializes program->run and dispatchTimes
};

#endif // CNNC_RUNTIME_SRC_MODEL_H
