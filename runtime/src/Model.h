//===- Model.h - The loaded-artifact handle behind cnnc_model ----*- C++
//-*-===//
#ifndef CNNC_RUNTIME_SRC_MODEL_H
#define CNNC_RUNTIME_SRC_MODEL_H

#include "cnnc/runtime.h"

#include <string>

using cnnc_artifact_run_fn = void (*)(void *const *, void *const *);

/// Immutable after cnnc_model_load, so concurrent cnnc_model_run calls on one
/// model are safe (the artifact itself is stateless, see artifact_abi.h).
struct cnnc_model {
  void *handle = nullptr; // from dlopen; closed by cnnc_model_free
  const cnnc_artifact_info *info = nullptr; // owned by the artifact
  cnnc_artifact_run_fn run = nullptr;
  std::string path;
};

#endif // CNNC_RUNTIME_SRC_MODEL_H
