//===- CudaTest.cpp - Tests of the runtime's CUDA device ------------------===//
//
// Loads the fake cuda artifacts built from fake_cuda_artifact.c (a
// hand-written PTX kernel, two dependent dispatches, two constants, a
// workspace) and checks results, errors, profiling and the tools on
// "cuda". Whatever can be checked before a device is touched (device
// strings, targets, malformed programs, the device list, a machine without
// a driver or with the toolkit's stub driver) runs everywhere; the rest
// needs a CUDA device and is skipped, with the reason, when there is none.
//
//===----------------------------------------------------------------------===//

#include "test/runtime/RunTool.h"
#include "cnnc/runtime.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

using cnnc::test::Result;
using cnnc::test::runTool;

const int64_t kShape23[] = {2, 3};

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

/// The text of the "# cuda: " note of the device list, or "".
std::string cudaNote() {
  std::string list = deviceList();
  size_t note = list.find("# cuda: ");
  if (note == std::string::npos)
    return "";
  return list.substr(note + 8, list.find('\n', note) - note - 8);
}

/// Empty when this machine has a CUDA device the runtime can use,
/// otherwise why not.
std::string whyNoCudaDevice() {
  std::string list = deviceList();
  if (contains(list, "\ncuda:0 "))
    return "";
  std::string note = cudaNote();
  return note.empty() ? "no CUDA device listed" : "no CUDA device: " + note;
}

#define SKIP_WITHOUT_CUDA_DEVICE()                                             \
  do {                                                                         \
    std::string why = whyNoCudaDevice();                                       \
    if (!why.empty())                                                          \
      GTEST_SKIP() << why;                                                     \
  } while (0)


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

/// y = 4x + 2 w0 + w1 (see fake_cuda_artifact.c), exact for these values.
float expected(const float *x, int i) {
  const float w0[6] = {0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f};
  const float w1[6] = {10.0f, 20.0f, 30.0f, 40.0f, 50.0f, 60.0f};
  return 4 * x[i] + 2 * w0[i] + w1[i];
}

cnnc_status runModel(cnnc_model *model, float *x, float *y) {
  cnnc_tensor input = {CNNC_DTYPE_F32, 2, kShape23, x};
  cnnc_tensor output = {CNNC_DTYPE_F32, 2, kShape23, y};
  return cnnc_model_run(model, &input, 1, &output, 1);
}

// --- Everywhere: nothing here needs a CUDA device -------------------------

TEST(CudaDevices, ListedOrExplained) {
  std::string list = deviceList();
  ASSERT_FALSE(list.empty()) << lastError();
  std::regex device("cuda:([0-9]+) .+ \\[sm_[0-9]+, [0-9]+ [GM]iB\\]");
  int devices = 0, notes = 0;
  size_t begin = 0;
  while (begin < list.size()) {
    size_t end = list.find('\n', begin);
    std::string line = list.substr(begin, end - begin);
    begin = end + 1;
    std::smatch match;
    if (line.rfind("cuda:", 0) == 0) {
      ASSERT_TRUE(std::regex_match(line, match, device)) << line;
      // Numbered in order from 0 (a device that cannot be read leaves a
      // note instead of its line).
      EXPECT_LE(std::stoi(match[1].str()), devices + notes) << list;
      ++devices;
    } else if (line.rfind("# cuda: ", 0) == 0) {
      EXPECT_GT(line.size(), 8u) << line;
      ++notes;
    }
  }
  EXPECT_TRUE(devices > 0 || notes == 1) << list;
  if (devices == 0) {
    std::string note = cudaNote();
    EXPECT_TRUE(contains(note, "CUDA is not available") ||
                contains(note, "no CUDA device found") ||
                contains(note, "cannot count the CUDA devices") ||
                contains(note, "does not provide"))
        << note;
  }
}

TEST(CudaLoad, MalformedDeviceStrings) {
  for (const char *device : {"cuda:", "cuda:x", "cuda:-1", "cuda:0x",
                             "cuda:1:2", "cuda: 1", "cuda:1234567890"}) {
    EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_CU_GOOD, device),
              CNNC_ERROR_INVALID_ARGUMENT)
        << device;
    EXPECT_TRUE(
        contains(lastError(), "invalid device '" + std::string(device) +
                                  "' (expected cuda or cuda:N with N a device "
                                  "index: 0, 1, ...)"))
        << lastError();
  }
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_CU_GOOD, "CUDA"),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "unknown device 'CUDA' (expected one of: "
                                    "cpu, vulkan, vulkan:N, cuda, cuda:N)"))
      << lastError();
}

