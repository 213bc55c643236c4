//===- common.cpp - Code shared by cnnc-run and cnnc-bench ----------------===//

#include "runtime/tools/common.h"

#include "runtime/src/TensorFormat.h"
#include "runtime/tools/npy.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

using namespace cnnc;
using namespace cnnc::tools;

namespace {

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and the same sequence on
/// every platform, unlike the standard library's distributions.
uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string trim(const std::string &text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos)
    return "";
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

bool parseF32(const std::string &text, float &value) {
  if (text.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  double parsed = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE)
    return false;
  // Finite values beyond float's range would not convert to anything.
  if (std::isfinite(parsed) &&
      std::fabs(parsed) > std::numeric_limits<float>::max())
    return false;
  value = static_cast<float>(parsed);
  return true;
}

bool parseI64(const std::string &text, int64_t &value) {
  if (text.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size() || errno == ERANGE)
    return false;
  value = parsed;
  return true;
}

bool fillInline(HostTensor &tensor, const InputSpec &spec,
                const std::string &label, std::string &error) {
  size_t count = tensor.numElements();
  if (spec.values.size() != 1 && spec.values.size() != count) {
    error = label + ": --input=" + spec.text + " gives " +
            rt::countOf(spec.values.size(), "value") + ", expected 1 or " +
            std::to_string(count);
    return false;
  }
  for (size_t i = 0; i < count; ++i) {
    const std::string &token =
        spec.values.size() == 1 ? spec.values[0] : spec.values[i];
    bool ok = false;
    if (tensor.dtype() == CNNC_DTYPE_F32) {
      float value = 0;
      ok = parseF32(token, value);
      static_cast<float *>(tensor.data())[i] = value;
    } else {
      int64_t value = 0;
      ok = parseI64(token, value);
      static_cast<int64_t *>(tensor.data())[i] = value;
    }
    if (!ok) {
      error = label + ": invalid " + rt::describeDtype(tensor.dtype()) +
              " value '" + token + "' in --input=" + spec.text;
      return false;
    }
  }
  return true;
}

bool fillFromFile(HostTensor &tensor, const cnnc_tensor_desc &desc,
                  const InputSpec &spec, const std::string &label,
                  std::string &error) {
  npy::Array array;
  std::string readError;
  if (!npy::read(spec.path, array, readError)) {
    error = label + " expects " + describeType(desc) + ": " + readError;
    return false;
  }
  int32_t rank = static_cast<int32_t>(array.shape.size());
  if (array.dtype != desc.dtype) {
    error = label + ": " + spec.path + " has dtype " +
            rt::describeDtype(array.dtype) + " ('" + npy::descrOf(array.dtype) +
            "'), expected " + rt::describeDtype(desc.dtype) + " ('" +
            npy::descrOf(desc.dtype) + "')";
    return false;
  }
  if (rank != desc.rank ||
      !std::equal(array.shape.begin(), array.shape.end(), desc.shape)) {
    error = label + ": " + spec.path + " has shape " +
            rt::formatShape(array.shape.data(), rank) + ", expected " +
            rt::formatShape(desc.shape, desc.rank);
    return false;
  }
  if (array.data.size() != tensor.bytes()) {
    error = label + ": " + spec.path + " holds " +
            std::to_string(array.data.size()) + " bytes, expected " +
            std::to_string(tensor.bytes());
    return false;
  }
  if (!array.data.empty())
    std::memcpy(tensor.data(), array.data.data(), array.data.size());
  return true;
}

} // namespace

int tools::reportError(const char *tool, const std::string &message,
                       int exitCode) {
  std::fprintf(stderr, "%s: error: %s\n", tool, message.c_str());
  return exitCode;
}

