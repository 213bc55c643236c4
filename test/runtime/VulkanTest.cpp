//===- VulkanTest.cpp - Tests of the runtime's Vulkan device --------------===//
//
// Loads the fake vulkan artifacts built from fake_vulkan_artifact.c (a real
// SPIR-V kernel, two dependent dispatches, two constants, a workspace) and
// checks results, errors, profiling and the tools on "vulkan". Whatever can
// be checked before a device is touched (device strings, targets, malformed
// programs, the device list) runs everywhere; the rest needs a Vulkan
// device (Mesa's lavapipe is enough) and is skipped, with the reason, when
// there is none.
//
//===----------------------------------------------------------------------===//

#include "test/runtime/RunTool.h"
#include "cnnc/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>

namespace {

using cnnc::test::Result;
using cnnc::test::runTool;

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

std::string lastError() { return cnnc_last_error(); }

std::string deviceList() {
  size_t size = 0;
  if (cnnc_list_devices(nullptr, 0, &size) != CNNC_OK)
    return "";
  std::vector<char> text(size);
  if (cnnc_list_devices(text.data(), text.size(), &size) != CNNC_OK)
    return "";
  return text.data();
}

/// Empty when this machine has a Vulkan device the runtime can use,
/// otherwise why not.
std::string whyNoVulkanDevice() {
#if !CNNC_TEST_RUNTIME_HAS_VULKAN
  return "the runtime was built without Vulkan support";
#elif !defined(CNNC_FAKE_ARTIFACT_VK_GOOD)
  return "glslangValidator was not found at build time, so the fake vulkan "
         "artifacts were not built";
#else
  std::string list = deviceList();
  if (contains(list, "\nvulkan:0 "))
    return "";
  size_t note = list.find("# vulkan: ");
  if (note == std::string::npos)
    return "no Vulkan device listed";
  return "no Vulkan device: " +
         list.substr(note + 10, list.find('\n', note) - note - 10);
#endif
}


#define SKIP_WITHOUT_VULKAN_DEVICE()                                           \
  do {                                                                         \
    std::string why = whyNoVulkanDevice();                                     \
    if (!why.empty())                                                          \
      GTEST_SKIP() << why;                                                     \
  } while (0)

TEST(DeviceList, StartsWithTheCpuAndFollowsTheSizeProtocol) {
  size_t size = 0;
  ASSERT_EQ(cnnc_list_devices(nullptr, 0, &size), CNNC_OK) << lastError();
  ASSERT_GT(size, 1u);
  std::vector<char> text(size, 'x');
  ASSERT_EQ(cnnc_list_devices(text.data(), text.size(), &size), CNNC_OK)
      << lastError();
  EXPECT_EQ(text.size(), size);
  std::string list = text.data();
  EXPECT_EQ(list.size() + 1, size);
  EXPECT_EQ(list.rfind("cpu host CPU\n", 0), 0u) << list;
  EXPECT_EQ(list.back(), '\n') << list;
  // Every line is a device ("vulkan:N ...", "cuda:N ...") or a note.
  std::regex line("(cpu host CPU|vulkan:[0-9]+ .+ \\[[a-z-]+, Vulkan "
                  "[0-9.]+(, default)?\\]|cuda:[0-9]+ .+ \\[sm_[0-9]+, "
                  "[0-9]+ [GM]iB\\]|# .+)");
  size_t begin = 0;
  while (begin < list.size()) {
    size_t end = list.find('\n', begin);
    std::string one = list.substr(begin, end - begin);
    EXPECT_TRUE(std::regex_match(one, line)) << one;
    begin = end + 1;
  }

  // Too small: nothing but "" is written.
  char small[4] = {'a', 'b', 'c', 'd'};
  EXPECT_EQ(cnnc_list_devices(small, sizeof(small), &size),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(size, list.size() + 1);
  EXPECT_EQ(small[0], '\0');
  EXPECT_TRUE(contains(lastError(), "the device list needs")) << lastError();

  EXPECT_EQ(cnnc_list_devices(nullptr, 0, nullptr),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_list_devices(nullptr, 8, &size), CNNC_ERROR_INVALID_ARGUMENT);
}

#if CNNC_TEST_RUNTIME_HAS_VULKAN && defined(CNNC_FAKE_ARTIFACT_VK_GOOD)

const int64_t kShape23[] = {2, 3};

/// Status of loading `path` for `device`; checks the model stays null on
/// failure.
cnnc_status loadStatus(const char *path, const char *device) {
  cnnc_model *model = reinterpret_cast<cnnc_model *>(0x1);
  cnnc_status status = cnnc_model_load(path, device, &model);
  if (status != CNNC_OK) {
    EXPECT_EQ(model, nullptr);
  }
  cnnc_model_free(model);
  return status;
}

/// y = 4x + 2 w0 + w1 (see fake_vulkan_artifact.c), exact for these values.
float expected(const float *x, int i) {
  const float w0[6] = {0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f};
  const float w1[6] = {10.0f, 20.0f, 30.0f, 40.0f, 50.0f, 60.0f};
  return 4 * x[i] + 2 * w0[i] + w1[i];
}

/// Owns a model loaded for Vulkan.
class VulkanModel : public testing::Test {
protected:
  void SetUp() override {
    SKIP_WITHOUT_VULKAN_DEVICE();
    ASSERT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_VK_GOOD, "vulkan", &model),
              CNNC_OK)
        << lastError();
  }
  void TearDown() override { cnnc_model_free(model); }