TEST(CudaLoad, TheTargetMustMatchTheDevice) {
  // All refused before any device is touched.
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_CU_GOOD, "cpu"), CNNC_ERROR_TARGET);
  EXPECT_TRUE(contains(lastError(), "compiled for target 'cuda', but device "
                                    "'cpu' was requested"))
      << lastError();

  cnnc_status status = loadStatus(CNNC_FAKE_ARTIFACT_CU_GOOD, "vulkan");
#if CNNC_TEST_RUNTIME_HAS_VULKAN
  EXPECT_EQ(status, CNNC_ERROR_TARGET);
  EXPECT_TRUE(contains(lastError(), "compiled for target 'cuda', but device "
                                    "'vulkan' was requested"))
      << lastError();
#else
  EXPECT_EQ(status, CNNC_ERROR_INVALID_ARGUMENT);
#endif

  for (const char *device : {"cuda", "cuda:0", "cuda:7"}) {
    EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_GOOD, device), CNNC_ERROR_TARGET);
    EXPECT_TRUE(
        contains(lastError(), "compiled for target 'cpu', but device '" +
                                  std::string(device) + "' was requested"))
        << lastError();
#ifdef CNNC_FAKE_ARTIFACT_VK_GOOD
    EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_VK_GOOD, device),
              CNNC_ERROR_TARGET);
    EXPECT_TRUE(
        contains(lastError(), "compiled for target 'vulkan', but device '" +
                                  std::string(device) + "' was requested"))
        << lastError();
#endif
  }
}

TEST(CudaLoad, MalformedProgramsAreFoundBeforeTheDriver) {
  struct Case {
    const char *path;
    const char *message;
  } cases[] = {
      {CNNC_FAKE_ARTIFACT_CU_NO_PROGRAM,
       "targets 'cuda' but carries no device program"},
      {CNNC_FAKE_ARTIFACT_CU_BAD_KERNEL,
       "malformed device program: dispatch 1 uses kernel 7 but the program "
       "has 2 kernels"},
      {CNNC_FAKE_ARTIFACT_CU_NOT_PTX,
       "malformed device program: kernel 0 ('scale_add_0') is not PTX text "
       "(it has no .version directive)"},
      {CNNC_FAKE_ARTIFACT_CU_NUL,
       "kernel 0 ('scale_add_0') is not PTX text: its code has a NUL byte "
       "at offset 45 of "},
      {CNNC_FAKE_ARTIFACT_CU_NO_TARGET,
       "kernel 0 ('scale_add_0') has no .target directive in its PTX"},
      {CNNC_FAKE_ARTIFACT_CU_NO_ENTRY,
       "kernel 0 ('missing_entry') names an entry point its PTX does not "
       "define (it defines 'scale_add_0')"},
      {CNNC_FAKE_ARTIFACT_CU_PARAMS,
       "kernel 0 ('scale_add_0') has 2 bindings but its PTX entry takes 3 "
       "parameters (one 64-bit pointer per binding)"},
      {CNNC_FAKE_ARTIFACT_CU_BAD_BINDING,
       "binding 2 starts at byte 4096 of the workspace, which has 512 bytes"},
      {CNNC_FAKE_ARTIFACT_CU_MISALIGNED,
       "binding 2 starts at byte 4 of the workspace, not a multiple of 256 "
       "as the artifact ABI requires"},
  };
  // The device index is not looked at either.
  for (const char *device : {"cuda", "cuda:99"})
    for (const Case &c : cases) {
      EXPECT_EQ(loadStatus(c.path, device), CNNC_ERROR_LOAD) << c.path;
      EXPECT_TRUE(contains(lastError(), c.message)) << lastError();
    }
}

TEST(CudaLoad, WithoutADeviceTheLoadSaysWhy) {
  std::string note = cudaNote();
  if (whyNoCudaDevice().empty())
    GTEST_SKIP() << "this machine has a CUDA device";
  ASSERT_FALSE(note.empty()) << deviceList();
  // Well-formed artifacts, whatever a device would make of them.
  for (const char *path :
       {CNNC_FAKE_ARTIFACT_CU_GOOD, CNNC_FAKE_ARTIFACT_CU_SM_HIGH,
        CNNC_FAKE_ARTIFACT_CU_BAD_PTX})
    for (const char *device : {"cuda", "cuda:0", "cuda:3"}) {
      EXPECT_EQ(loadStatus(path, device), CNNC_ERROR_DEVICE) << path;
      std::string expected = "device '" + std::string(device) + "': ";
      EXPECT_EQ(lastError().rfind(expected, 0), 0u) << lastError();
      EXPECT_TRUE(contains(lastError(), note)) << lastError();
    }
}

