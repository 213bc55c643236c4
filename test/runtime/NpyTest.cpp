//===- NpyTest.cpp - Tests of the .npy reader and writer ------------------===//

#include "runtime/tools/npy.h"

#include "cnnc/artifact_abi.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace cnnc;

namespace {

std::string tempPath(const std::string &name) {
  // The pid keeps parallel test processes (lit shards) apart.
  return testing::TempDir() + "cnnc_npy_" + std::to_string(getpid()) + "_" +
         name;
}

std::string readBytes(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream file(path, std::ios::binary);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// A .npy file as NumPy would write it, for any version and header text.
std::string makeNpy(unsigned major, const std::string &dict,
                    const std::string &data) {
  size_t lengthSize = major == 1 ? 2 : 4;
  std::string header = dict;
  while ((6 + 2 + lengthSize + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  for (size_t i = 0; i < lengthSize; ++i)
    bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return bytes + header + data;
}

std::string floatBytes(const std::vector<float> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(float));
}

TEST(Npy, RoundTripF32) {
  std::string path = tempPath("f32.npy");
  std::vector<float> values = {1.5f, -2, 0, 3.25f, 1e-30f, -7};
  std::string error;
  ASSERT_TRUE(npy::write(path, CNNC_DTYPE_F32, {2, 3}, values.data(), error))
      << error;

  std::string bytes = readBytes(path);
  // Layout NumPy expects: 1.0 header, data aligned to 64 bytes.
  ASSERT_EQ(bytes.size() % 64, values.size() * 4 % 64);
  EXPECT_EQ(bytes.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)), 0);
  EXPECT_NE(bytes.find("{'descr': '<f4', 'fortran_order': False, "
                       "'shape': (2, 3), }"),
            std::string::npos);
  size_t dataOffset = bytes.size() - values.size() * 4;
  EXPECT_EQ(dataOffset % 64, 0u);
  EXPECT_EQ(bytes[dataOffset - 1], '\n');

  npy::Array array;
  ASSERT_TRUE(npy::read(path, array, error)) << error;
  EXPECT_EQ(array.dtype, CNNC_DTYPE_F32);
  EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(array.numElements(), values.size());
  EXPECT_EQ(std::memcmp(array.data.data(), values.data(), 24), 0);
  std::remove(path.c_str());
}

TEST(Npy, RoundTripI64AndOddRanks) {
  std::string error;
  std::string path = tempPath("i64.npy");
  std::vector<int64_t> values = {0, -1, INT64_MAX, INT64_MIN, 42};
  ASSERT_TRUE(npy::write(path, CNNC_DTYPE_I64, {5}, values.data(), error))
      << error;
  EXPECT_NE(readBytes(path).find("'shape': (5,)"), std::string::npos);
  npy::Array array;
  ASSERT_TRUE(npy::read(path, array, error)) << error;
  EXPECT_EQ(array.dtype, CNNC_DTYPE_I64);
  EXPECT_EQ(array.shape, (std::vector<int64_t>{5}));
  ASSERT_EQ(array.data.size(), 40u);
  EXPECT_EQ(std::memcmp(array.data.data(), values.data(), 40), 0);

  // A scalar has shape () and one element.
  int64_t scalar = 7;
  ASSERT_TRUE(npy::write(path, CNNC_DTYPE_I64, {}, &scalar, error)) << error;
  ASSERT_TRUE(npy::read(path, array, error)) << error;
  EXPECT_TRUE(array.shape.empty());
  ASSERT_EQ(array.numElements(), 1u);
  int64_t readBack = 0;
  std::memcpy(&readBack, array.data.data(), 8);
  EXPECT_EQ(readBack, 7);

  // An empty array has no data at all.
  ASSERT_TRUE(npy::write(path, CNNC_DTYPE_F32, {0, 4}, nullptr, error))
      << error;
  ASSERT_TRUE(npy::read(path, array, error)) << error;
  EXPECT_EQ(array.shape, (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(array.numElements(), 0u);
  std::remove(path.c_str());
}

TEST(Npy, ReadsVersions2And3AndOtherSpellings) {
  std::string error;
  std::string path = tempPath("versions.npy");
  std::string data = floatBytes({1, 2, 3, 4});
  for (unsigned major : {1u, 2u, 3u}) {
    writeBytes(path, makeNpy(major,
                             "{\"shape\": (2L, 2L), \"descr\": \"<f4\", "
                             "\"fortran_order\": False}",
                             data));
    npy::Array array;
    ASSERT_TRUE(npy::read(path, array, error))
        << "version " << major << ": " << error;
    EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(array.data.size(), 16u);
  }
  // Fortran order is the same layout when at most one extent exceeds 1.
  writeBytes(path, makeNpy(1,
                           "{'descr': '<f4', 'fortran_order': True, "
                           "'shape': (1, 4), }",
                           data));
  npy::Array array;
  EXPECT_TRUE(npy::read(path, array, error)) << error;
  std::remove(path.c_str());
}

/// Reads `bytes` as a file and expects failure with `part` in the message.
void expectReadFails(const std::string &bytes, const std::string &part) {
  std::string path = tempPath("bad.npy");
  writeBytes(path, bytes);
  npy::Array array;
  std::string error;
  EXPECT_FALSE(npy::read(path, array, error));
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find(part), std::string::npos) << error;
  std::remove(path.c_str());
}

TEST(Npy, RejectsBadMagic) {
  expectReadFails("PK\x03\x04 this is a zip file", "bad magic");
  expectReadFails("", "bad magic");
  expectReadFails("\x93NUMP", "bad magic");
}

TEST(Npy, RejectsTruncatedFiles) {
  std::string good =
      makeNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
              floatBytes({1, 2, 3, 4, 5, 6}));
  expectReadFails(good.substr(0, 7), "truncated header");
  expectReadFails(good.substr(0, 9), "truncated header");
  expectReadFails(good.substr(0, 40), "truncated header");
  expectReadFails(good.substr(0, good.size() - 1), "truncated data");
  expectReadFails(good.substr(0, good.size() - 24), "truncated data");
  expectReadFails(good + "xx", "unexpected bytes");
}

TEST(Npy, RejectsUnsupportedContent) {
  std::string data = floatBytes({1, 2});
  expectReadFails(makeNpy(1,
                          "{'descr': '<f8', 'fortran_order': False, "
                          "'shape': (1,), }",
                          data),
                  "unsupported dtype '<f8' (float64)");
  expectReadFails(makeNpy(1,
                          "{'descr': '>f4', 'fortran_order': False, "
                          "'shape': (2,), }",
                          data),
                  "'>f4' (big-endian float32)");
  expectReadFails(makeNpy(1,
                          "{'descr': '<f4', 'fortran_order': True, "
                          "'shape': (2, 2), }",
                          floatBytes({1, 2, 3, 4})),
                  "Fortran-order");
  expectReadFails(makeNpy(4, "{}", ""), "unsupported .npy format version 4.0");
  expectReadFails(makeNpy(1, "{'descr': '<f4', 'shape': (2,), }", data),
                  "missing key 'fortran_order'");
  expectReadFails(makeNpy(1,
                          "{'descr': '<f4', 'fortran_order': False, "
                          "'shape': (2), }",
                          data),
                  "malformed value for 'shape'");
  expectReadFails(makeNpy(1,
                          "{'descr': '<f4', 'fortran_order': False, "
                          "'shape': (-2,), }",
                          data),
                  "malformed value for 'shape'");
  expectReadFails(makeNpy(1,
                          "{'descr': '<f4', 'fortran_order': False, "
                          "'shape': (4611686018427387904, 8), }",
                          data),
                  "too large");
}

TEST(Npy, ReportsMissingFileAndUnwritablePath) {
  npy::Array array;
  std::string error;
  EXPECT_FALSE(npy::read("/nonexistent/x.npy", array, error));
  EXPECT_NE(error.find("/nonexistent/x.npy"), std::string::npos) << error;

  float value = 1;
  EXPECT_FALSE(
      npy::write("/nonexistent/dir/y.npy", CNNC_DTYPE_F32, {1}, &value, error));
  EXPECT_NE(error.find("cannot write /nonexistent/dir/y.npy"),
            std::string::npos)
      << error;
  EXPECT_FALSE(npy::write(tempPath("bad_dtype.npy"), 77, {1}, &value, error));
  EXPECT_NE(error.find("dtype 77"), std::string::npos) << error;
}

} // namespace
