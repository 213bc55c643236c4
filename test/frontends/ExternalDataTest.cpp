//===- ExternalDataTest.cpp - Tests of ONNX external tensor data ----------===//
//
// Each test lays out a model directory in a fresh temporary folder
// (ROOT/model/model.onnx plus data files; ROOT itself is "outside"), imports
// the model file, and checks the weights or the one diagnostic. Every way a
// location could reach outside the model's directory must be refused with a
// message naming the tensor and the reason.
//
//===----------------------------------------------------------------------===//
#include "frontends/onnx/ONNXImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

using namespace mlir;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

std::string floatBytes(const std::vector<float> &values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

const std::vector<float> kWeights = {1.5f, -2.0f, 0.25f, 8.0f};

void setExternal(onnx::TensorProto &t, const Entries &entries) {
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  for (const auto &[key, value] : entries) {
    auto *e = t.add_external_data();
    e->set_key(key);
    e->set_value(value);
  }
}

onnx::ModelProto emptyModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto *o = model.add_opset_import();
  o->set_domain("");
  o->set_version(13);
  model.mutable_graph()->set_name("g");
  return model;
}

void addIO(onnx::GraphProto &g, bool input, const std::string &name,
           std::vector<int64_t> shape) {
  auto *v = input ? g.add_input() : g.add_output();
  v->set_name(name);
  auto *tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : shape)
    tt->mutable_shape()->add_dim()->set_dim_value(d);
}

void addNode(onnx::GraphProto &g, const std::string &opType,
             std::vector<std::string> inputs, const std::string &output) {
  auto *n = g.add_node();
  n->set_op_type(opType);
  n->set_name(opType + "0");
  for (const std::string &i : inputs)
    n->add_input(i);
  n->add_output(output);
}

/// y = x + w for x and w of shape [4]; w (FLOAT) is stored externally as
/// `entries` describe.
onnx::ModelProto addModel(const Entries &entries) {
  onnx::ModelProto model = emptyModel();
  onnx::GraphProto &g = *model.mutable_graph();
  addIO(g, /*input=*/true, "x", {4});
  addIO(g, /*input=*/false, "y", {4});
  onnx::TensorProto &w = *g.add_initializer();
  w.set_name("w");
  w.set_data_type(onnx::TensorProto::FLOAT);
  w.add_dims(4);
  setExternal(w, entries);
  addNode(g, "Add", {"x", "w"}, "y");
  return model;
}

Entries at(const std::string &location) { return {{"location", location}}; }

class ExternalDataTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(fs::createUniqueDirectory("cnnc-external-data", root));
    dir = root;
    path::append(dir, "model");
    ASSERT_FALSE(fs::create_directory(dir));
  }
  void TearDown() override { fs::remove_directories(root); }

  /// ROOT/model/`rel` (or ROOT/`rel` with a leading "../").
  std::string inDir(llvm::StringRef rel) {
    llvm::SmallString<256> p(dir);
    path::append(p, rel);
    return std::string(p);
  }

  void writeFile(llvm::StringRef rel, llvm::StringRef bytes) {
    std::error_code ec;
    llvm::raw_fd_ostream os(inDir(rel), ec);
    ASSERT_FALSE(ec) << ec.message();
    os << bytes;
  }

  /// Writes `model` as ROOT/model/model.onnx and imports that file.
  bool import(const onnx::ModelProto &model) {
    writeFile("model.onnx", model.SerializeAsString());
    diagnostics.clear();
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      diagnostics += diag.str() + "\n";
      return success();
    });
    auto result = cnnc::importONNXModel(inDir("model.onnx"), context);
    if (failed(result))
      return false;
    module = std::move(*result);
    return true;
  }

  /// The values of the module's only float constant.
  std::vector<float> constantValues() {
    std::vector<float> values;
    int count = 0;
    module->walk([&](arith::ConstantOp op) {
      ++count;
      auto attr = cast<DenseElementsAttr>(op.getValue());
      values.assign(attr.getValues<float>().begin(),
                    attr.getValues<float>().end());
    });
    EXPECT_EQ(count, 1);
    return values;
  }

  /// Imports addModel(entries), expecting exactly the error `message`.
  void expectError(const Entries &entries, const std::string &message) {
    EXPECT_FALSE(import(addModel(entries)));
    EXPECT_EQ(diagnostics, "initializer: tensor 'w' " + message + "\n");
  }

  llvm::SmallString<256> root, dir;
  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::string diagnostics;
};

//===----------------------------------------------------------------------===//
// Data that is read
//===----------------------------------------------------------------------===//

TEST_F(ExternalDataTest, WholeFile) {
  writeFile("w.bin", floatBytes(kWeights));
  ASSERT_TRUE(import(addModel(at("w.bin")))) << diagnostics;
  EXPECT_EQ(constantValues(), kWeights);
}