TEST(CudaLoad, ProfileNeedsALoadedModel) {
  size_t count = 7;
  EXPECT_EQ(cnnc_model_profile(nullptr, nullptr, 0, &count),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(count, 0u);
}

// --- With the CUDA toolkit's stub library as the driver -------------------
//
// The stub exports every driver function and fails every call, cuInit
// included, the way a broken driver installation does. The tools run with
// it first on the library path, so this works on a GPU machine too.

#ifdef CNNC_TEST_CUDA_STUB_DIR

const std::string kStubEnvironment =
    std::string("LD_LIBRARY_PATH='") + CNNC_TEST_CUDA_STUB_DIR + "' ";

TEST(CudaStubDriver, ListDevicesSaysCuInitFailed) {
  Result result = runTool(CNNC_RUN_TOOL, "--list-devices", kStubEnvironment);
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(result.output.rfind("cpu host CPU\n", 0), 0u) << result.output;
  EXPECT_TRUE(contains(result.output,
                       "\n# cuda: CUDA is not available: cuInit failed: "
                       "CUDA_ERROR_STUB_LIBRARY (libcuda.so.1 is the CUDA "
                       "toolkit's stub library, not an NVIDIA driver)\n"))
      << result.output;
  EXPECT_FALSE(contains(result.output, "\ncuda:")) << result.output;
}

TEST(CudaStubDriver, ToolsFailInOneLine) {
  for (const char *tool : {CNNC_RUN_TOOL, CNNC_BENCH_TOOL}) {
    Result result = runTool(tool,
                            std::string(CNNC_FAKE_ARTIFACT_CU_GOOD) +
                                " --device=cuda:0 --input=1",
                            kStubEnvironment);
    EXPECT_EQ(result.exitCode, 1) << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1)
        << result.output;
    EXPECT_TRUE(contains(result.output,
                         ": error: device 'cuda:0': CUDA is not available: "
                         "cuInit failed: CUDA_ERROR_STUB_LIBRARY"))
        << result.output;
  }
}

#else

TEST(CudaStubDriver, NotFound) {
  GTEST_SKIP() << "the CUDA toolkit's stub libcuda.so was not found at "
                  "configure time";
}

#endif // CNNC_TEST_CUDA_STUB_DIR

// --- With the mock driver ---------------------------------------------------
//
// mock_cuda_driver.c stands in for libcuda.so.1 (first on LD_LIBRARY_PATH
// of a child process): it checks how the runtime uses the driver (a
// current context on every thread, addresses inside allocations, what a
// capture may contain, nothing left behind when the last model goes) and
// can fail any call, so every CUDA code path of the runtime runs here.

#ifdef CNNC_TEST_CUDA_MOCK_DIR

/// The environment of a child that sees the mock driver, plus `more`.
std::string mockEnvironment(const std::string &more = "") {
  // A child test binary must run its whole filter, not lit's shard of it.
  return std::string("env -u GTEST_TOTAL_SHARDS -u GTEST_SHARD_INDEX "
                     "-u GTEST_OUTPUT LD_LIBRARY_PATH='") +
         CNNC_TEST_CUDA_MOCK_DIR + "' " + more + " ";
}

