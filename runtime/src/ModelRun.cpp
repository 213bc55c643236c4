//===- ModelRun.cpp - cnnc_model_run, cnnc_model_profile ------------------===//
//
// Every tensor the caller passes is checked against the artifact's
// description (count, dtype, rank, each extent, non-null data, no output
// overlapping another buffer) before the artifact or the device sees any
// pointer: the artifact itself trusts its arguments completely.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Error.h"
#include "runtime/src/Export.h"
#include "runtime/src/Model.h"
#include "runtime/src/TensorFormat.h"

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

using namespace cnnc::rt;

namespace {

/// A checked buffer, kept for the overlap check.
struct Span {
  std::string label; // "input 0 ('x')"
  uintptr_t begin;
  uintptr_t end;
};

std::string labelOf(const char *kind, size_t index,
                    const cnnc_tensor_desc &desc) {
  return std::string(kind) + " " + std::to_string(index) + " ('" + desc.name +
         "')";
}

cnnc_status checkTensor(const std::string &label, const cnnc_tensor_desc &desc,
                        const cnnc_tensor &tensor, std::vector<Span> &spans) {
  if (tensor.dtype != desc.dtype)
    return fail(CNNC_ERROR_DTYPE, label + ": expected dtype " +
                                      describeDtype(desc.dtype) + ", got " +
                                      describeDtype(tensor.dtype));
  std::string expected = formatShape(desc.shape, desc.rank);
  if (tensor.rank != desc.rank)
    return fail(CNNC_ERROR_SHAPE, label + ": expected rank " +
                                      std::to_string(desc.rank) + " (shape " +
                                      expected + "), got rank " +
                                      std::to_string(tensor.rank));
  if (tensor.rank > 0 && tensor.shape == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT, label + ": shape is null");
  for (int32_t d = 0; d < desc.rank; ++d)
    if (tensor.shape[d] != desc.shape[d])
      return fail(CNNC_ERROR_SHAPE, label + ": expected shape " + expected +
                                        ", got " +
                                        formatShape(tensor.shape, tensor.rank));
  size_t bytes = 0;
  // Cannot fail: the description was validated when the model was loaded.
  denseByteSize(desc.dtype, desc.shape, desc.rank, bytes);
  if (bytes == 0)
    return CNNC_OK;
  if (tensor.data == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT, label + ": data is null");
  uintptr_t begin = reinterpret_cast<uintptr_t>(tensor.data);
  if (begin > UINTPTR_MAX - bytes)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                label + ": buffer wraps around the address space");
  spans.push_back({label, begin, begin + bytes});
  return CNNC_OK;
}

cnnc_status runModel(cnnc_model *model, const cnnc_tensor *inputs,
                     size_t numInputs, cnnc_tensor *outputs,
                     size_t numOutputs) {
  if (model == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT, "cnnc_model_run: model is null");
  const cnnc_artifact_info &info = *model->info;
  if (numInputs != info.num_inputs)
    return fail(CNNC_ERROR_INPUT_COUNT,
                "expected " + countOf(info.num_inputs, "input") + ", got " +
                    std::to_string(numInputs));
  if (numOutputs != info.num_outputs)
    return fail(CNNC_ERROR_OUTPUT_COUNT,
                "expected " + countOf(info.num_outputs, "output") + ", got " +
                    std::to_string(numOutputs));
  if (numInputs > 0 && inputs == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT, "cnnc_model_run: inputs is null");
  if (numOutputs > 0 && outputs == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT, "cnnc_model_run: outputs is null");

  std::vector<Span> inputSpans, outputSpans;
  for (size_t i = 0; i < numInputs; ++i)
    if (cnnc_status status = checkTensor(labelOf("input", i, info.inputs[i]),
                                         info.inputs[i], inputs[i], inputSpans))
      return status;
  for (size_t i = 0; i < numOutputs; ++i)
    if (cnnc_status status =
            checkTensor(labelOf("output", i, info.outputs[i]), info.outputs[i],
                        outputs[i], outputSpans))
      return status;

  // Inputs are only read, so they may share memory; an output may not share
  // memory with anything.
  auto overlaps = [](const Span &a, const Span &b) {
    return a.begin < b.end && b.begin < a.end;
  };
  for (size_t o = 0; o < outputSpans.size(); ++o) {
    for (const Span &in : inputSpans)
      if (overlaps(outputSpans[o], in))
        return fail(CNNC_ERROR_INVALID_ARGUMENT,
                    outputSpans[o].label + " overlaps " + in.label);
    for (size_t p = 0; p < o; ++p)
      if (overlaps(outputSpans[o], outputSpans[p]))
        return fail(CNNC_ERROR_INVALID_ARGUMENT,
                    outputSpans[o].label + " overlaps " + outputSpans[p].label);
  }

  std::vector<void *> inputData(numInputs), outputData(numOutputs);
  for (size_t i = 0; i < numInputs; ++i)
    inputData[i] = inputs[i].data;
  for (size_t i = 0; i < numOutputs; ++i)
    outputData[i] = outputs[i].data;
  if (model->program) {
    std::lock_guard<std::mutex> lock(model->programMutex);
    return model->program->run(inputData.data(), outputData.data());
  }
  void *workspace = nullptr;
  if (info.workspace_bytes > 0) {
    workspace = model->workspaces->acquire();
    if (workspace == nullptr)
      return fail(CNNC_ERROR_INVALID_ARGUMENT,
                  "cannot allocate the model's " +
                      std::to_string(info.workspace_bytes) +
                      "-byte workspace");
  }
  model->run(inputData.data(), outputData.data(), workspace);
  if (workspace != nullptr)
    model->workspaces->release(workspace);
  return CNNC_OK;
}

