//===- ModelTest.cpp - Tests of the runtime C API -------------------------===//
//
// Loads the fake artifacts built from fake_artifact.c and checks every
// documented failure of cnnc_model_load and cnnc_model_run, status and
// message both.
//
//===----------------------------------------------------------------------===//

#include "cnnc/runtime.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

const int64_t kShape23[] = {2, 3};

/// Owns a loaded model; the tests fail loudly if loading fails.
class LoadedModel {
public:
  explicit LoadedModel(const char *path, const char *device = "cpu") {
    status = cnnc_model_load(path, device, &model);
  }
  ~LoadedModel() { cnnc_model_free(model); }
  LoadedModel(const LoadedModel &) = delete;
  LoadedModel &operator=(const LoadedModel &) = delete;

  cnnc_status status;
  cnnc_model *model = nullptr;
};

/// Status of loading `path` for `device`; checks the model stays null on
/// failure.
cnnc_status loadStatus(const char *path, const char *device = "cpu") {
  cnnc_model *model = reinterpret_cast<cnnc_model *>(0x1);
  cnnc_status status = cnnc_model_load(path, device, &model);
  if (status != CNNC_OK) {
    EXPECT_EQ(model, nullptr);
  }
  cnnc_model_free(model);
  return status;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

std::string lastError() { return cnnc_last_error(); }

TEST(ModelLoad, LoadsAndDescribesTheGoodArtifact) {
  LoadedModel loaded(CNNC_FAKE_ARTIFACT_GOOD);
  ASSERT_EQ(loaded.status, CNNC_OK) << lastError();
  ASSERT_NE(loaded.model, nullptr);
  EXPECT_EQ(cnnc_model_num_inputs(loaded.model), 1u);
  EXPECT_EQ(cnnc_model_num_outputs(loaded.model), 1u);

  const cnnc_tensor_desc *input = nullptr;
  ASSERT_EQ(cnnc_model_input(loaded.model, 0, &input), CNNC_OK);
  EXPECT_STREQ(input->name, "x");
  EXPECT_EQ(input->dtype, CNNC_DTYPE_F32);
  ASSERT_EQ(input->rank, 2);
  EXPECT_EQ(input->shape[0], 2);
  EXPECT_EQ(input->shape[1], 3);

  const cnnc_tensor_desc *output = nullptr;
  ASSERT_EQ(cnnc_model_output(loaded.model, 0, &output), CNNC_OK);
  EXPECT_STREQ(output->name, "y");
  EXPECT_EQ(output->dtype, CNNC_DTYPE_F32);
  EXPECT_EQ(output->rank, 2);
}

TEST(ModelLoad, DescriptionIndexOutOfRange) {
  LoadedModel loaded(CNNC_FAKE_ARTIFACT_GOOD);
  ASSERT_EQ(loaded.status, CNNC_OK) << lastError();
  const cnnc_tensor_desc *desc = reinterpret_cast<cnnc_tensor_desc *>(0x1);
  EXPECT_EQ(cnnc_model_input(loaded.model, 1, &desc),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(desc, nullptr);
  EXPECT_TRUE(contains(lastError(), "input index 1 is out of range"))
      << lastError();
  EXPECT_EQ(cnnc_model_output(loaded.model, 7, &desc),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "output index 7")) << lastError();
}

TEST(ModelRun, ComputesTwiceTheInput) {
  LoadedModel loaded(CNNC_FAKE_ARTIFACT_GOOD);
  ASSERT_EQ(loaded.status, CNNC_OK) << lastError();
  float x[6] = {1, -2, 3.5f, 0, 0.25f, -8};
  float y[6] = {};
  cnnc_tensor input = {CNNC_DTYPE_F32, 2, kShape23, x};
  cnnc_tensor output = {CNNC_DTYPE_F32, 2, kShape23, y};
  ASSERT_EQ(cnnc_model_run(loaded.model, &input, 1, &output, 1), CNNC_OK)
      << lastError();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], 2 * x[i]) << "element " << i;
}

TEST(ModelRun, MultipleInputsAndOutputsInGraphOrder) {
  LoadedModel loaded(CNNC_FAKE_ARTIFACT_MULTI);
  ASSERT_EQ(loaded.status, CNNC_OK) << lastError();
  const int64_t kShape4[] = {4};
  float x[6] = {0, 1, 2, 3, 4, 5};
  int64_t k[4] = {1, 2, 3, 4};
  float y[6] = {};
  int64_t z[4] = {};
  cnnc_tensor inputs[2] = {{CNNC_DTYPE_F32, 2, kShape23, x},
                           {CNNC_DTYPE_I64, 1, kShape4, k}};
  cnnc_tensor outputs[2] = {{CNNC_DTYPE_F32, 2, kShape23, y},
                            {CNNC_DTYPE_I64, 1, kShape4, z}};
  ASSERT_EQ(cnnc_model_run(loaded.model, inputs, 2, outputs, 2), CNNC_OK)
      << lastError();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], x[i] + 10.0f);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(z[i], 3 * k[i]);
}