size_t lineCount(const std::string &text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(CudaMockDriver, ListsItsDevices) {
  Result result = runTool(CNNC_RUN_TOOL, "--list-devices", mockEnvironment());
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_TRUE(
      contains(result.output, "\ncuda:0 cnnc mock GPU 0 [sm_90, 80 GiB]\n"))
      << result.output;
  EXPECT_FALSE(contains(result.output, "# cuda:")) << result.output;

  result = runTool(CNNC_RUN_TOOL, "--list-devices",
                   mockEnvironment("CNNC_MOCK_CUDA_DEVICES=2 "
                                   "CNNC_MOCK_CUDA_CC=86"));
  EXPECT_TRUE(contains(result.output,
                       "\ncuda:0 cnnc mock GPU 0 [sm_86, 80 GiB]\n"
                       "cuda:1 cnnc mock GPU 1 [sm_86, 80 GiB]\n"))
      << result.output;

  result = runTool(CNNC_RUN_TOOL, "--list-devices",
                   mockEnvironment("CNNC_MOCK_CUDA_DEVICES=0"));
  EXPECT_TRUE(contains(result.output, "\n# cuda: no CUDA device found (the "
                                      "driver lists none)\n"))
      << result.output;

  result = runTool(CNNC_RUN_TOOL, "--list-devices",
                   mockEnvironment("CNNC_MOCK_CUDA_INIT=100"));
  EXPECT_TRUE(contains(result.output,
                       "\n# cuda: CUDA is not available: cuInit failed: "
                       "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is "
                       "detected)\n"))
      << result.output;
}

TEST(CudaMockDriver, TheDeviceTestsPass) {
  // This binary's own CUDA tests, as they run on a GPU.
  char self[4096] = {};
  ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  ASSERT_GT(length, 0);
  Result result = runTool(
      self,
      "--gtest_filter='CudaDevices.*:CudaLoad.*:CudaModel.*:CudaTools.*:"
      "-CudaLoad.WithoutADeviceTheLoadSaysWhy'",
      mockEnvironment());
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "[  PASSED  ] ")) << result.output;
  EXPECT_FALSE(contains(result.output, "[  SKIPPED ]")) << result.output;
  EXPECT_FALSE(contains(result.output, "[  FAILED  ]")) << result.output;
  EXPECT_FALSE(contains(result.output, "mock libcuda")) << result.output;
}

TEST(CudaMockDriver, DeviceTooOldForTheArtifact) {
  Result result = runTool(CNNC_RUN_TOOL,
                          std::string(CNNC_FAKE_ARTIFACT_CU_GOOD) +
                              " --device=cuda --input=1",
                          mockEnvironment("CNNC_MOCK_CUDA_CC=50"));
  EXPECT_EQ(result.exitCode, 1) << result.output;
  EXPECT_EQ(result.output,
            "cnnc-run: error: cuda:0 'cnnc mock GPU 0' cannot run kernel 0 "
            "('scale_add_0'): the artifact needs sm_52, device cuda:0 'cnnc "
            "mock GPU 0' is sm_50 (compile the model for this device's "
            "architecture)\n");
}

