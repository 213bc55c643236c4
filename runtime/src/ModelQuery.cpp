//===- ModelQuery.cpp - Inputs and outputs of a loaded model --------------===//

#include "runtime/src/Error.h"
#include "runtime/src/Export.h"
#include "runtime/src/Model.h"
#include "runtime/src/TensorFormat.h"

#include <string>

using namespace cnnc::rt;

namespace {

cnnc_status describe(const cnnc_model *model, size_t index,
                     const cnnc_tensor_desc **outDesc, bool input) {
  const char *function = input ? "cnnc_model_input" : "cnnc_model_output";
  const char *noun = input ? "input" : "output";
  if (outDesc == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                std::string(function) + ": out_desc is null");
  *outDesc = nullptr;
  if (model == nullptr)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                std::string(function) + ": model is null");
  size_t count = input ? model->info->num_inputs : model->info->num_outputs;
  if (index >= count)
    return fail(CNNC_ERROR_INVALID_ARGUMENT,
                std::string(function) + ": " + noun + " index " +
                    std::to_string(index) + " is out of range (the model has " +
                    countOf(count, noun) + ")");
  *outDesc = input ? &model->info->inputs[index] : &model->info->outputs[index];
  return CNNC_OK;
}

} // namespace

CNNC_RUNTIME_API size_t cnnc_model_num_inputs(const cnnc_model *model) {
  return model ? model->info->num_inputs : 0;
}

CNNC_RUNTIME_API size_t cnnc_model_num_outputs(const cnnc_model *model) {
  return model ? model->info->num_outputs : 0;
}

CNNC_RUNTIME_API cnnc_status cnnc_model_input(
    const cnnc_model *model, size_t index, const cnnc_tensor_desc **out_desc) {
  return guarded(CNNC_ERROR_INVALID_ARGUMENT, [&] {
    return describe(model, index, out_desc, /*input=*/true);
  });
}

CNNC_RUNTIME_API cnnc_status cnnc_model_output(
    const cnnc_model *model, size_t index, const cnnc_tensor_desc **out_desc) {
  return guarded(CNNC_ERROR_INVALID_ARGUMENT, [&] {
    return describe(model, index, out_desc, /*input=*/false);
  });
}