TEST(ModelLoad, MissingFile) {
  EXPECT_EQ(loadStatus("/nonexistent/dir/model.so"), CNNC_ERROR_NOT_FOUND);
  EXPECT_TRUE(contains(lastError(), "/nonexistent/dir/model.so"))
      << lastError();
  EXPECT_EQ(loadStatus("no-such-model-in-cwd.so"), CNNC_ERROR_NOT_FOUND);
}

TEST(ModelLoad, TextFileIsRejectedByTheLoader) {
  std::string path = testing::TempDir() + "cnnc_not_an_artifact_" +
                     std::to_string(getpid()) + ".so";
  {
    std::ofstream file(path);
    file << "this is not a shared library\n";
  }
  EXPECT_EQ(loadStatus(path.c_str()), CNNC_ERROR_LOAD);
  EXPECT_TRUE(contains(lastError(), "cannot load artifact")) << lastError();
  EXPECT_TRUE(contains(lastError(), path)) << lastError();
  std::remove(path.c_str());
}

TEST(ModelLoad, DirectoryIsRejected) {
  EXPECT_EQ(loadStatus(testing::TempDir().c_str()), CNNC_ERROR_LOAD);
  EXPECT_TRUE(contains(lastError(), "not a regular file")) << lastError();
}

TEST(ModelLoad, SharedLibraryWithoutArtifactSymbols) {
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_NO_SYMBOLS), CNNC_ERROR_LOAD);
  EXPECT_TRUE(contains(lastError(), "not a cnnc artifact")) << lastError();
}

TEST(ModelLoad, WrongAbiVersion) {
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_BAD_ABI), CNNC_ERROR_ABI_VERSION);
  std::string expected = "ABI version " +
                         std::to_string(CNNC_ARTIFACT_ABI_VERSION + 1) +
                         ", but this runtime supports version " +
                         std::to_string(CNNC_ARTIFACT_ABI_VERSION);
  EXPECT_TRUE(contains(lastError(), expected)) << lastError();
}

TEST(ModelLoad, WrongTarget) {
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_TARGET_CUDA), CNNC_ERROR_TARGET);
  EXPECT_TRUE(contains(lastError(), "compiled for target 'cuda'"))
      << lastError();
  EXPECT_TRUE(contains(lastError(), "device 'cpu'")) << lastError();
}

TEST(ModelLoad, MalformedInfo) {
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_BAD_INFO), CNNC_ERROR_LOAD);
  EXPECT_TRUE(contains(lastError(), "malformed input 0 ('x')")) << lastError();
  EXPECT_TRUE(contains(lastError(), "dtype 99")) << lastError();
}

TEST(ModelLoad, UnknownDevice) {
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_GOOD, "tpu"),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "unknown device 'tpu'")) << lastError();
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_GOOD, ""),
            CNNC_ERROR_INVALID_ARGUMENT);
}

TEST(ModelLoad, CpuArtifactOnACudaDevice) {
  // Rejected before the driver is touched: needs no CUDA device, and the
  // index is not looked at.
  for (const char *device : {"cuda", "cuda:0", "cuda:42"}) {
    EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_GOOD, device), CNNC_ERROR_TARGET);
    EXPECT_TRUE(
        contains(lastError(), "compiled for target 'cpu', but device '" +
                                  std::string(device) + "' was requested"))
        << lastError();
  }
}

TEST(ModelLoad, CudaArtifactWithoutADeviceProgram) {
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_TARGET_CUDA, "cuda"),
            CNNC_ERROR_LOAD);
  EXPECT_TRUE(
      contains(lastError(), "targets 'cuda' but carries no device program"))
      << lastError();
}

TEST(ModelLoad, CpuArtifactOnAVulkanDevice) {
  // Rejected before any device is touched: needs no Vulkan device.
  for (const char *device : {"vulkan", "vulkan:1"}) {
    cnnc_status status = loadStatus(CNNC_FAKE_ARTIFACT_GOOD, device);
#if CNNC_TEST_RUNTIME_HAS_VULKAN
    EXPECT_EQ(status, CNNC_ERROR_TARGET);
    EXPECT_TRUE(
        contains(lastError(), "compiled for target 'cpu', but device '" +
                                  std::string(device) + "' was requested"))
        << lastError();
#else
    EXPECT_EQ(status, CNNC_ERROR_INVALID_ARGUMENT);
    EXPECT_TRUE(contains(lastError(), "built without Vulkan support"))
        << lastError();
#endif
  }
}