cnnc_status profileModel(cnnc_model *model, cnnc_dispatch_profile *entries,
                         size_t capacity, size_t *outCount) {
  if (outCount == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_model_profile: out_count is null");
  *outCount = 0;
  if (model == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_model_profile: model is null");
  if (capacity > 0 && entries == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                "cnnc_model_profile: entries is null but capacity is " +
                    std::to_string(capacity));
  if (!model->program)
    return fail(
        CNNC_ERROR_INVALID_ARGUMENT,
        "cnnc_model_profile: model '" + model->path +
            "' runs on the CPU; only GPU models (devices vulkan and cuda) "
            "record the time of each dispatch");
  std::vector<double> times;
  {
    std::lock_guard<std::mutex> lock(model->programMutex);
    if (cnnc_status status = model->program->dispatchTimes(times))
      return status;
  }
  const cnnc_device_program &program = *model->info->program;
  *outCount = times.size();
  for (size_t d = 0; d < times.size() && d < capacity; ++d) {
    const cnnc_kernel &kernel = program.kernels[program.dispatches[d].kernel];
    entries[d].kernel = kernel.name;
    entries[d].nodes = kernel.nodes != nullptr ? kernel.nodes : "";
    entries[d].device_ms = times[d];
  }
  return CNNC_OK;
}

} // namespace

WorkspacePool::~WorkspacePool() {
  for (void *w : all_)
    std::free(w);
}

void *WorkspacePool::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      void *w = free_.back();
      free_.pop_back();
      return w;
    }
  }
  // 64-byte alignment, as the artifact ABI promises.
  size_t rounded = (bytes_ + 63) / 64 * 64;
  void *w = std::aligned_alloc(64, rounded);
  if (w != nullptr) {
    std::lock_guard<std::mutex> lock(mutex_);
    all_.push_back(w);
  }
  return w;
}

void WorkspacePool::release(void *workspace) {
  std::lock_guard<std::mutex> lock(mutex_);
  free_.push_back(workspace);
}

CNNC_RUNTIME_API cnnc_status cnnc_model_run(cnnc_model *model,
                                            const cnnc_tensor *inputs,
                                            size_t num_inputs,
                                            cnnc_tensor *outputs,
                                            size_t num_outputs) {
  return guarded(CNNC_ERROR_INVALID_ARGUMENT, [&] {
    return runModel(model, inputs, num_inputs, outputs, num_outputs);
  });
}

CNNC_RUNTIME_API cnnc_status cnnc_model_profile(cnnc_model *model,
                                                cnnc_dispatch_profile *entries,
                                                size_t capacity,
                                                size_t *out_count) {
  return guarded(CNNC_ERROR_INVALID_ARGUMENT, [&] {
    return profileModel(model, entries, capacity, out_count);
  });
}