TEST(CudaMockDriver, EveryFailingCallIsReportedAndLeaksNothing) {
  // The mock aborts, naming what leaked, if a failed load or run leaves an
  // object behind when the model is freed.
  struct Case {
    const char *failure; // CNNC_MOCK_CUDA_FAIL: function:call:result
    bool profile;        // cnnc-bench --profile rather than cnnc-run
    const char *message;
  } cases[] = {
      {"cuInit:1:999", false,
       "device 'cuda': CUDA is not available: cuInit failed: "
       "CUDA_ERROR_UNKNOWN (unknown error)"},
      {"cuDeviceGetCount:1:2", false,
       "device 'cuda': cannot count the CUDA devices: cuDeviceGetCount "
       "failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
      {"cuDeviceGetAttribute:1:1", false,
       "device 'cuda': cannot query cuda:0: cuDeviceGetAttribute failed: "
       "CUDA_ERROR_INVALID_VALUE"},
      {"cuDevicePrimaryCtxRetain:1:46", false,
       "cuda:0 'cnnc mock GPU 0': cuDevicePrimaryCtxRetain failed: "
       "CUDA_ERROR_DEVICE_UNAVAILABLE"},
      {"cuCtxPushCurrent_v2:1:201", false,
       "cuda:0 'cnnc mock GPU 0': making its CUDA context current failed: "
       "CUDA_ERROR_INVALID_CONTEXT"},
      {"cuModuleLoadDataEx:2:2", false,
       "cuda:0 'cnnc mock GPU 0': JIT-compiling the PTX of kernel 1 "
       "('scale_add_1') failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
      {"cuModuleLoadDataEx:1:222", false,
       "cuda:0 'cnnc mock GPU 0' rejects kernel 0 ('scale_add_0'): "
       "cuModuleLoadDataEx failed: CUDA_ERROR_UNSUPPORTED_PTX_VERSION"},
      {"cuModuleGetFunction:2:500", false,
       "cuda:0 'cnnc mock GPU 0' rejects kernel 1 ('scale_add_1'): its PTX "
       "has no kernel entry 'scale_add_1'"},
      {"cuFuncGetAttribute:1:1", false,
       "cuFuncGetAttribute for kernel 0 ('scale_add_0') failed"},
      {"cuMemAlloc_v2:2:2", false,
       "cuda:0 'cnnc mock GPU 0': allocating 24 bytes of device memory for "
       "output 0 ('y') failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
      {"cuMemAlloc_v2:5:2", false,
       "allocating 512 bytes of device memory for the workspace failed"},
      {"cuMemHostAlloc:2:2", false,
       "allocating 24 bytes of pinned host memory for the staging buffer of "
       "output 0 ('y') failed"},
      {"cuMemsetD8_v2:1:2", false, "clearing the workspace failed"},
      {"cuMemsetD8_v2:2:2", false, "clearing output 0 failed"},
      {"cuMemcpyHtoD_v2:2:2", false, "uploading constant 1 (24 bytes) failed"},
      {"cuCtxSynchronize:1:2", false, "waiting for the weight upload failed"},
      {"cuStreamCreate:1:2", false, "cuStreamCreate failed"},
      {"cuEventCreate:3:2", false, "cuEventCreate failed"},
      {"cuStreamBeginCapture_v2:1:900", false,
       "cuStreamBeginCapture failed: CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"},
      {"cuMemcpyHtoDAsync_v2:1:2", false,
       "capturing the copy of input 0 failed"},
      {"cuLaunchKernel:2:1", false,
       "capturing the run: cuLaunchKernel for dispatch 1 (kernel "
       "'scale_add_1') failed: CUDA_ERROR_INVALID_VALUE"},
      {"cuMemcpyDtoHAsync_v2:1:2", false,
       "capturing the copy of output 0 failed"},
      {"cuGraphInstantiateWithFlags:1:2", false,
       "cuGraphInstantiateWithFlags failed: CUDA_ERROR_OUT_OF_MEMORY"},
      {"cuCtxPushCurrent_v2:2:201", false,
       "cuda:0 'cnnc mock GPU 0': making its CUDA context current failed"},
      {"cuGraphLaunch:1:2", false,
       "cuda:0 'cnnc mock GPU 0': running the model: cuGraphLaunch failed: "
       "CUDA_ERROR_OUT_OF_MEMORY"},
      {"cuStreamSynchronize:1:719", false,
       "cuda:0 'cnnc mock GPU 0': running the model: cuStreamSynchronize "
       "failed: CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure) (the "
       "device's CUDA context cannot run anything after this error; free "
       "every model loaded on it and load them again)"},
      {"cuMemcpyHtoDAsync_v2:2:2", true,
       "--profile: cuda:0 'cnnc mock GPU 0': profiling the last run: copying "
       "input 0 failed"},
      {"cuEventRecord:1:2", true,
       "--profile: cuda:0 'cnnc mock GPU 0': profiling the last run: "
       "cuEventRecord failed"},
      {"cuLaunchKernel:4:1", true,
       "--profile: cuda:0 'cnnc mock GPU 0': profiling the last run: "
       "cuLaunchKernel for dispatch 1 (kernel 'scale_add_1') failed"},
      {"cuEventElapsedTime:2:1", true,
       "reading the time of dispatch 1: cuEventElapsedTime failed"},
  };
  for (const Case &c : cases) {
    std::string environment =
        mockEnvironment(std::string("CNNC_MOCK_CUDA_FAIL=") + c.failure);
    Result result =
        c.profile ? runTool(CNNC_BENCH_TOOL,
                            std::string(CNNC_FAKE_ARTIFACT_CU_GOOD) +
                                " --device=cuda --warmup=0 --reps=1 --profile",
                            environment)
                  : runTool(CNNC_RUN_TOOL,
                            std::string(CNNC_FAKE_ARTIFACT_CU_GOOD) +
                                " --device=cuda --input=1",
                            environment);
    EXPECT_EQ(result.exitCode, 1) << c.failure << ": " << result.output;
    EXPECT_EQ(lineCount(result.output), 1u)
        << c.failure << ": " << result.output;
    EXPECT_EQ(result.output.rfind(
                  c.profile ? "cnnc-bench: error: " : "cnnc-run: error: ", 0),
              0u)
        << c.failure << ": " << result.output;
    EXPECT_TRUE(contains(result.output, c.message))
        << c.failure << ": " << result.output;
  }
}

TEST(CudaMockDriver, AFaultBreaksTheModel) {
  // CudaUnderMock.AFaultBreaksTheModel, in a child whose first
  // synchronization reports a kernel fault.
  char self[4096] = {};
  ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  ASSERT_GT(length, 0);
  Result result =
      runTool(self, "--gtest_filter=CudaUnderMock.AFaultBreaksTheModel",
              mockEnvironment("CNNC_TEST_UNDER_MOCK=1 "
                              "CNNC_MOCK_CUDA_FAIL=cuStreamSynchronize:1:700"));
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "[  PASSED  ] 1 test.")) << result.output;
  EXPECT_FALSE(contains(result.output, "mock libcuda")) << result.output;
}

#else

TEST(CudaMockDriver, NotBuilt) {
  GTEST_SKIP() << "the mock CUDA driver was not built";
}

#endif // CNNC_TEST_CUDA_MOCK_DIR

/// Only in the child of CudaMockDriver.AFaultBreaksTheModel.
TEST(CudaUnderMock, AFaultBreaksTheModel) {
  if (getenv("CNNC_TEST_UNDER_MOCK") == nullptr)
    GTEST_SKIP() << "runs as a child of CudaMockDriver.AFaultBreaksTheModel";
  cnnc_model *model = nullptr;
  ASSERT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_CU_GOOD, "cuda", &model),
            CNNC_OK)
      << lastError();
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {};
  EXPECT_EQ(runModel(model, x, y), CNNC_ERROR_DEVICE);
  EXPECT_TRUE(contains(lastError(), "running the model: cuStreamSynchronize "
                                    "failed: CUDA_ERROR_ILLEGAL_ADDRESS"))
      << lastError();
  // Refused without touching the device again.
  EXPECT_EQ(runModel(model, x, y), CNNC_ERROR_DEVICE);
  EXPECT_EQ(lastError(), "cuda:0 'cnnc mock GPU 0' failed during an earlier "
                         "call (its CUDA context cannot run anything); free "
                         "the model and load it again");
  size_t count = 9;
  EXPECT_EQ(cnnc_model_profile(model, nullptr, 0, &count),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "no successful run")) << lastError();
  // Freed cleanly (the mock aborts if anything is left), after which a new
  // load gets a working context.
  cnnc_model_free(model);
  ASSERT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_CU_GOOD, "cuda", &model),
            CNNC_OK)
      << lastError();
  EXPECT_EQ(runModel(model, x, y), CNNC_OK) << lastError();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], expected(x, i)) << "element " << i;
  cnnc_model_free(model);
}

