//===- common.h - Code shared by cnnc-run and cnnc-bench ---------*- C++
//-*-===//
//
// Command-line options both tools accept (the model, --device, --input,
// --seed), loading the model, preparing input tensors from .npy files,
// random numbers or inline values, and allocating outputs. Every fallible
// function returns false and sets an error message; nothing throws.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_RUNTIME_TOOLS_COMMON_H
#define CNNC_RUNTIME_TOOLS_COMMON_H

#include "cnnc/runtime.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace cnnc::tools {

/// Exit codes shared by the tools.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

/// Prints "<tool>: error: <message>" to stderr and returns `exitCode`.
int reportError(const char *tool, const std::string &message, int exitCode);

/// Where the values of one input come from: "@FILE.npy", "random", or
/// inline numbers "1,2,3" / "[1,2,3]" (one number fills the whole tensor).
struct InputSpec {
  enum class Kind { File, Random, Inline };
  Kind kind = Kind::Random;
  std::string text;                // as written, for messages
  std::string path;                // Kind::File
  std::vector<std::string> values; // Kind::Inline
};
bool parseInputSpec(const std::string &text, InputSpec &spec,
                    std::string &error);

/// Options both tools accept.
struct CommonOptions {
  std::string modelPath;
  std::string device = "cpu";
  std::vector<InputSpec> inputs; // graph order
  uint64_t seed = 0;
};

enum class OptionResult { Handled, NotHandled, Error };

/// Consumes `arg` if it is a common option or the model path. Unknown
/// options ("-..." not common) are NotHandled so each tool can add its own.
OptionResult parseCommonOption(const std::string &arg, CommonOptions &options,
                               std::string &error);
/// Checks what parseCommonOption cannot see per argument (a model path).
bool finishCommonOptions(const CommonOptions &options, std::string &error);

/// If `arg` is "<name>=<value>", stores the value and returns true.
bool matchOption(const std::string &arg, const char *name, std::string &value);
/// Parses a decimal integer in [0, max] without sign, spaces or suffix.
bool parseUnsigned(const std::string &text, uint64_t max, uint64_t &value);

struct ModelDeleter {
  void operator()(cnnc_model *model) const { cnnc_model_free(model); }
};
using ModelPtr = std::unique_ptr<cnnc_model, ModelDeleter>;

bool loadModel(const CommonOptions &options, ModelPtr &model,
               std::string &error);

/// The device listing of cnnc_list_devices.
bool listDevices(std::string &text, std::string &error);

/// A dense tensor owned by a tool; the data is 64-byte aligned.
class HostTensor {
public:
  bool allocate(int32_t dtype, const std::vector<int64_t> &shape,
                std::string &error);

  int32_t dtype() const { return dtypeValue; }
  const std::vector<int64_t> &shape() const { return shapeValue; }
  void *data() { return storage.get(); }
  const void *data() const { return storage.get(); }
  size_t bytes() const { return byteCount; }
  size_t numElements() const;
  /// A view for cnnc_model_run; valid while this tensor lives.
  cnnc_tensor view();

private:
  struct Free {
    void operator()(void *pointer) const { std::free(pointer); }
  };
  int32_t dtypeValue = 0;
  std::vector<int64_t> shapeValue;
  std::unique_ptr<void, Free> storage;
  size_t byteCount = 0;
};

/// "f32 [2,3]".
std::string describeType(const cnnc_tensor_desc &desc);
/// "input 0 ('x')".
std::string labelOf(const char *kind, size_t index,
                    const cnnc_tensor_desc &desc);

/// Fills one tensor per model input from `options.inputs`, which must hold
/// exactly one spec per input.
bool prepareInputs(const cnnc_model *model, const CommonOptions &options,
                   std::vector<HostTensor> &inputs, std::string &error);
/// One tensor per model input, all "random".
std::vector<InputSpec> randomInputSpecs(const cnnc_model *model);
/// Allocates one tensor per model output.
bool allocateOutputs(const cnnc_model *model, std::vector<HostTensor> &outputs,
                     std::string &error);

/// Runs the model once on tensors from prepareInputs/allocateOutputs.
/// `views` is scratch space kept by the caller so repeated runs (cnnc-bench)
/// do not allocate.
struct RunViews {
  std::vector<cnnc_tensor> inputs, outputs;
};
RunViews makeViews(std::vector<HostTensor> &inputs,
                   std::vector<HostTensor> &outputs);
bool runOnce(cnnc_model *model, RunViews &views, std::string &error);

/// Deterministic uniform values: f32 in [-1, 1), i64 in [0, 10). Input
/// `index` gets its own stream, so its values do not depend on the sizes of
/// the other inputs.
void fillRandom(HostTensor &tensor, uint64_t seed, size_t index);

} // namespace cnnc::tools

#endif // CNNC_RUNTIME_TOOLS_COMMON_H