bool tools::parseInputSpec(const std::string &text, InputSpec &spec,
                           std::string &error) {
  spec = InputSpec();
  spec.text = text;
  if (!text.empty() && text[0] == '@') {
    spec.kind = InputSpec::Kind::File;
    spec.path = text.substr(1);
    if (spec.path.empty()) {
      error = "--input=@ needs a file name, e.g. --input=@x.npy";
      return false;
    }
    return true;
  }
  if (text == "random") {
    spec.kind = InputSpec::Kind::Random;
    return true;
  }
  std::string body = trim(text);
  if (body.size() >= 2 && body.front() == '[' && body.back() == ']')
    body = body.substr(1, body.size() - 2);
  spec.kind = InputSpec::Kind::Inline;
  size_t start = 0;
  while (true) {
    size_t comma = body.find(',', start);
    std::string token = trim(body.substr(start, comma - start));
    float ignored = 0;
    if (!parseF32(token, ignored)) {
      error = "invalid --input=" + text +
              " (expected @FILE.npy, random, or comma-separated numbers)";
      return false;
    }
    spec.values.push_back(token);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return true;
}

bool tools::matchOption(const std::string &arg, const char *name,
                        std::string &value) {
  size_t length = std::strlen(name);
  if (arg.compare(0, length, name) != 0 || arg.size() <= length ||
      arg[length] != '=')
    return false;
  value = arg.substr(length + 1);
  return true;
}

bool tools::parseUnsigned(const std::string &text, uint64_t max,
                          uint64_t &value) {
  if (text.empty() || text.size() > 20 ||
      text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  uint64_t result = 0;
  for (char c : text) {
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (result > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      return false;
    result = result * 10 + digit;
  }
  if (result > max)
    return false;
  value = result;
  return true;
}

OptionResult tools::parseCommonOption(const std::string &arg,
                                      CommonOptions &options,
                                      std::string &error) {
  std::string value;
  if (matchOption(arg, "--device", value)) {
    options.device = value;
    return OptionResult::Handled;
  }
  if (matchOption(arg, "--input", value)) {
    InputSpec spec;
    if (!parseInputSpec(value, spec, error))
      return OptionResult::Error;
    options.inputs.push_back(std::move(spec));
    return OptionResult::Handled;
  }
  if (matchOption(arg, "--seed", value)) {
    if (!parseUnsigned(value, std::numeric_limits<uint64_t>::max(),
                       options.seed)) {
      error = "invalid --seed=" + value + " (expected an unsigned integer)";
      return OptionResult::Error;
    }
    return OptionResult::Handled;
  }
  if (arg == "--device" || arg == "--input" || arg == "--seed") {
    error = "option " + arg + " needs a value: " + arg + "=VALUE";
    return OptionResult::Error;
  }
  if (!arg.empty() && arg[0] == '-')
    return OptionResult::NotHandled;
  if (!options.modelPath.empty()) {
    error = "more than one model given ('" + options.modelPath + "' and '" +
            arg + "')";
    return OptionResult::Error;
  }
  options.modelPath = arg;
  return OptionResult::Handled;
}

bool tools::finishCommonOptions(const CommonOptions &options,
                                std::string &error) {
  if (options.modelPath.empty()) {
    error = "no model given (see --help)";
    return false;
  }
  return true;
}

bool tools::loadModel(const CommonOptions &options, ModelPtr &model,
                      std::string &error) {
  cnnc_model *loaded = nullptr;
  if (cnnc_model_load(options.modelPath.c_str(), options.device.c_str(),
                      &loaded) != CNNC_OK) {
    error = cnnc_last_error();
    return false;
  }
  model.reset(loaded);
  return true;
}

bool tools::listDevices(std::string &text, std::string &error) {
  // Devices may appear between the size query and the copy: retry then.
  for (int attempt = 0; attempt < 4; ++attempt) {
    size_t size = 0;
    if (cnnc_list_devices(nullptr, 0, &size) != CNNC_OK) {
      error = cnnc_last_error();
      return false;
    }
    std::vector<char> buffer(size);
    if (cnnc_list_devices(buffer.data(), buffer.size(), &size) == CNNC_OK) {
      text = buffer.data();
      return true;
    }
    if (size <= buffer.size()) {
      error = cnnc_last_error();
      return false;
    }
  }
  error = "the device list keeps changing";
  return false;
}

bool HostTensor::allocate(int32_t dtype, const std::vector<int64_t> &shape,
                          std::string &error) {
  size_t bytes = 0;
  if (!rt::denseByteSize(dtype, shape.data(),
                         static_cast<int32_t>(shape.size()), bytes)) {
    error = "cannot allocate a tensor of " + rt::describeDtype(dtype) + " " +
            rt::formatShape(shape.data(), static_cast<int32_t>(shape.size()));
    return false;
  }
  constexpr size_t kAlignment = 64;
  if (bytes > std::numeric_limits<size_t>::max() - kAlignment) {
    error = "tensor too large";
    return false;
  }
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void *pointer =
      std::aligned_alloc(kAlignment, rounded ? rounded : kAlignment);
  if (pointer == nullptr) {
    error = "out of memory allocating " + std::to_string(bytes) + " bytes";
    return false;
  }
  std::memset(pointer, 0, rounded);
  storage.reset(pointer);
  dtypeValue = dtype;
  shapeValue = shape;
  byteCount = bytes;
  return true;
}

size_t HostTensor::numElements() const {
  size_t size = rt::dtypeSize(dtypeValue);
  return size ? byteCount / size : 0;
}

cnnc_tensor HostTensor::view() {
  cnnc_tensor tensor;
  tensor.dtype = dtypeValue;
  tensor.rank = static_cast<int32_t>(shapeValue.size());
  tensor.shape = shapeValue.data();
  tensor.data = storage.get();
  return tensor;
}

std::string tools::describeType(const cnnc_tensor_desc &desc) {
  return rt::describeDtype(desc.dtype) + " " +
         rt::formatShape(desc.shape, desc.rank);
}

std::string tools::labelOf(const char *kind, size_t index,
                           const cnnc_tensor_desc &desc) {
  return std::string(kind) + " " + std::to_string(index) + " ('" + desc.name +
         "')";
}

void tools::fillRandom(HostTensor &tensor, uint64_t seed, size_t index) {
  // Decorrelate the streams of neighbouring inputs and seeds.
  uint64_t state = seed;
  uint64_t mixed = splitmix64(state);
  state = mixed ^ (0xD1B54A32D192ED03ull * (static_cast<uint64_t>(index) + 1));
  size_t count = tensor.numElements();
  if (tensor.dtype() == CNNC_DTYPE_F32) {
    float *data = static_cast<float *>(tensor.data());
    for (size_t i = 0; i < count; ++i) {
      // 24 random bits map exactly onto the floats k / 2^23 - 1.
      int32_t bits = static_cast<int32_t>(splitmix64(state) >> 40);
      data[i] = static_cast<float>(bits - (1 << 23)) * (1.0f / (1 << 23));
    }
  } else if (tensor.dtype() == CNNC_DTYPE_I64) {
    int64_t *data = static_cast<int64_t *>(tensor.data());
    for (size_t i = 0; i < count; ++i)
      data[i] = static_cast<int64_t>((splitmix64(state) >> 32) % 10);
  }
}

std::vector<InputSpec> tools::randomInputSpecs(const cnnc_model *model) {
  InputSpec spec;
  spec.kind = InputSpec::Kind::Random;
  spec.text = "random";
  return std::vector<InputSpec>(cnnc_model_num_inputs(model), spec);
}

bool tools::prepareInputs(const cnnc_model *model, const CommonOptions &options,
                          std::vector<HostTensor> &inputs, std::string &error) {
  size_t count = cnnc_model_num_inputs(model);
  if (options.inputs.size() != count) {
    std::string names;
    for (size_t i = 0; i < count; ++i) {
      const cnnc_tensor_desc *desc = nullptr;
      if (cnnc_model_input(model, i, &desc) == CNNC_OK)
        names += std::string(i ? ", " : "") + "'" + desc->name + "'";
    }
    error = "the model has " + rt::countOf(count, "input") +
            (count ? " (" + names + ")" : "") + " but " +
            std::to_string(options.inputs.size()) + " --input option" +
            (options.inputs.size() == 1 ? " was" : "s were") +
            " given; pass one --input per model input, in graph order";
    return false;
  }
  inputs.clear();
  inputs.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const cnnc_tensor_desc *desc = nullptr;
    if (cnnc_model_input(model, i, &desc) != CNNC_OK) {
      error = cnnc_last_error();
      return false;
    }
    std::string label = labelOf("input", i, *desc);
    std::vector<int64_t> shape(desc->shape, desc->shape + desc->rank);
    if (!inputs[i].allocate(desc->dtype, shape, error)) {
      error = label + ": " + error;
      return false;
    }
    const InputSpec &spec = options.inputs[i];
    switch (spec.kind) {
    case InputSpec::Kind::Random:
      fillRandom(inputs[i], options.seed, i);
      break;
    case InputSpec::Kind::Inline:
      if (!fillInline(inputs[i], spec, label, error))
        return false;
      break;
    case InputSpec::Kind::File:
      if (!fillFromFile(inputs[i], *desc, spec, label, error))
        return false;
      break;
    }
  }
  return true;
}

bool tools::allocateOutputs(const cnnc_model *model,
                            std::vector<HostTensor> &outputs,
                            std::string &error) {
  size_t count = cnnc_model_num_outputs(model);
  outputs.clear();
  outputs.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const cnnc_tensor_desc *desc = nullptr;
    if (cnnc_model_output(model, i, &desc) != CNNC_OK) {
      error = cnnc_last_error();
      return false;
    }
    std::vector<int64_t> shape(desc->shape, desc->shape + desc->rank);
    if (!outputs[i].allocate(desc->dtype, shape, error)) {
      error = labelOf("output", i, *desc) + ": " + error;
      return false;
    }
  }
  return true;
}

RunViews tools::makeViews(std::vector<HostTensor> &inputs,
                          std::vector<HostTensor> &outputs) {
  RunViews views;
  for (HostTensor &tensor : inputs)
    views.inputs.push_back(tensor.view());
  for (HostTensor &tensor : outputs)
    views.outputs.push_back(tensor.view());
  return views;
}

bool tools::runOnce(cnnc_model *model, RunViews &views, std::string &error) {
  if (cnnc_model_run(model, views.inputs.data(), views.inputs.size(),
                     views.outputs.data(), views.outputs.size()) != CNNC_OK) {
    error = cnnc_last_error();
    return false;
  }
  return true;
}