TEST_F(ExternalDataTest, OffsetAndLength) {
  writeFile("w.bin",
            floatBytes({9, 9, 9}) + floatBytes(kWeights) + floatBytes({7}));
  ASSERT_TRUE(import(
      addModel({{"location", "w.bin"}, {"offset", "12"}, {"length", "16"}})))
      << diagnostics;
  EXPECT_EQ(constantValues(), kWeights);
}

TEST_F(ExternalDataTest, SubdirectoryAndChecksumIgnored) {
  ASSERT_FALSE(fs::create_directory(inDir("data")));
  writeFile("data/w.bin", floatBytes(kWeights));
  ASSERT_TRUE(import(
      addModel({{"location", "./data/w.bin"}, {"checksum", "not-checked"}})))
      << diagnostics;
  EXPECT_EQ(constantValues(), kWeights);
}

TEST_F(ExternalDataTest, Int64Tensor) {
  // Reshape's shape [2, 2] comes from the file.
  std::vector<int64_t> shape = {2, 2};
  std::string bytes(sizeof(int64_t) * 2, '\0');
  std::memcpy(bytes.data(), shape.data(), bytes.size());
  writeFile("shape.bin", bytes);

  onnx::ModelProto model = emptyModel();
  onnx::GraphProto &g = *model.mutable_graph();
  addIO(g, /*input=*/true, "x", {4});
  addIO(g, /*input=*/false, "y", {2, 2});
  onnx::TensorProto &s = *g.add_initializer();
  s.set_name("shape");
  s.set_data_type(onnx::TensorProto::INT64);
  s.add_dims(2);
  setExternal(s, at("shape.bin"));
  addNode(g, "Reshape", {"x", "shape"}, "y");
  ASSERT_TRUE(import(model)) << diagnostics;
  std::string ir;
  llvm::raw_string_ostream os(ir);
  module->print(os);
  EXPECT_NE(ir.find("-> (tensor<2x2xf32>"), std::string::npos) << ir;
}

//===----------------------------------------------------------------------===//
// Locations that are refused
//===----------------------------------------------------------------------===//

TEST_F(ExternalDataTest, AbsoluteLocation) {
  writeFile("w.bin", floatBytes(kWeights));
  std::string absolute = inDir("w.bin");
  expectError(at(absolute),
              "has absolute external data location '" + absolute +
                  "'; it must be relative to the model's directory");
}

TEST_F(ExternalDataTest, DotDotComponent) {
  writeFile("../w.bin", floatBytes(kWeights));
  expectError(at("../w.bin"),
              "has external data location '../w.bin' with a '..' component; "
              "it must stay inside the model's directory");
  // Even one that would come back inside.
  writeFile("w.bin", floatBytes(kWeights));
  expectError(at("x/../w.bin"),
              "has external data location 'x/../w.bin' with a '..' "
              "component; it must stay inside the model's directory");
}

TEST_F(ExternalDataTest, SymlinkedFile) {
  writeFile("../secret.bin", floatBytes(kWeights));
  ASSERT_FALSE(fs::create_link("../secret.bin", inDir("w.bin")));
  expectError(at("w.bin"), "has external data location 'w.bin' through the "
                           "symbolic link 'w.bin'; symbolic links are not "
                           "followed");
}

TEST_F(ExternalDataTest, SymlinkInsideTheDirectoryToo) {
  writeFile("w.bin", floatBytes(kWeights));
  ASSERT_FALSE(fs::create_link("w.bin", inDir("link.bin")));
  expectError(at("link.bin"), "has external data location 'link.bin' "
                              "through the symbolic link 'link.bin'; "
                              "symbolic links are not followed");
}

TEST_F(ExternalDataTest, SymlinkedDirectory) {
  ASSERT_FALSE(fs::create_directory(inDir("../elsewhere")));
  writeFile("../elsewhere/w.bin", floatBytes(kWeights));
  ASSERT_FALSE(fs::create_link("../elsewhere", inDir("data")));
  expectError(at("data/w.bin"), "has external data location 'data/w.bin' "
                                "through the symbolic link 'data'; symbolic "
                                "links are not followed");
}

TEST_F(ExternalDataTest, HardLinkedFile) {
  writeFile("../secret.bin", floatBytes(kWeights));
  ASSERT_FALSE(fs::create_hard_link(inDir("../secret.bin"), inDir("w.bin")));
  expectError(at("w.bin"),
              "has external data file 'w.bin' with 2 hard links; a file "
              "with more than one link may be shared with one outside the "
              "model's directory");
}

TEST_F(ExternalDataTest, DirectoryInsteadOfFile) {
  ASSERT_FALSE(fs::create_directory(inDir("data")));
  expectError(at("data"),
              "has external data location 'data' that is not a regular file");
  expectError(at("."),
              "has external data location '.' that is not a regular file");
}

TEST_F(ExternalDataTest, MissingFile) {
  expectError(at("nowhere.bin"),
              "has external data location 'nowhere.bin' that cannot be "
              "accessed ('nowhere.bin'): No such file or directory");
}

TEST_F(ExternalDataTest, MissingLocation) {
  expectError({{"offset", "0"}, {"length", "16"}},
              "has external data with no location");
}