TEST(ModelLoad, MalformedDeviceStrings) {
  for (const char *device : {"vulkan:", "vulkan:x", "vulkan:-1", "vulkan:1:2",
                             "vulkan:1234567890"}) {
    EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_GOOD, device),
              CNNC_ERROR_INVALID_ARGUMENT)
        << device;
    EXPECT_TRUE(contains(lastError(), "invalid device '" + std::string(device) +
                                          "' (expected vulkan or vulkan:N"))
        << lastError();
  }
  EXPECT_EQ(loadStatus(CNNC_FAKE_ARTIFACT_GOOD, "cpu:0"),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "unknown device 'cpu:0'")) << lastError();
}

TEST(ModelLoad, BareFileNameIsLookedUpInTheCurrentDirectory) {
  std::string path = CNNC_FAKE_ARTIFACT_GOOD;
  size_t slash = path.rfind('/');
  ASSERT_NE(slash, std::string::npos);
  char previous[4096];
  ASSERT_NE(getcwd(previous, sizeof(previous)), nullptr);
  ASSERT_EQ(chdir(path.substr(0, slash).c_str()), 0);
  cnnc_status status = loadStatus(path.substr(slash + 1).c_str());
  std::string error = lastError();
  ASSERT_EQ(chdir(previous), 0);
  EXPECT_EQ(status, CNNC_OK) << error;
}

TEST(ModelLoad, NullArguments) {
  cnnc_model *model = nullptr;
  EXPECT_EQ(cnnc_model_load(nullptr, "cpu", &model),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_GOOD, nullptr, &model),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_GOOD, "cpu", nullptr),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_model_load("", "cpu", &model), CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);

  // Queries on a null model are harmless.
  EXPECT_EQ(cnnc_model_num_inputs(nullptr), 0u);
  EXPECT_EQ(cnnc_model_num_outputs(nullptr), 0u);
  const cnnc_tensor_desc *desc = nullptr;
  EXPECT_EQ(cnnc_model_input(nullptr, 0, &desc), CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_model_output(nullptr, 0, &desc), CNNC_ERROR_INVALID_ARGUMENT);
  cnnc_model_free(nullptr);
}

/// Fixture with the good model loaded and valid tensors to corrupt.
class ModelRunErrors : public testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(cnnc_model_load(CNNC_FAKE_ARTIFACT_GOOD, "cpu", &model), CNNC_OK)
        << lastError();
    for (float &value : y)
      value = kSentinel;
  }
  void TearDown() override { cnnc_model_free(model); }

  cnnc_status run() { return cnnc_model_run(model, &input, 1, &output, 1); }

  /// The artifact must not have run after a rejected call.
  void expectOutputUntouched() {
    for (float value : y)
      EXPECT_EQ(value, kSentinel);
  }

  static constexpr float kSentinel = 123.0f;
  cnnc_model *model = nullptr;
  float x[6] = {1, 2, 3, 4, 5, 6};
  float y[6];
  cnnc_tensor input = {CNNC_DTYPE_F32, 2, kShape23, x};
  cnnc_tensor output = {CNNC_DTYPE_F32, 2, kShape23, y};
};

TEST_F(ModelRunErrors, WrongInputCount) {
  cnnc_tensor inputs[2] = {input, input};
  EXPECT_EQ(cnnc_model_run(model, inputs, 2, &output, 1),
            CNNC_ERROR_INPUT_COUNT);
  EXPECT_EQ(lastError(), "expected 1 input, got 2");
  EXPECT_EQ(cnnc_model_run(model, nullptr, 0, &output, 1),
            CNNC_ERROR_INPUT_COUNT);
  expectOutputUntouched();
}

TEST_F(ModelRunErrors, WrongOutputCount) {
  EXPECT_EQ(cnnc_model_run(model, &input, 1, nullptr, 0),
            CNNC_ERROR_OUTPUT_COUNT);
  EXPECT_EQ(lastError(), "expected 1 output, got 0");
  cnnc_tensor outputs[3] = {output, output, output};
  EXPECT_EQ(cnnc_model_run(model, &input, 1, outputs, 3),
            CNNC_ERROR_OUTPUT_COUNT);
  expectOutputUntouched();
}

TEST_F(ModelRunErrors, WrongRank) {
  const int64_t shape[] = {2, 3, 1};
  input.rank = 3;
  input.shape = shape;
  EXPECT_EQ(run(), CNNC_ERROR_SHAPE);
  EXPECT_EQ(lastError(),
            "input 0 ('x'): expected rank 2 (shape [2,3]), got rank 3");
  expectOutputUntouched();
}

