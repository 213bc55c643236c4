//===- cnnc-run.cpp - Run a cnnc artifact once ----------------------------===//
//
// cnnc-run MODEL.so --device=cpu|vulkan|vulkan:N|cuda|cuda:N --input=@x.npy
//          [--input=...] [--output=@y.npy ...] [--seed=N] [--list]
// cnnc-run --list-devices
//
//===----------------------------------------------------------------------===//

#include "runtime/src/TensorFormat.h"
#include "runtime/tools/common.h"
#include "runtime/tools/npy.h"

#include <cinttypes>
#include <cstdio>
#include <new>
#include <string>
#include <vector>

using namespace cnnc;
using namespace cnnc::tools;

namespace {

constexpr const char *kTool = "cnnc-run";
constexpr size_t kPrintedValues = 8;

void printUsage() {
  std::printf(
      "usage: cnnc-run MODEL.so [options]\n"
      "       cnnc-run --list-devices\n"
      "\n"
      "Runs a cnnc artifact once.\n"
      "\n"
      "options:\n"
      "  --device=DEVICE      cpu (default) for a cpu artifact; vulkan (the "
      "first\n"
      "                       discrete GPU, else the first other Vulkan "
      "device)\n"
      "                       or vulkan:N (the N-th, see --list-devices) for "
      "a\n"
      "                       vulkan artifact; cuda (CUDA device 0) or "
      "cuda:N\n"
      "                       for a cuda artifact\n"
      "  --input=SPEC         one per model input, in graph order:\n"
      "                         @FILE.npy  a NumPy file ('<f4' or '<i8', C "
      "order)\n"
      "                         random     uniform in [-1,1) for f32, "
      "integers in\n"
      "                                    [0,10) for i64, from --seed\n"
      "                         1,2,3      inline values; a single value fills "
      "the\n"
      "                                    whole tensor\n"
      "  --seed=N             seed of the random inputs (default 0)\n"
      "  --output=@FILE.npy   one per model output, in graph order; "
      "--output=-\n"
      "                       prints that output instead. Without --output "
      "every\n"
      "                       output is printed (name, shape, first values).\n"
      "  --list               print the model's inputs and outputs and exit\n"
      "  --list-devices       print the devices this machine offers (one "
      "per\n"
      "                       line: the --device value, then a "
      "description;\n"
      "                       '#' lines are notes) and exit\n"
      "  --help               print this help and exit\n");
}

struct RunOptions {
  CommonOptions common;
  std::vector<std::string> outputs; // file paths; "" prints the output
  bool list = false;
};

/// Returns -1 when the arguments are fine, otherwise the exit code.
int parseArguments(int argc, char **argv, RunOptions &options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value, error;
    if (arg == "--list") {
      options.list = true;
      continue;
    }
    if (matchOption(arg, "--output", value)) {
      if (value == "-") {
        options.outputs.push_back("");
      } else if (value.size() > 1 && value[0] == '@') {
        options.outputs.push_back(value.substr(1));
      } else {
        return reportError(kTool,
                           "invalid --output=" + value +
                               " (expected --output=@FILE.npy or --output=-)",
                           kExitUsage);
      }
      continue;
    }
    if (arg == "--output")
      return reportError(kTool,
                         "option --output needs a value: --output=@FILE.npy",
                         kExitUsage);
    switch (parseCommonOption(arg, options.common, error)) {
    case OptionResult::Handled:
      continue;
    case OptionResult::Error:
      return reportError(kTool, error, kExitUsage);
    case OptionResult::NotHandled:
      return reportError(kTool, "unknown option '" + arg + "' (see --help)",
                         kExitUsage);
    }
  }
  std::string error;
  if (!finishCommonOptions(options.common, error))
    return reportError(kTool, error, kExitUsage);
  return -1;
}

