//===- ToolsTest.cpp - Tests of cnnc-run and cnnc-bench -------------------===//
//
// Runs the built tools on the fake artifacts and checks exit codes, the
// one-line error format and the files and text they produce.
//
//===----------------------------------------------------------------------===//

#include "test/runtime/RunTool.h"
#include "runtime/tools/npy.h"

#include "cnnc/artifact_abi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using namespace cnnc;

namespace {

using cnnc::test::Result;
using cnnc::test::runTool;


Result cnncRun(const std::string &args) { return runTool(CNNC_RUN_TOOL, args); }

std::string tempPath(const std::string &name) {
  // The pid keeps parallel test processes (lit shards) apart.
  return testing::TempDir() + "cnnc_tools_" + std::to_string(getpid()) + "_" +
         name;
}

/// Runs `model` with `--input=<inputArgs>` writing its output to `out`.
int runToFile(const std::string &model, const std::string &inputArgs,
              const std::string &out) {
  Result result =
      cnncRun(model + " --input=" + inputArgs + " --output=@" + out);
  EXPECT_EQ(result.output, "");
  return result.exitCode;
}

/// Exactly one line "cnnc-run: error: ..." containing `part`.
void expectOneErrorLine(const Result &result, const std::string &part) {
  EXPECT_EQ(result.output.rfind("cnnc-run: error: ", 0), 0u) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1)
      << result.output;
  EXPECT_NE(result.output.find(part), std::string::npos) << result.output;
}

TEST(CnncRun, ListsInputsAndOutputs) {
  Result result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_MULTI) + " --list");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(result.output, "input 0 ('x'): f32 [2,3]\n"
                           "input 1 ('k'): i64 [4]\n"
                           "output 0 ('y'): f32 [2,3]\n"
                           "output 1 ('z'): i64 [4]\n");
}

TEST(CnncRun, RunsOnNpyFilesAndWritesNpyFiles) {
  std::string in = tempPath("x.npy"), out = tempPath("y.npy");
  std::vector<float> x = {1, 2, 3, -4, 5.5f, 0.125f};
  std::string error;
  ASSERT_TRUE(npy::write(in, CNNC_DTYPE_F32, {2, 3}, x.data(), error)) << error;
  Result result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_GOOD) +
                          " --device=cpu --input=@" + in + " --output=@" + out);
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(result.output, "");
  npy::Array y;
  ASSERT_TRUE(npy::read(out, y, error)) << error;
  EXPECT_EQ(y.dtype, CNNC_DTYPE_F32);
  EXPECT_EQ(y.shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(y.numElements(), 6u);
  const float *values = reinterpret_cast<const float *>(y.data.data());
  for (size_t i = 0; i < 6; ++i)
    EXPECT_EQ(values[i], 2 * x[i]);
  std::remove(in.c_str());
  std::remove(out.c_str());
}

TEST(CnncRun, PrintsOutputsAndTakesInlineInputs) {
  Result result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_MULTI) +
                          " --input=[0,1,2,3,4,5] --input=1,2,3,4 --output=-"
                          " --output=-");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(result.output,
            "output 0 ('y'): f32 [2,3]: [10, 11, 12, 13, 14, 15]\n"
            "output 1 ('z'): i64 [4]: [3, 6, 9, 12]\n");
  // One inline value fills the tensor.
  result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_GOOD) + " --input=0.5");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(result.output, "output 0 ('y'): f32 [2,3]: [1, 1, 1, 1, 1, 1]\n");
}

TEST(CnncRun, RandomInputsAreDeterministicAndInRange) {
  std::string model = CNNC_FAKE_ARTIFACT_GOOD;
  std::string a = tempPath("ra.npy"), b = tempPath("rb.npy"),
              c = tempPath("rc.npy");
  ASSERT_EQ(runToFile(model, "random --seed=7", a), 0);
  ASSERT_EQ(runToFile(model, "random --seed=7", b), 0);
  ASSERT_EQ(runToFile(model, "random --seed=8", c), 0);
  npy::Array ya, yb, yc;
  std::string error;
  ASSERT_TRUE(npy::read(a, ya, error)) << error;
  ASSERT_TRUE(npy::read(b, yb, error)) << error;
  ASSERT_TRUE(npy::read(c, yc, error)) << error;
  EXPECT_EQ(ya.data, yb.data);
  EXPECT_NE(ya.data, yc.data);
  const float *values = reinterpret_cast<const float *>(ya.data.data());
  for (size_t i = 0; i < ya.numElements(); ++i) {
    EXPECT_GE(values[i], -2.0f); // y = 2x, x in [-1, 1)
    EXPECT_LT(values[i], 2.0f);
  }
  for (const std::string &path : {a, b, c})
    std::remove(path.c_str());
}