TEST_F(ModelRunErrors, WrongExtent) {
  const int64_t shape[] = {2, 4};
  input.shape = shape;
  EXPECT_EQ(run(), CNNC_ERROR_SHAPE);
  EXPECT_EQ(lastError(), "input 0 ('x'): expected shape [2,3], got [2,4]");
  expectOutputUntouched();

  input.shape = kShape23;
  const int64_t outShape[] = {3, 3};
  output.shape = outShape;
  EXPECT_EQ(run(), CNNC_ERROR_SHAPE);
  EXPECT_EQ(lastError(), "output 0 ('y'): expected shape [2,3], got [3,3]");
  expectOutputUntouched();
}

TEST_F(ModelRunErrors, WrongDtype) {
  input.dtype = CNNC_DTYPE_I64;
  EXPECT_EQ(run(), CNNC_ERROR_DTYPE);
  EXPECT_EQ(lastError(), "input 0 ('x'): expected dtype f32, got i64");
  input.dtype = 42;
  EXPECT_EQ(run(), CNNC_ERROR_DTYPE);
  EXPECT_TRUE(contains(lastError(), "got dtype 42 (unknown)")) << lastError();
  expectOutputUntouched();
}

TEST_F(ModelRunErrors, NullPointers) {
  EXPECT_EQ(cnnc_model_run(nullptr, &input, 1, &output, 1),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_model_run(model, nullptr, 1, &output, 1),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_model_run(model, &input, 1, nullptr, 1),
            CNNC_ERROR_INVALID_ARGUMENT);

  input.data = nullptr;
  EXPECT_EQ(run(), CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "input 0 ('x'): data is null");
  input.data = x;

  input.shape = nullptr;
  EXPECT_EQ(run(), CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "input 0 ('x'): shape is null");
  input.shape = kShape23;

  output.data = nullptr;
  EXPECT_EQ(run(), CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "output 0 ('y'): data is null");
}

TEST_F(ModelRunErrors, OutputOverlappingInput) {
  output.data = x + 1;
  EXPECT_EQ(run(), CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "output 0 ('y') overlaps input 0 ('x')");
  expectOutputUntouched();
}

TEST(ModelErrors, LastErrorIsPerThread) {
  EXPECT_EQ(loadStatus("/nonexistent/a.so"), CNNC_ERROR_NOT_FOUND);
  std::string otherThreadError = "unset";
  std::thread([&] { otherThreadError = cnnc_last_error(); }).join();
  EXPECT_EQ(otherThreadError, "");
  EXPECT_TRUE(contains(lastError(), "/nonexistent/a.so")) << lastError();
}

TEST(ModelErrors, StatusNames) {
  EXPECT_STREQ(cnnc_status_name(CNNC_OK), "ok");
  EXPECT_STREQ(cnnc_status_name(CNNC_ERROR_ABI_VERSION), "abi-version");
  EXPECT_STREQ(cnnc_status_name(CNNC_ERROR_SHAPE), "shape");
  EXPECT_STREQ(cnnc_status_name(CNNC_ERROR_DEVICE), "device");
  EXPECT_STREQ(cnnc_status_name(static_cast<cnnc_status>(1000)), "unknown");
}

TEST(ModelProfile, CpuModelsHaveNoDispatches) {
  LoadedModel loaded(CNNC_FAKE_ARTIFACT_GOOD);
  ASSERT_EQ(loaded.status, CNNC_OK) << lastError();
  size_t count = 99;
  EXPECT_EQ(cnnc_model_profile(loaded.model, nullptr, 0, &count),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(count, 0u);
  EXPECT_TRUE(contains(lastError(), "runs on the CPU")) << lastError();
  EXPECT_EQ(cnnc_model_profile(nullptr, nullptr, 0, &count),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_model_profile(loaded.model, nullptr, 0, nullptr),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_model_profile(loaded.model, nullptr, 3, &count),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "entries is null")) << lastError();
}

TEST(ModelRun, ConcurrentRunsOnOneModel) {
  LoadedModel loaded(CNNC_FAKE_ARTIFACT_GOOD);
  ASSERT_EQ(loaded.status, CNNC_OK) << lastError();
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 200; ++rep) {
        float x[6], y[6];
        for (int i = 0; i < 6; ++i)
          x[i] = static_cast<float>(t * 1000 + rep + i);
        cnnc_tensor input = {CNNC_DTYPE_F32, 2, kShape23, x};
        cnnc_tensor output = {CNNC_DTYPE_F32, 2, kShape23, y};
        if (cnnc_model_run(loaded.model, &input, 1, &output, 1) != CNNC_OK)
          ++failures[t];
        for (int i = 0; i < 6; ++i)
          failures[t] += y[i] != 2 * x[i];
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
}

} // namespace