void listModel(const cnnc_model *model) {
  for (size_t i = 0; i < cnnc_model_num_inputs(model); ++i) {
    const cnnc_tensor_desc *desc = nullptr;
    if (cnnc_model_input(model, i, &desc) == CNNC_OK)
      std::printf("%s: %s\n", labelOf("input", i, *desc).c_str(),
                  describeType(*desc).c_str());
  }
  for (size_t i = 0; i < cnnc_model_num_outputs(model); ++i) {
    const cnnc_tensor_desc *desc = nullptr;
    if (cnnc_model_output(model, i, &desc) == CNNC_OK)
      std::printf("%s: %s\n", labelOf("output", i, *desc).c_str(),
                  describeType(*desc).c_str());
  }
}

void printTensor(const std::string &label, const cnnc_tensor_desc &desc,
                 const HostTensor &tensor) {
  std::string text = label + ": " + describeType(desc) + ": [";
  size_t count = tensor.numElements();
  size_t shown = count < kPrintedValues ? count : kPrintedValues;
  char buffer[64];
  for (size_t i = 0; i < shown; ++i) {
    if (tensor.dtype() == CNNC_DTYPE_F32)
      std::snprintf(
          buffer, sizeof(buffer), "%.7g",
          static_cast<double>(static_cast<const float *>(tensor.data())[i]));
    else
      std::snprintf(buffer, sizeof(buffer), "%" PRId64,
                    static_cast<const int64_t *>(tensor.data())[i]);
    text += (i ? ", " : "") + std::string(buffer);
  }
  if (shown < count)
    text += ", ... (" + std::to_string(count) + " values)";
  std::printf("%s]\n", text.c_str());
}

int runTool(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      printUsage();
      return 0;
    }
  }
  // Needs no model: answered before the other options are looked at.
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) != "--list-devices")
      continue;
    std::string text, error;
    if (!listDevices(text, error))
      return reportError(kTool, error, kExitFailure);
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  RunOptions options;
  if (int exitCode = parseArguments(argc, argv, options); exitCode >= 0)
    return exitCode;

  std::string error;
  ModelPtr model;
  if (!loadModel(options.common, model, error))
    return reportError(kTool, error, kExitFailure);
  if (options.list) {
    listModel(model.get());
    return 0;
  }

  size_t numOutputs = cnnc_model_num_outputs(model.get());
  if (!options.outputs.empty() && options.outputs.size() != numOutputs)
    return reportError(kTool,
                       "the model has " + rt::countOf(numOutputs, "output") +
                           " but " + std::to_string(options.outputs.size()) +
                           " --output option" +
                           (options.outputs.size() == 1 ? " was" : "s were") +
                           " given; pass one per output (--output=- prints "
                           "one) or none",
                       kExitUsage);

  std::vector<HostTensor> inputs, outputs;
  if (!prepareInputs(model.get(), options.common, inputs, error) ||
      !allocateOutputs(model.get(), outputs, error))
    return reportError(kTool, error, kExitFailure);
  RunViews views = makeViews(inputs, outputs);
  if (!runOnce(model.get(), views, error))
    return reportError(kTool, error, kExitFailure);

  for (size_t i = 0; i < numOutputs; ++i) {
    const cnnc_tensor_desc *desc = nullptr;
    if (cnnc_model_output(model.get(), i, &desc) != CNNC_OK)
      return reportError(kTool, cnnc_last_error(), kExitFailure);
    std::string path = options.outputs.empty() ? "" : options.outputs[i];
    if (path.empty()) {
      printTensor(labelOf("output", i, *desc), *desc, outputs[i]);
      continue;
    }
    if (!npy::write(path, outputs[i].dtype(), outputs[i].shape(),
                    outputs[i].data(), error))
      return reportError(kTool, labelOf("output", i, *desc) + ": " + error,
                         kExitFailure);
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return runTool(argc, argv);
  } catch (const std::bad_alloc &) {
    return reportError(kTool, "out of memory", kExitFailure);
  }
}
