//===- NodeContext.h - What an operator importer sees of its node -*- C++ -*-===//
//
// Internal to the ONNX frontend. An operator importer gets a NodeContext:
// its node's inputs (as SSA values or, when known at compile time, as
// constant data), typed attribute accessors, a builder positioned at the
// node with the node's location, and emitError() that names the node, its
// op type and the opset. Attribute accessors record which attributes the
// importer read, so an attribute nobody reads is reported as unsupported.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTENDS_ONNX_NODECONTEXT_H
#define CNNC_FRONTENDS_ONNX_NODECONTEXT_H

#include "dialects/cnn/CNNShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

#include <string>
#include <vector>

namespace cnnc::onnx_import {

using mlir::cnn::Shape;

/// Tensor data known at compile time: initializers, Constant nodes, and the
/// results of shape computations folded during import.
struct ConstTensor {
  Shape shape;
  bool isFloat = true;
  std::vector<float> floats;   // when isFloat
  std::vector<int64_t> ints;   // otherwise
  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

/// An imported ONNX value: an SSA value, compile-time data, or both (data is
/// materialized as an arith.constant the first time an op needs a Value).
struct ImportedValue {
  mlir::Value value;
  std::shared_ptr<const ConstTensor> constant;
};

class NodeContext {
public:
  NodeContext(const onnx::NodeProto &node, std::string description, int opset,
              mlir::OpBuilder &builder, mlir::Location loc,
              llvm::StringMap<ImportedValue> &values);

  const onnx::NodeProto &node() const { return node_; }
  int opset() const { return opset_; }
  mlir::OpBuilder &builder() { return builder_; }
  mlir::Location loc() const { return loc_; }

  /// An error at the node, prefixed with "node 'NAME' (OP, opset N): ".
  mlir::InFlightDiagnostic emitError();
  /// Set by emitError; importers may return failure() or keep going.
  bool failed() const { return failed_; }

  /// Inputs: trailing and empty names count as absent.
  int numInputs() const;
  bool hasInput(int i) const;
  /// The input as a tensor Value (materializing constants); an error if
  /// absent or not a float tensor.
  mlir::FailureOr<mlir::Value> input(int i);
  /// The input's compile-time data; an error naming `what` if unknown.
  mlir::FailureOr<const ConstTensor *> constantInput(int i,
                                                     llvm::StringRef what);
  /// The input's compile-time data, or null (no error) if not known.
  const ConstTensor *knownConstant(int i) const;
  /// Static shape of input `i` (constant or not); an error if absent.
  mlir::FailureOr<Shape> inputShape(int i);

  int numOutputs() const { return node_.output_size(); }
  bool hasOutput(int i) const;
  void setOutput(int i, mlir::Value value);
  void setConstantOutput(int i, ConstTensor data);
  /// Checks that every named output was produced.
  mlir::LogicalResult checkOutputsSet();

  /// Attributes. A missing attribute gives the default; one of the wrong
  /// ONNX type is an error (and gives the default).
  bool hasAttr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t def);
  float attrFloat(llvm::StringRef name, float def);
  std::string attrString(llvm::StringRef name, llvm::StringRef def);
  llvm::SmallVector<int64_t> attrInts(llvm::StringRef name,
                                      llvm::ArrayRef<int64_t> def);
  llvm::SmallVector<float> attrFloats(llvm::StringRef name,
                                      llvm::ArrayRef<float> def);
  const onnx::TensorProto *attrTensor(llvm::StringRef name);
  /// Errors for every attribute no accessor read.
  mlir::LogicalResult checkAttributesRead();

  mlir::RankedTensorType f32Type(llvm::ArrayRef<int64_t> shape);

  /// Creates a cnn op at the node.
  template <typename OpTy, typename... Args> OpTy create(Args &&...args) {
    return builder_.create<OpTy>(loc_, std::forward<Args>(args)...);
  }

private:
  const onnx::AttributeProto *findAttr(llvm::StringRef name,
                                       onnx::AttributeProto::AttributeType type);

  const onnx::NodeProto &node_;
  std::string description_;
  int opset_;
  mlir::OpBuilder &builder_;
  mlir::Location loc_;
  llvm::StringMap<ImportedValue> &values_;
  llvm::StringSet<> readAttrs_;
  llvm::SmallVector<bool> outputSet_;
  bool failed_ = false;
};

/// Parses a TensorProto's data (float or int64 kinds); `emitError` reports
/// unsupported types and truncated data.
mlir::FailureOr<ConstTensor>
parseTensor(const onnx::TensorProto &tensor,
            llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

/// An arith.constant holding `data` (integers converted to f32).
mlir::Value materializeConstant(mlir::OpBuilder &builder, mlir::Location loc,
                                const ConstTensor &data);

/// An operator importer and the opsets it covers.
struct OpImporter {
  const char *opType;
  int minOpset;
  int maxOpset;
  const char *constraints;
  mlir::LogicalResult (*import)(NodeContext &);
};
llvm::ArrayRef<OpImporter> opImporters();

} // namespace cnnc::onnx_import

#endif // CNNC_FRONTENDS_ONNX_NODECONTEXT_H