  cnnc_status run(float *x, float *y) {
    cnnc_tensor input = {CNNC_DTYPE_F32, 2, kShape23, x};
    cnnc_tensor output = {CNNC_DTYPE_F32, 2, kShape23, y};
    return cnnc_model_run(model, &input, 1, &output, 1);
  }

  cnnc_model *model = nullptr;
};

TEST(VulkanLoad, VulkanArtifactOnTheCpu) {
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_VK_GOOD, "cpu"), CNNC_ERROR_TARGET);
  EXPECT_TRUE(contains(lastError(), "compiled for target 'vulkan', but device "
                                    "'cpu' was requested"))
      << lastError();
}

TEST(VulkanLoad, MalformedPrograms) {
  // All found before any device is touched.
  struct Case {
    const char *path;
    const char *message;
    const char *more; // a second part of the message, or ""
  } cases[] = {
      {CNNC_FAKE_ARTIFACT_VK_NO_PROGRAM,
       "targets 'vulkan' but carries no device program", ""},
      {CNNC_FAKE_ARTIFACT_VK_BAD_KERNEL,
       "malformed device program: dispatch 1 uses kernel 7 but the program "
       "has 2 kernels",
       ""},
      // The size of the generated SPIR-V is not fixed: match around it.
      {CNNC_FAKE_ARTIFACT_VK_BAD_CODE, "kernel 0 ('scale_add_0') has ",
       " bytes of SPIR-V, not a whole number of 4-byte words"},
      {CNNC_FAKE_ARTIFACT_VK_NOT_SPIRV,
       "kernel 0 ('scale_add_0') is not SPIR-V", ""},
      {CNNC_FAKE_ARTIFACT_VK_BAD_BINDING,
       "binding 2 starts at byte 4096 of the workspace, which has 512 bytes",
       ""},
      {CNNC_FAKE_ARTIFACT_VK_OVERREACH,
       "reaches 1048576 bytes from byte 0 of input 0, which has ", ""},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(loadStatus(c.path, "vulkan"), CNNC_ERROR_LOAD) << c.path;
    EXPECT_TRUE(contains(lastError(), c.message)) << lastError();
    EXPECT_TRUE(contains(lastError(), c.more)) << lastError();
  }
}

TEST(VulkanLoad, DeviceIndexOutOfRange) {
  SKIP_WITHOUT_VULKAN_DEVICE();
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_VK_GOOD, "vulkan:99"),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "device 'vulkan:99' does not exist: this "
                                    "machine has "))
      << lastError();
  EXPECT_TRUE(contains(lastError(), "vulkan:0 '")) << lastError();
}

TEST(VulkanLoad, ExplicitDeviceIndex) {
  SKIP_WITHOUT_VULKAN_DEVICE();
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_VK_GOOD, "vulkan:0"), CNNC_OK)
      << lastError();
}