// --- With a CUDA device ---------------------------------------------------

/// Owns a model loaded for CUDA.
class CudaModel : public testing::Test {
protected:
  void SetUp() override {
    SKIP_WITHOUT_CUDA_DEVICE();
    ASSERT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_CU_GOOD, "cuda", &model),
              CNNC_OK)
        << lastError();
  }
  void TearDown() override { cnnc_model_free(model); }

  cnnc_status run(float *x, float *y) { return runModel(model, x, y); }

  cnnc_model *model = nullptr;
};

TEST(CudaLoad, DeviceIndexOutOfRange) {
  SKIP_WITHOUT_CUDA_DEVICE();
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_CU_GOOD, "cuda:99"),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(),
                       "device 'cuda:99' does not exist: this machine has "))
      << lastError();
  EXPECT_TRUE(contains(lastError(), "cuda:0 '")) << lastError();
}

TEST(CudaLoad, ExplicitDeviceIndex) {
  SKIP_WITHOUT_CUDA_DEVICE();
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_CU_GOOD, "cuda:0"), CNNC_OK)
      << lastError();
}

TEST(CudaLoad, LoadAndFreeRepeatedly) {
  SKIP_WITHOUT_CUDA_DEVICE();
  for (int i = 0; i < 3; ++i) {
    cnnc_model *model = nullptr;
    ASSERT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_CU_GOOD, "cuda", &model),
              CNNC_OK)
        << lastError();
    EXPECT_EQ(cnnc_model_num_inputs(model), 1u);
    EXPECT_EQ(cnnc_model_num_outputs(model), 1u);
    cnnc_model_free(model);
  }
}

TEST(CudaLoad, ArchitectureNewerThanTheDevice) {
  SKIP_WITHOUT_CUDA_DEVICE();
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_CU_SM_HIGH, "cuda"),
            CNNC_ERROR_DEVICE);
  EXPECT_TRUE(contains(lastError(), "cannot run kernel 0 ('scale_add_0'): "
                                    "the artifact needs sm_990, device "
                                    "cuda:0 '"))
      << lastError();
  EXPECT_TRUE(std::regex_search(lastError(), std::regex("' is sm_[0-9]+ ")))
      << lastError();
}

