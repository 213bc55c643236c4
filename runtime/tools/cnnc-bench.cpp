//===- cnnc-bench.cpp - Time a cnnc artifact ------------------------------===//
//
// cnnc-bench MODEL.so --device=cpu [--input=@x.npy|random ...] [--warmup=10]
//            [--reps=100] [--threads=1]
//
// Prints exactly one line:
//   cnnc-bench: median_ms=... p10_ms=... p90_ms=... min_ms=... reps=N threads=T
//
//===----------------------------------------------------------------------===//

#include "runtime/tools/common.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <new>
#include <string>
#include <vector>

using namespace cnnc::tools;

namespace {

constexpr const char *kTool = "cnnc-bench";
constexpr uint64_t kMaxCount = 1000000000;
constexpr uint64_t kMaxThreads = 4096;

void printUsage() {
  std::printf(
      "usage: cnnc-bench MODEL.so [options]\n"
      "\n"
      "Times a cnnc artifact: warm-up runs, then timed runs, then one summary\n"
      "line with the median, 10th and 90th percentiles and minimum in ms.\n"
      "\n"
      "options:\n"
      "  --device=DEVICE   cpu (default); cuda and vulkan are not supported "
      "by\n"
      "                    this runtime build yet\n"
      "  --input=SPEC      one per model input, in graph order: @FILE.npy,\n"
      "                    random, or inline values (see cnnc-run --help);\n"
      "                    without --input every input is random\n"
      "  --seed=N          seed of the random inputs (default 0)\n"
      "  --warmup=N        untimed runs first (default 10)\n"
      "  --reps=N          timed runs, at least 1 (default 100)\n"
      "  --threads=N       thread count, reported as given (the CPU artifact\n"
      "                    is single-threaded for now; default 1)\n"
      "  --help            print this help and exit\n");
}

struct BenchOptions {
  CommonOptions common;
  uint64_t warmup = 10;
  uint64_t reps = 100;
  uint64_t threads = 1;
};

/// Returns -1 when the arguments are fine, otherwise the exit code.
int parseArguments(int argc, char **argv, BenchOptions &options) {
  struct Count {
    const char *name;
    uint64_t *value;
    uint64_t min, max;
  } counts[] = {{"--warmup", &options.warmup, 0, kMaxCount},
                {"--reps", &options.reps, 1, kMaxCount},
                {"--threads", &options.threads, 1, kMaxThreads}};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value, error;
    bool matched = false;
    for (const Count &count : counts) {
      if (arg == count.name)
        return reportError(kTool,
                           "option " + arg + " needs a value: " + arg + "=N",
                           kExitUsage);
      if (!matchOption(arg, count.name, value))
        continue;
      if (!parseUnsigned(value, count.max, *count.value) ||
          *count.value < count.min)
        return reportError(kTool,
                           "invalid " + arg + " (expected an integer from " +
                               std::to_string(count.min) + " to " +
                               std::to_string(count.max) + ")",
                           kExitUsage);
      matched = true;
    }
    if (matched)
      continue;
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

/// The q-quantile of sorted samples, interpolating linearly between the
/// closest ranks (NumPy's default "linear" method).
double quantile(const std::vector<double> &sorted, double q) {
  double position = q * static_cast<double>(sorted.size() - 1);
  size_t below = static_cast<size_t>(position);
  size_t above = std::min(below + 1, sorted.size() - 1);
  double fraction = position - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

int benchTool(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      printUsage();
      return 0;
    }
  }
  BenchOptions options;
  if (int exitCode = parseArguments(argc, argv, options); exitCode >= 0)
    return exitCode;

  std::string error;
  ModelPtr model;
  if (!loadModel(options.common, model, error))
    return reportError(kTool, error, kExitFailure);
  if (options.common.inputs.empty())
    options.common.inputs = randomInputSpecs(model.get());

  std::vector<HostTensor> inputs, outputs;
  if (!prepareInputs(model.get(), options.common, inputs, error) ||
      !allocateOutputs(model.get(), outputs, error))
    return reportError(kTool, error, kExitFailure);
  RunViews views = makeViews(inputs, outputs);

  for (uint64_t i = 0; i < options.warmup; ++i)
    if (!runOnce(model.get(), views, error))
      return reportError(kTool, error, kExitFailure);

  std::vector<double> times;
  times.reserve(options.reps);
  for (uint64_t i = 0; i < options.reps; ++i) {
    auto start = std::chrono::steady_clock::now();
    bool ok = runOnce(model.get(), views, error);
    auto stop = std::chrono::steady_clock::now();
    if (!ok)
      return reportError(kTool, error, kExitFailure);
    times.push_back(
        std::chrono::duration<double, std::milli>(stop - start).count());
  }
  std::sort(times.begin(), times.end());
  std::printf("cnnc-bench: median_ms=%.4f p10_ms=%.4f p90_ms=%.4f "
              "min_ms=%.4f reps=%d threads=%d\n",
              quantile(times, 0.5), quantile(times, 0.1), quantile(times, 0.9),
              times.front(), static_cast<int>(options.reps),
              static_cast<int>(options.threads));
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return benchTool(argc, argv);
  } catch (const std::bad_alloc &) {
    return reportError(kTool, "out of memory", kExitFailure);
  }
}