TEST(VulkanLoad, MisalignedBindingOffset) {
  SKIP_WITHOUT_VULKAN_DEVICE();
  cnnc_status status = loadStatus(CNNC_FAKE_ARTIFACT_VK_MISALIGNED, "vulkan");
  if (status == CNNC_OK)
    GTEST_SKIP() << "the default Vulkan device accepts storage-buffer "
                    "offsets that are multiples of 4";
  EXPECT_EQ(status, CNNC_ERROR_DEVICE);
  EXPECT_TRUE(contains(lastError(),
                       "cannot run dispatch 0 (kernel 'scale_add_0'): its "
                       "binding 2 (program binding 2) starts at byte 4, not a "
                       "multiple of the device's "
                       "minStorageBufferOffsetAlignment"))
      << lastError();
}

TEST(VulkanLoad, LoadAndFreeRepeatedly) {
  SKIP_WITHOUT_VULKAN_DEVICE();
  for (int i = 0; i < 3; ++i) {
    cnnc_model *model = nullptr;
    ASSERT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_VK_GOOD, "vulkan", &model),
              CNNC_OK)
        << lastError();
    EXPECT_EQ(cnnc_model_num_inputs(model), 1u);
    EXPECT_EQ(cnnc_model_num_outputs(model), 1u);
    cnnc_model_free(model);
  }
}

TEST_F(VulkanModel, ComputesExactly) {
  float x[6] = {1, -2, 3.5f, 0, 0.25f, -8};
  float y[6] = {};
  ASSERT_EQ(run(x, y), CNNC_OK) << lastError();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], expected(x, i)) << "element " << i;
}

TEST_F(VulkanModel, RepeatedRunsSeeTheirOwnInputs) {
  for (int rep = 0; rep < 20; ++rep) {
    float x[6], y[6];
    for (int i = 0; i < 6; ++i) {
      x[i] = static_cast<float>(rep * 10 + i) * 0.5f;
      y[i] = NAN;
    }
    ASSERT_EQ(run(x, y), CNNC_OK) << lastError();
    for (int i = 0; i < 6; ++i)
      ASSERT_EQ(y[i], expected(x, i)) << "run " << rep << ", element " << i;
  }
}

TEST_F(VulkanModel, RunChecksTensorsFirst) {
  float x[6] = {}, y[6] = {};
  const int64_t wrong[] = {3, 2};
  cnnc_tensor input = {CNNC_DTYPE_F32, 2, wrong, x};
  cnnc_tensor output = {CNNC_DTYPE_F32, 2, kShape23, y};
  EXPECT_EQ(cnnc_model_run(model, &input, 1, &output, 1), CNNC_ERROR_SHAPE);
  EXPECT_EQ(lastError(), "input 0 ('x'): expected shape [2,3], got [3,2]");
}