TEST(CudaLoad, TheJitCompilerRejectsBadPtx) {
  SKIP_WITHOUT_CUDA_DEVICE();
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_CU_BAD_PTX, "cuda"), CNNC_ERROR_LOAD);
  EXPECT_TRUE(contains(lastError(), "rejects kernel 0 ('scale_add_0'): "
                                    "cuModuleLoadDataEx failed: "
                                    "CUDA_ERROR_INVALID_PTX"))
      << lastError();
  // The JIT compiler's own message, on the same line.
  EXPECT_TRUE(contains(lastError(), "; JIT log: ")) << lastError();
  EXPECT_TRUE(contains(lastError(), "frobnicate")) << lastError();
  EXPECT_FALSE(contains(lastError(), "\n")) << lastError();
}

TEST(CudaLoad, BlockLargerThanTheDeviceAllows) {
  SKIP_WITHOUT_CUDA_DEVICE();
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_CU_BIG_BLOCK, "cuda"),
            CNNC_ERROR_DEVICE);
  EXPECT_TRUE(contains(lastError(), "cannot run kernel 0 ('scale_add_0'): "
                                    "its workgroup size [4096,1,1] exceeds "
                                    "the device's maximum block size ["))
      << lastError();
}

TEST(CudaLoad, KernelsSharingOneModule) {
  SKIP_WITHOUT_CUDA_DEVICE();
  cnnc_model *model = nullptr;
  ASSERT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_CU_SHARED, "cuda", &model),
            CNNC_OK)
      << lastError();
  float x[6] = {1, -2, 3.5f, 0, 0.25f, -8}, y[6] = {};
  EXPECT_EQ(runModel(model, x, y), CNNC_OK) << lastError();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], expected(x, i)) << "element " << i;
  cnnc_model_free(model);
}

TEST(CudaLoad, TwoModelsOnOneDevice) {
  SKIP_WITHOUT_CUDA_DEVICE();
  cnnc_model *first = nullptr, *second = nullptr;
  ASSERT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_CU_GOOD, "cuda", &first),
            CNNC_OK)
      << lastError();
  ASSERT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_CU_SHARED, "cuda:0", &second),
            CNNC_OK)
      << lastError();
  float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {};
  ASSERT_EQ(runModel(first, x, y), CNNC_OK) << lastError();
  ASSERT_EQ(runModel(second, x, y), CNNC_OK) << lastError();
  // The device's context outlives the first model freed.
  cnnc_model_free(first);
  for (float &value : x)
    value += 1;
  ASSERT_EQ(runModel(second, x, y), CNNC_OK) << lastError();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], expected(x, i)) << "element " << i;
  cnnc_model_free(second);
}

TEST_F(CudaModel, ComputesExactly) {
  float x[6] = {1, -2, 3.5f, 0, 0.25f, -8};
  float y[6] = {};
  ASSERT_EQ(run(x, y), CNNC_OK) << lastError();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], expected(x, i)) << "element " << i;
}

TEST_F(CudaModel, RepeatedRunsSeeTheirOwnInputs) {
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

TEST_F(CudaModel, RunChecksTensorsFirst) {
  float x[6] = {}, y[6] = {};
  const int64_t wrong[] = {3, 2};
  cnnc_tensor input = {CNNC_DTYPE_F32, 2, wrong, x};
  cnnc_tensor output = {CNNC_DTYPE_F32, 2, kShape23, y};
  EXPECT_EQ(cnnc_model_run(model, &input, 1, &output, 1), CNNC_ERROR_SHAPE);
  EXPECT_EQ(lastError(), "input 0 ('x'): expected shape [2,3], got [3,2]");
}

TEST_F(CudaModel, ConcurrentRunsTakeTurns) {
  // Each thread makes the model's context current for its own calls.
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

TEST_F(CudaModel, ProfileGivesEveryDispatchOfTheLastRun) {
  size_t count = 99;
  EXPECT_EQ(cnnc_model_profile(model, nullptr, 0, &count),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(count, 0u);
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

  // Until the next run, the same times.
  cnnc_dispatch_profile again[2] = {};
  ASSERT_EQ(cnnc_model_profile(model, again, 2, &count), CNNC_OK);
  EXPECT_EQ(again[0].device_ms, entries[0].device_ms);
  EXPECT_EQ(again[1].device_ms, entries[1].device_ms);

  // Profiling replays the dispatches on the device only: the caller's
  // outputs stay as the run left them, and the next run is still exact.
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], expected(x, i)) << "element " << i;
  float x2[6] = {-1, -2, -3, -4, -5, -6}, y2[6];
  ASSERT_EQ(run(x2, y2), CNNC_OK) << lastError();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y2[i], expected(x2, i)) << "element " << i;

  // A smaller capacity fills fewer entries but reports every dispatch.
  cnnc_dispatch_profile first = {};
  ASSERT_EQ(cnnc_model_profile(model, &first, 1, &count), CNNC_OK);
  EXPECT_EQ(count, 2u);
  EXPECT_STREQ(first.kernel, "scale_add_0");
}