TEST_F(ExternalDataTest, NonPrintableLocationIsEscaped) {
  expectError(at(std::string("w\0.bin", 6)),
              "has external data location 'w\\00.bin' containing a NUL "
              "character");
}

//===----------------------------------------------------------------------===//
// Offsets and lengths that are refused
//===----------------------------------------------------------------------===//

TEST_F(ExternalDataTest, NonNumericOffsetAndLength) {
  writeFile("w.bin", floatBytes(kWeights));
  expectError({{"location", "w.bin"}, {"offset", "twelve"}},
              "has external data offset 'twelve'; expected a non-negative "
              "integer");
  expectError({{"location", "w.bin"}, {"offset", "-4"}},
              "has external data offset '-4'; expected a non-negative "
              "integer");
  expectError({{"location", "w.bin"}, {"length", "0x10"}},
              "has external data length '0x10'; expected a non-negative "
              "integer");
  expectError({{"location", "w.bin"}, {"length", ""}},
              "has external data length ''; expected a non-negative "
              "integer");
}

TEST_F(ExternalDataTest, OffsetBeyondEnd) {
  writeFile("w.bin", floatBytes(kWeights));
  expectError({{"location", "w.bin"}, {"offset", "17"}},
              "has external data offset 17 beyond the end of 'w.bin' (16 "
              "bytes)");
}

TEST_F(ExternalDataTest, LengthBeyondEnd) {
  writeFile("w.bin", floatBytes(kWeights));
  expectError({{"location", "w.bin"}, {"offset", "4"}, {"length", "16"}},
              "has external data offset 4 + length 16 beyond the end of "
              "'w.bin' (16 bytes)");
}

TEST_F(ExternalDataTest, OffsetPlusLengthOverflows) {
  // 8 + (2^64 - 4) wraps around to 4, which a naive check would accept.
  writeFile("w.bin", floatBytes(kWeights));
  expectError({{"location", "w.bin"},
               {"offset", "8"},
               {"length", "18446744073709551612"}},
              "has external data offset 8 + length 18446744073709551612 "
              "beyond the end of 'w.bin' (16 bytes)");
  expectError({{"location", "w.bin"}, {"offset", "18446744073709551616"}},
              "has external data offset '18446744073709551616'; expected a "
              "non-negative integer");
}

TEST_F(ExternalDataTest, LengthNotTheTensorSize) {
  writeFile("w.bin", floatBytes(kWeights) + floatBytes({0}));
  expectError({{"location", "w.bin"}, {"length", "12"}},
              "has 12 bytes of external data, expected 16");
  expectError(at("w.bin"), "has 20 bytes of external data (the rest of the "
                           "file), expected 16");
}

TEST_F(ExternalDataTest, UnknownAndRepeatedKeys) {
  writeFile("w.bin", floatBytes(kWeights));
  expectError({{"location", "w.bin"}, {"basepath", "/"}},
              "has unsupported external_data key 'basepath'");
  expectError({{"location", "w.bin"}, {"location", "../w.bin"}},
              "has external_data key 'location' more than once");
}

//===----------------------------------------------------------------------===//
// Where external data cannot be read at all
//===----------------------------------------------------------------------===//

TEST_F(ExternalDataTest, ModelFromMemoryHasNoDirectory) {
  writeFile("w.bin", floatBytes(kWeights));
  std::string bytes = addModel(at("w.bin")).SerializeAsString();
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    diagnostics += diag.str() + "\n";
    return success();
  });
  EXPECT_TRUE(
      failed(cnnc::importONNXModelFromBytes(bytes, "<memory>", context)));
  EXPECT_EQ(diagnostics,
            "initializer: tensor 'w' stores its data in an external file, "
            "but the model was not read from a file ('<memory>' is not "
            "one), so there is no directory to find it in\n");

  // A name that is a model file on disk gives its directory.
  writeFile("model.onnx", bytes);
  diagnostics.clear();
  EXPECT_TRUE(succeeded(
      cnnc::importONNXModelFromBytes(bytes, inDir("model.onnx"), context)))
      << diagnostics;
}

TEST_F(ExternalDataTest, ConstantNodeIsRefused) {
  writeFile("c.bin", floatBytes(kWeights));
  onnx::ModelProto model = emptyModel();
  onnx::GraphProto &g = *model.mutable_graph();
  addIO(g, /*input=*/true, "x", {4});
  addIO(g, /*input=*/false, "y", {4});
  addNode(g, "Constant", {}, "c");
  auto *value = g.mutable_node(0)->add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  onnx::TensorProto &t = *value->mutable_t();
  t.set_name("c");
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(4);
  setExternal(t, at("c.bin"));
  addNode(g, "Add", {"x", "c"}, "y");
  EXPECT_FALSE(import(model));
  EXPECT_EQ(diagnostics,
            "node 'Constant0' (Constant, opset 13): tensor 'c' stores its "
            "data in an external file, but only graph initializers may do "
            "so\n");
}

} // namespace