TEST(CnncRun, UsageErrorsExitWith2) {
  Result result = cnncRun("");
  EXPECT_EQ(result.exitCode, 2);
  expectOneErrorLine(result, "no model given");

  result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_GOOD) + " --frobnicate");
  EXPECT_EQ(result.exitCode, 2);
  expectOneErrorLine(result, "unknown option '--frobnicate'");

  result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_GOOD) + " --seed=-1");
  EXPECT_EQ(result.exitCode, 2);
  expectOneErrorLine(result, "invalid --seed=-1");

  result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_GOOD) +
                   " --input=random --output=y.npy");
  EXPECT_EQ(result.exitCode, 2);
  expectOneErrorLine(result, "--output=@FILE.npy");
}

TEST(CnncRun, FailuresExitWith1AndOneLine) {
  Result result =
      cnncRun(std::string(CNNC_FAKE_ARTIFACT_BAD_ABI) + " --input=random");
  EXPECT_EQ(result.exitCode, 1);
  expectOneErrorLine(result, "ABI version");

  result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_GOOD) + " --device=cuda");
  EXPECT_EQ(result.exitCode, 1);
  expectOneErrorLine(result, "compiled for target 'cpu', but device 'cuda' was "
                             "requested");

  result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_MULTI) + " --input=random");
  EXPECT_EQ(result.exitCode, 1);
  expectOneErrorLine(
      result,
      "the model has 2 inputs ('x', 'k') but 1 --input option was given");

  result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_GOOD) + " --input=1,2");
  EXPECT_EQ(result.exitCode, 1);
  expectOneErrorLine(result, "gives 2 values, expected 1 or 6");
}

TEST(CnncRun, NpyInputMismatchesNameTheFile) {
  std::string path = tempPath("wrong.npy");
  std::string error;
  std::vector<int64_t> ints(6, 1);
  ASSERT_TRUE(npy::write(path, CNNC_DTYPE_I64, {2, 3}, ints.data(), error));
  Result result =
      cnncRun(std::string(CNNC_FAKE_ARTIFACT_GOOD) + " --input=@" + path);
  EXPECT_EQ(result.exitCode, 1);
  expectOneErrorLine(result,
                     "input 0 ('x'): " + path +
                         " has dtype i64 ('<i8'), expected f32 ('<f4')");

  std::vector<float> floats(8, 1);
  ASSERT_TRUE(npy::write(path, CNNC_DTYPE_F32, {2, 4}, floats.data(), error));
  result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_GOOD) + " --input=@" + path);
  EXPECT_EQ(result.exitCode, 1);
  expectOneErrorLine(result, "has shape [2,4], expected [2,3]");
  std::remove(path.c_str());

  result = cnncRun(std::string(CNNC_FAKE_ARTIFACT_GOOD) + " --input=@" + path);
  EXPECT_EQ(result.exitCode, 1);
  expectOneErrorLine(result, path);
}

TEST(CnncBench, PrintsOneSummaryLine) {
  Result result =
      runTool(CNNC_BENCH_TOOL, std::string(CNNC_FAKE_ARTIFACT_MULTI) +
                                   " --warmup=2 --reps=25 --threads=3");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  std::regex line("cnnc-bench: median_ms=[0-9]+\\.[0-9]{4} "
                  "p10_ms=[0-9]+\\.[0-9]{4} p90_ms=[0-9]+\\.[0-9]{4} "
                  "min_ms=[0-9]+\\.[0-9]{4} reps=25 threads=3\n");
  EXPECT_TRUE(std::regex_match(result.output, line)) << result.output;

  result = runTool(CNNC_BENCH_TOOL,
                   std::string(CNNC_FAKE_ARTIFACT_GOOD) + " --reps=0");
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_EQ(result.output.rfind("cnnc-bench: error: invalid --reps=0", 0), 0u)
      << result.output;
}

} // namespace