// --- The tools on "cuda" --------------------------------------------------

TEST(CudaTools, RunPrintsExactOutputs) {
  SKIP_WITHOUT_CUDA_DEVICE();
  Result result =
      runTool(CNNC_RUN_TOOL, std::string(CNNC_FAKE_ARTIFACT_CU_GOOD) +
                                 " --device=cuda --input=1,2,3,4,5,6");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  // 4x + 2 w0 + w1
  EXPECT_EQ(result.output,
            "output 0 ('y'): f32 [2,3]: [15, 30, 45, 60, 75, 90]\n");
}

TEST(CudaTools, RunReportsABadDeviceInOneLine) {
  SKIP_WITHOUT_CUDA_DEVICE();
  Result result =
      runTool(CNNC_RUN_TOOL, std::string(CNNC_FAKE_ARTIFACT_CU_GOOD) +
                                 " --device=cuda:42 --input=1");
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.output.rfind("cnnc-run: error: device 'cuda:42' does not "
                                "exist",
                                0),
            0u)
      << result.output;
}

TEST(CudaTools, RunReportsAKernelFault) {
  // In a child process: a faulting kernel leaves the device's context
  // unusable for the rest of the process.
  SKIP_WITHOUT_CUDA_DEVICE();
  Result result =
      runTool(CNNC_RUN_TOOL, std::string(CNNC_FAKE_ARTIFACT_CU_TRAP) +
                                 " --device=cuda --input=1");
  EXPECT_EQ(result.exitCode, 1) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1)
      << result.output;
  EXPECT_EQ(result.output.rfind("cnnc-run: error: cuda:0 '", 0), 0u)
      << result.output;
  EXPECT_TRUE(contains(result.output, ": running the model: "))
      << result.output;
  EXPECT_TRUE(contains(result.output, " failed: CUDA_ERROR_")) << result.output;
  EXPECT_TRUE(contains(result.output, "free every model loaded on it"))
      << result.output;
}

TEST(CudaTools, BenchProfilesEveryDispatch) {
  SKIP_WITHOUT_CUDA_DEVICE();
  Result result = runTool(CNNC_BENCH_TOOL,
                          std::string(CNNC_FAKE_ARTIFACT_CU_GOOD) +
                              " --device=cuda --warmup=1 --reps=5 --profile");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  std::regex lines(
      "cnnc-bench: median_ms=[0-9]+\\.[0-9]{4} p10_ms=[0-9]+\\.[0-9]{4} "
      "p90_ms=[0-9]+\\.[0-9]{4} min_ms=[0-9]+\\.[0-9]{4} reps=5 threads=1\n"
      "cnnc-bench: dispatch=0 gpu_ms=[0-9]+\\.[0-9]{4} kernel=scale_add_0 "
      "nodes=Mul_0,Add_1\n"
      "cnnc-bench: dispatch=1 gpu_ms=[0-9]+\\.[0-9]{4} kernel=scale_add_1 "
      "nodes=Mul_2,Add_3\n"
      "cnnc-bench: total gpu_ms=[0-9]+\\.[0-9]{4} dispatches=2\n");
  EXPECT_TRUE(std::regex_match(result.output, lines)) << result.output;
}

TEST(CudaTools, BenchWithoutProfile) {
  SKIP_WITHOUT_CUDA_DEVICE();
  Result result =
      runTool(CNNC_BENCH_TOOL, std::string(CNNC_FAKE_ARTIFACT_CU_GOOD) +
                                   " --device=cuda:0 --warmup=2 --reps=10");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_TRUE(std::regex_match(
      result.output,
      std::regex("cnnc-bench: median_ms=[0-9.]+ p10_ms=[0-9.]+ "
                 "p90_ms=[0-9.]+ min_ms=[0-9.]+ reps=10 threads=1\n")))
      << result.output;
}

} // namespace
