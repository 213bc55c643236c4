//===- cnnc-bench.cpp - Time a cnnc artifact ------------------------------===//
//
// cnnc-bench MODEL.so --device=cpu|vulkan|vulkan:N|cuda|cuda:N
//            [--input=@x.npy|random ...]
//            [--warmup=10] [--reps=100] [--threads=1] [--profile]
//
// Prints one summary line:
//   cnnc-bench: median_ms=... p10_ms=... p90_ms=... min_ms=... reps=N threads=T
// and with --profile (GPU models) then one line per dispatch, in dispatch
// order, and a total, the device time as the median over the timed runs:
//   cnnc-bench: dispatch=I gpu_ms=... kernel=NAME nodes=NODE,NODE,...
//   cnnc-bench: total gpu_ms=... dispatches=N
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
      "  --device=DEVICE   cpu (default), vulkan, vulkan:N, cuda or cuda:N "
      "(see\n"
      "                    cnnc-run --help and --list-devices)\n"
      "  --input=SPEC      one per model input, in graph order: @FILE.npy,\n"
      "                    random, or inline values (see cnnc-run --help);\n"
      "                    without --input every input is random\n"
      "  --seed=N          seed of the random inputs (default 0)\n"
      "  --warmup=N        untimed runs first (default 10)\n"
      "  --reps=N          timed runs, at least 1 (default 100)\n"
      "  --threads=N       thread count, reported as given (the CPU artifact\n"
      "                    is single-threaded for now; default 1)\n"
      "  --profile         GPU models: after the summary line, print the "
      "device\n"
      "                    time of each dispatch (median over the timed "
      "runs)\n"
      "                    with its kernel and ONNX nodes, then the total\n"
      "  --help            print this help and exit\n");
}

struct BenchOptions {
  CommonOptions common;
  uint64_t warmup = 10;
  uint64_t reps = 100;
  uint64_t threads = 1;
  bool profile = false;
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
    if (arg == "--profile") {
      options.profile = true;
      continue;
    }
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

/// Sorts `samples` (at least one) and returns their median.
double median(std::vector<double> &samples) {
  std::sort(samples.begin(), samples.end());
  return quantile(samples, 0.5);
}

/// Device times of every dispatch over the timed runs (--profile).
class Profile {
public:
  /// Records the dispatch times of the run that just finished.
  bool record(cnnc_model *model, std::string &error) {
    size_t count = 0;
    if (cnnc_model_profile(model, nullptr, 0, &count) == CNNC_OK) {
      entries_.resize(count);
      if (cnnc_model_profile(model, entries_.data(), count, &count) ==
          CNNC_OK) {
        samples_.resize(count);
        double total = 0;
        for (size_t d = 0; d < count; ++d) {
          samples_[d].push_back(entries_[d].device_ms);
          total += entries_[d].device_ms;
        }
        totals_.push_back(total);
        return true;
      }
    }
    error = std::string("--profile: ") + cnnc_last_error();
    return false;
  }

  /// One line per dispatch, then the total; after at least one record().
  void print() {
    for (size_t d = 0; d < samples_.size(); ++d)
      std::printf("cnnc-bench: dispatch=%zu gpu_ms=%.4f kernel=%s nodes=%s\n",
                  d, median(samples_[d]), entries_[d].kernel,
                  entries_[d].nodes);
    std::printf("cnnc-bench: total gpu_ms=%.4f dispatches=%zu\n",
                median(totals_), samples_.size());
  }

private:
  std::vector<cnnc_dispatch_profile> entries_; // of the last run
  std::vector<std::vector<double>> samples_;   // [dispatch][run]
  std::vector<double> totals_;                 // [run]
};

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
  Profile profile;
  for (uint64_t i = 0; i < options.reps; ++i) {
    auto start = std::chrono::steady_clock::now();
    bool ok = runOnce(model.get(), views, error);
    auto stop = std::chrono::steady_clock::now();
    if (!ok)
      return reportError(kTool, error, kExitFailure);
    times.push_back(
        std::chrono::duration<double, std::milli>(stop - start).count());
    // Outside the timed interval.
    if (options.profile && !profile.record(model.get(), error))
      return reportError(kTool, error, kExitFailure);
  }
  std::sort(times.begin(), times.end());
  std::printf("cnnc-bench: median_ms=%.4f p10_ms=%.4f p90_ms=%.4f "
              "min_ms=%.4f reps=%d threads=%d\n",
              quantile(times, 0.5), quantile(times, 0.1), quantile(times, 0.9),
              times.front(), static_cast<int>(options.reps),
              static_cast<int>(options.threads));
  if (options.profile)
    profile.print();
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