TEST_F(VulkanModel, ConcurrentRunsTakeTurns) {
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 25; ++rep) {
        float x[6], y[6];
        for (int i = 0; i < 6; ++i)
          x[i] = static_cast<float>(t * 100 + rep + i);
        if (run(x, y) != CNNC_OK)
          ++failures[t];
        for (int i = 0; i < 6; ++i)
          failures[t] += y[i] != expected(x, i);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST_F(VulkanModel, ProfileGivesEveryDispatchOfTheLastRun) {
  size_t count = 99;
  EXPECT_EQ(cnnc_model_profile(model, nullptr, 0, &count),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(count, 0u);
  if (contains(lastError(), "cannot time its work"))
    GTEST_SKIP() << lastError();
  EXPECT_TRUE(contains(lastError(), "no successful run")) << lastError();

  float x[6] = {1, 2, 3, 4, 5, 6}, y[6];
  ASSERT_EQ(run(x, y), CNNC_OK) << lastError();
  ASSERT_EQ(cnnc_model_profile(model, nullptr, 0, &count), CNNC_OK)
      << lastError();
  ASSERT_EQ(count, 2u);
  cnnc_dispatch_profile entries[3] = {};
  ASSERT_EQ(cnnc_model_profile(model, entries, 3, &count), CNNC_OK)
      << lastError();
  ASSERT_EQ(count, 2u);
  EXPECT_STREQ(entries[0].kernel, "scale_add_0");
  EXPECT_STREQ(entries[0].nodes, "Mul_0,Add_1");
  EXPECT_STREQ(entries[1].kernel, "scale_add_1");
  EXPECT_STREQ(entries[1].nodes, "Mul_2,Add_3");
  for (int d = 0; d < 2; ++d) {
    EXPECT_TRUE(std::isfinite(entries[d].device_ms)) << d;
    EXPECT_GE(entries[d].device_ms, 0.0) << d;
    EXPECT_LT(entries[d].device_ms, 10000.0) << d;
  }
  EXPECT_EQ(entries[2].kernel, nullptr); // beyond the count: untouched

  // A smaller capacity fills fewer entries but reports every dispatch.
  cnnc_dispatch_profile first = {};
  ASSERT_EQ(cnnc_model_profile(model, &first, 1, &count), CNNC_OK);
  EXPECT_EQ(count, 2u);
  EXPECT_STREQ(first.kernel, "scale_add_0");
}

// --- The tools on "vulkan" ----------------------------------------------

TEST(VulkanTools, RunPrintsExactOutputs) {
  SKIP_WITHOUT_VULKAN_DEVICE();
  Result result =
      runTool(CNNC_RUN_TOOL, std::string(CNNC_FAKE_ARTIFACT_VK_GOOD) +
                                 " --device=vulkan --input=1,2,3,4,5,6");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  // 4x + 2 w0 + w1
  EXPECT_TRUE(contains(result.output,
                       "output 0 ('y'): f32 [2,3]: [15, 30, 45, 60, 75, 90]\n"))
      << result.output;
}

TEST(VulkanTools, RunReportsABadDeviceInOneLine) {
  SKIP_WITHOUT_VULKAN_DEVICE();
  Result result =
      runTool(CNNC_RUN_TOOL, std::string(CNNC_FAKE_ARTIFACT_VK_GOOD) +
                                 " --device=vulkan:42 --input=1");
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_TRUE(contains(result.output, "cnnc-run: error: device 'vulkan:42' "
                                      "does not exist"))
      << result.output;
}

TEST(VulkanTools, BenchProfilesEveryDispatch) {
  SKIP_WITHOUT_VULKAN_DEVICE();
  Result result = runTool(CNNC_BENCH_TOOL,
                          std::string(CNNC_FAKE_ARTIFACT_VK_GOOD) +
                              " --device=vulkan --warmup=1 --reps=5 --profile");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  std::regex lines(
      "(.*\n)*" // whatever the driver prints
      "cnnc-bench: median_ms=[0-9]+\\.[0-9]{4} p10_ms=[0-9]+\\.[0-9]{4} "
      "p90_ms=[0-9]+\\.[0-9]{4} min_ms=[0-9]+\\.[0-9]{4} reps=5 threads=1\n"
      "cnnc-bench: dispatch=0 gpu_ms=[0-9]+\\.[0-9]{4} kernel=scale_add_0 "
      "nodes=Mul_0,Add_1\n"
      "cnnc-bench: dispatch=1 gpu_ms=[0-9]+\\.[0-9]{4} kernel=scale_add_1 "
      "nodes=Mul_2,Add_3\n"
      "cnnc-bench: total gpu_ms=[0-9]+\\.[0-9]{4} dispatches=2\n");
  EXPECT_TRUE(std::regex_match(result.output, lines)) << result.output;
}

#else

TEST(VulkanModel, NotBuilt) { GTEST_SKIP() << whyNoVulkanDevice(); }

#endif // CNNC_TEST_RUNTIME_HAS_VULKAN && CNNC_FAKE_ARTIFACT_VK_GOOD

TEST(VulkanTools, ListDevicesNeedsNoModel) {
  Result result = runTool(CNNC_RUN_TOOL, "--list-devices");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(result.output.rfind("cpu host CPU\n", 0), 0u) << result.output;
  EXPECT_EQ(result.output, deviceList());
}

TEST(VulkanTools, BenchProfileNeedsAGpuModel) {
  Result result =
      runTool(CNNC_BENCH_TOOL,
              std::string(CNNC_FAKE_ARTIFACT_GOOD) + " --reps=2 --profile");
  EXPECT_EQ(result.exitCode, 1) << result.output;
  EXPECT_EQ(result.output.rfind("cnnc-bench: error: --profile: "
                                "cnnc_model_profile: model '",
                                0),
            0u)
      << result.output;
  EXPECT_TRUE(contains(result.output, "runs on the CPU")) << result.output;
}

} // namespace
