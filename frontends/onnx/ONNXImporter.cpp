//===- ONNXImporter.cpp - ONNX ModelProto to the cnn dialect --------------===//
#include "frontends/onnx/ONNXImporter.h"
#include "frontends/onnx/ExternalData.h"
#include "frontends/onnx/NodeContext.h"

#include "dialects/cnn/CNNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace cnnc;
using namespace cnnc::onnx_import;

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(const onnx::NodeProto &node, std::string description,
                         int opset, OpBuilder &builder, Location loc,
                         llvm::StringMap<ImportedValue> &values)
    : node_(node), description_(std::move(description)), opset_(opset),
      builder_(builder), loc_(loc), values_(values),
      outputSet_(node.output_size(), false) {}

InFlightDiagnostic NodeContext::emitError() {
  failed_ = true;
  return mlir::emitError(loc_) << description_ << ": ";
}

int NodeContext::numInputs() const {
  int n = node_.input_size();
  while (n > 0 && node_.input(n - 1).empty())
    --n;
  return n;
}

bool NodeContext::hasInput(int i) const {
  return i < node_.input_size() && !node_.input(i).empty();
}

RankedTensorType NodeContext::f32Type(ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, builder_.getF32Type());
}

Value onnx_import::materializeConstant(OpBuilder &builder, Location loc,
                                       const ConstTensor &data) {
  auto type = RankedTensorType::get(data.shape, builder.getF32Type());
  DenseElementsAttr attr;
  if (data.isFloat) {
    attr = DenseElementsAttr::get(type, ArrayRef<float>(data.floats));
  } else {
    std::vector<float> converted(data.ints.begin(), data.ints.end());
    attr = DenseElementsAttr::get(type, ArrayRef<float>(converted));
  }
  return builder.create<arith::ConstantOp>(loc, attr);
}

FailureOr<Value> NodeContext::input(int i) {
  if (!hasInput(i))
    return emitError() << "input " << i << " is required";
  auto it = values_.find(node_.input(i));
  if (it == values_.end())
    return emitError() << "input " << i << " ('" << node_.input(i)
                       << "') is not defined by any earlier node, input or "
                          "initializer";
  ImportedValue &v = it->second;
  if (!v.value) {
    if (!v.constant->isFloat)
      return emitError() << "input " << i << " ('" << node_.input(i)
                         << "') is an integer tensor; only float tensors "
                            "are supported as data";
    // Materialize at the top of the function so every later use dominates.
    OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToStart(builder_.getInsertionBlock());
    v.value = materializeConstant(builder_, loc_, *v.constant);
  }
  return v.value;
}

const ConstTensor *NodeContext::knownConstant(int i) const {
  if (!hasInput(i))
    return nullptr;
  auto it = values_.find(node_.input(i));
  return it == values_.end() ? nullptr : it->second.constant.get();
}

FailureOr<const ConstTensor *> NodeContext::constantInput(int i,
                                                          StringRef what) {
  if (!hasInput(i))
    return emitError() << "input " << i << " (" << what << ") is required";
  if (const ConstTensor *c = knownConstant(i))
    return c;
  return emitError() << "input " << i << " (" << what << ", '"
                       << node_.input(i)
                       << "') must be known at compile time (an initializer "
                          "or a constant expression)";
}

FailureOr<Shape> NodeContext::inputShape(int i) {
  if (!hasInput(i))
    return emitError() << "input " << i << " is required";
  auto it = values_.find(node_.input(i));
  if (it == values_.end())
    return emitError() << "input " << i << " ('" << node_.input(i)
                       << "') is not defined";
  if (it->second.constant)
    return it->second.constant->shape;
  return Shape(cast<RankedTensorType>(it->second.value.getType()).getShape());
}

bool NodeContext::hasOutput(int i) const {
  return i < node_.output_size() && !node_.output(i).empty();
}

void NodeContext::setOutput(int i, Value value) {
  outputSet_[i] = true;
  values_[node_.output(i)] = ImportedValue{value, nullptr};
}

void NodeContext::setConstantOutput(int i, ConstTensor data) {
  outputSet_[i] = true;
  values_[node_.output(i)] =
      ImportedValue{Value(), std::make_shared<const ConstTensor>(std::move(data))};
}

LogicalResult NodeContext::checkOutputsSet() {
  for (int i = 0; i < numOutputs(); ++i)
    if (hasOutput(i) && !outputSet_[i])
      return emitError() << "output " << i << " ('" << node_.output(i)
                         << "') is not supported";
  return success();
}

bool NodeContext::hasAttr(StringRef name) const {
  for (const auto &a : node_.attribute())
    if (a.name() == name)
      return true;
  return false;
}

const onnx::AttributeProto *
NodeContext::findAttr(StringRef name, onnx::AttributeProto::AttributeType type) {
  readAttrs_.insert(name);
  for (const auto &a : node_.attribute()) {
    if (a.name() != name)
      continue;
    if (a.type() != type) {
      emitError() << "attribute '" << name << "' has type "
                  << onnx::AttributeProto::AttributeType_Name(a.type())
                  << ", expected "
                  << onnx::AttributeProto::AttributeType_Name(type);
      return nullptr;
    }
    return &a;
  }
  return nullptr;
}

int64_t NodeContext::attrInt(StringRef name, int64_t def) {
  auto *a = findAttr(name, onnx::AttributeProto::INT);
  return a ? a->i() : def;
}

float NodeContext::attrFloat(StringRef name, float def) {
  auto *a = findAttr(name, onnx::AttributeProto::FLOAT);
  return a ? a->f() : def;
}

std::string NodeContext::attrString(StringRef name, StringRef def) {
  auto *a = findAttr(name, onnx::AttributeProto::STRING);
  return a ? a->s() : def.str();
}

SmallVector<int64_t> NodeContext::attrInts(StringRef name,
                                           ArrayRef<int64_t> def) {
  auto *a = findAttr(name, onnx::AttributeProto::INTS);
  return a ? SmallVector<int64_t>(a->ints().begin(), a->ints().end())
           : SmallVector<int64_t>(def);
}

SmallVector<float> NodeContext::attrFloats(StringRef name,
                                           ArrayRef<float> def) {
  auto *a = findAttr(name, onnx::AttributeProto::FLOATS);
  return a ? SmallVector<float>(a->floats().begin(), a->floats().end())
           : SmallVector<float>(def);
}

const onnx::TensorProto *NodeContext::attrTensor(StringRef name) {
  auto *a = findAttr(name, onnx::AttributeProto::TENSOR);
  return a ? &a->t() : nullptr;
}

LogicalResult NodeContext::checkAttributesRead() {
  for (const auto &a : node_.attribute())
    if (!readAttrs_.contains(a.name()))
      return emitError() << "unsupported attribute '" << a.name() << "'";
  return success();
}

//===----------------------------------------------------------------------===//
// Tensor data
//===----------------------------------------------------------------------===//

template <typename T, typename Field>
static LogicalResult readData(const onnx::TensorProto &t, int64_t n,
                              const Field &field, std::vector<T> &out,
                              const ExternalDataDir &externalDir,
                              function_ref<InFlightDiagnostic()> emitError) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    // Allocated only once the file is known to hold the data; little-endian
    // hosts only, as for raw_data.
    return readExternalData(
        t, externalDir, static_cast<uint64_t>(n) * sizeof(T),
        [&] {
          out.resize(n);
          return reinterpret_cast<char *>(out.data());
        },
        emitError);
  }
  if (t.has_raw_data()) {
    const std::string &raw = t.raw_data();
    if (raw.size() != static_cast<size_t>(n) * sizeof(T))
      return emitError() << "tensor '" << t.name() << "' has " << raw.size()
                         << " bytes of data, expected " << n * sizeof(T);
    out.resize(n);
    if (n) // little-endian hosts only, as ONNX raw_data is little-endian
      std::memcpy(out.data(), raw.data(), raw.size());
    return success();
  }
  if (field.size() != n)
    return emitError() << "tensor '" << t.name() << "' has " << field.size()
                       << " elements, expected " << n;
  out.assign(field.begin(), field.end());
  return success();
}

/// parseTensor, reading external data relative to `externalDir`.
static FailureOr<ConstTensor>
parseTensorIn(const onnx::TensorProto &t, const ExternalDataDir &externalDir,
              function_ref<InFlightDiagnostic()> emitError) {
  ConstTensor result;
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > std::numeric_limits<int32_t>::max() / d))
      return emitError() << "tensor '" << t.name() << "' has invalid dims";
    result.shape.push_back(d);
    n *= d;
  }
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    result.isFloat = true;
    if (failed(readData<float>(t, n, t.float_data(), result.floats, externalDir,
                               emitError)))
      return failure();
    return result;
  case onnx::TensorProto::INT64:
    result.isFloat = false;
    if (failed(readData<int64_t>(t, n, t.int64_data(), result.ints, externalDir,
                                 emitError)))
      return failure();
    return result;
  case onnx::TensorProto::INT32: {
    result.isFloat = false;
    std::vector<int32_t> ints;
    if (failed(readData<int32_t>(t, n, t.int32_data(), ints, externalDir,
                                 emitError)))
      return failure();
    result.ints.assign(ints.begin(), ints.end());
    return result;
  }
  default:
    return emitError() << "tensor '" << t.name() << "' has element type "
                       << onnx::TensorProto::DataType_Name(
                              static_cast<onnx::TensorProto::DataType>(
                                  t.data_type()))
                       << "; only FLOAT (and INT64/INT32 for shapes) are "
                          "supported";
  }
}

FailureOr<ConstTensor>
onnx_import::parseTensor(const onnx::TensorProto &t,
                         function_ref<InFlightDiagnostic()> emitError) {
  // Only the graph importer knows the model's directory.
  ExternalDataDir noDir{"", "only graph initializers may do so"};
  return parseTensorIn(t, noDir, emitError);
}

//===----------------------------------------------------------------------===//
// Graph import
//===----------------------------------------------------------------------===//

namespace {

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, StringRef modelName,
                ExternalDataDir externalDir, const ImportOptions &options)
      : ctx_(ctx), builder_(&ctx), modelName_(modelName.str()),
        externalDir_(std::move(externalDir)), options_(options) {}

  FailureOr<OwningOpRef<ModuleOp>> import(const onnx::ModelProto &model);

private:
  Location nameLoc(StringRef name) {
    return NameLoc::get(StringAttr::get(&ctx_, name),
                        FileLineColLoc::get(&ctx_, modelName_, 0, 0));
  }
  InFlightDiagnostic modelError() {
    return emitError(FileLineColLoc::get(&ctx_, modelName_, 0, 0));
  }
  FailureOr<Shape> inputShape(const onnx::ValueInfoProto &info);
  LogicalResult runONNXChecker(const onnx::ModelProto &model, int opset,
                               TypeRange resultTypes);
  LogicalResult importNode(const onnx::NodeProto &node, int index, int opset);

  MLIRContext &ctx_;
  OpBuilder builder_;
  std::string modelName_;
  ExternalDataDir externalDir_;
  const ImportOptions &options_;
  llvm::StringMap<ImportedValue> values_;
};

} // namespace

FailureOr<Shape> GraphImporter::inputShape(const onnx::ValueInfoProto &info) {
  auto it = options_.inputShapes.find(info.name());
  if (it != options_.inputShapes.end())
    return Shape(it->second);
  const auto &type = info.type();
  if (!type.has_tensor_type())
    return modelError() << "graph input '" << info.name()
                        << "' is not a tensor";
  const auto &tt = type.tensor_type();
  if (tt.elem_type() != onnx::TensorProto::FLOAT)
    return modelError() << "graph input '" << info.name() << "' has element type "
                        << onnx::TensorProto::DataType_Name(
                               static_cast<onnx::TensorProto::DataType>(
                                   tt.elem_type()))
                        << "; only FLOAT inputs are supported";
  if (!tt.has_shape())
    return modelError() << "graph input '" << info.name()
                        << "' has no shape; give one with --input-shape";
  Shape shape;
  for (const auto &[i, dim] : llvm::enumerate(tt.shape().dim())) {
    if (dim.has_dim_value() && dim.dim_value() == 0)
      return modelError() << "graph input '" << info.name() << "' dimension "
                          << i << " has extent 0; empty tensors are not "
                             "supported";
    if (!dim.has_dim_value() || dim.dim_value() < 0)
      return modelError() << "graph input '" << info.name() << "' dimension "
                          << i << " is dynamic"
                          << (dim.has_dim_param()
                                  ? " ('" + dim.dim_param() + "')"
                                  : std::string())
                          << "; give a static shape with --input-shape="
                          << info.name() << ":DxDx...";
    shape.push_back(dim.dim_value());
  }
  return shape;
}

static const OpImporter *findImporter(StringRef opType, int opset) {
  for (const OpImporter &imp : opImporters())
    if (opType == imp.opType && opset >= imp.minOpset && opset <= imp.maxOpset)
      return &imp;
  return nullptr;
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node, int index,
                                        int opset) {
  std::string name = node.name().empty()
                         ? node.op_type() + "#" + std::to_string(index)
                         : node.name();
  std::string description = "node '" + name + "' (" + node.op_type() +
                            ", opset " + std::to_string(opset) + ")";
  NodeContext ctx(node, description, opset, builder_, nameLoc(name), values_);
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return ctx.emitError() << "operator domain '" << node.domain()
                           << "' is not supported";
  const OpImporter *imp = findImporter(node.op_type(), opset);
  if (!imp) {
    bool known = llvm::any_of(opImporters(), [&](const OpImporter &i) {
      return node.op_type() == i.opType;
    });
    return ctx.emitError() << (known ? "operator is not supported at this opset"
                                     : "unsupported operator");
  }
  if (failed(imp->import(ctx)) || ctx.failed())
    return failure();
  return failure(failed(ctx.checkAttributesRead()) ||
                 failed(ctx.checkOutputsSet()));
}

/// libonnx's own checker, where it knows the model's opset (it knows those
/// up to the release it was built from; newer models get cnnc's checks
/// only), the model keeps no tensor in external files (cnnc checks and
/// reads those itself: the checker's path handling is not safe on hostile
/// models), and names the default domain "" (the checker does not know
/// "ai.onnx" as its other name).
LogicalResult GraphImporter::runONNXChecker(const onnx::ModelProto &model,
                                            int opset,
                                            TypeRange resultTypes) {
  const auto &versions =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto known = versions.find(onnx::ONNX_DOMAIN);
  if (known == versions.end() || opset > known->second.second)
    return success();
  for (const onnx::TensorProto &init : model.graph().initializer())
    if (init.data_location() == onnx::TensorProto::EXTERNAL)
      return success();
  // The checker does not take "ai.onnx" as the default domain's other name.
  if (llvm::none_of(model.opset_import(),
                    [](const auto &o) { return o.domain().empty(); }))
    return success();
  // Exporters often leave graph outputs without a shape, which ONNX
  // Runtime accepts and this checker does not: check a copy with the
  // shapes cnnc inferred.
  onnx::ModelProto checked = model;
  for (auto [out, type] :
       llvm::zip(*checked.mutable_graph()->mutable_output(), resultTypes)) {
    auto *tensorType = out.mutable_type()->mutable_tensor_type();
    if (tensorType->has_shape())
      continue;
    for (int64_t d : cast<RankedTensorType>(type).getShape())
      tensorType->mutable_shape()->add_dim()->set_dim_value(d);
  }
  try {
    onnx::checker::check_model(checked);
  } catch (const std::exception &e) {
    // One line: the checker's messages span several.
    std::string message = e.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    return modelError() << "ONNX's checker rejects the model: "
                        << StringRef(message).trim();
  }
  return success();
}

FailureOr<OwningOpRef<ModuleOp>>
GraphImporter::import(const onnx::ModelProto &model) {
  int opset = -1;
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = static_cast<int>(o.version());
  if (opset < 0)
    return modelError() << "model imports no version of the default ONNX "
                           "operator set";
  if (!model.has_graph())
    return modelError() << "model has no graph";
  const onnx::GraphProto &graph = model.graph();

  OwningOpRef<ModuleOp> module = ModuleOp::create(nameLoc(modelName_));
  builder_.setInsertionPointToEnd(module->getBody());

  for (const onnx::TensorProto &init : graph.initializer()) {
    FailureOr<ConstTensor> data = parseTensorIn(
        init, externalDir_, [&] { return modelError() << "initializer: "; });
    if (failed(data))
      return failure();
    values_[init.name()] = ImportedValue{
        Value(), std::make_shared<const ConstTensor>(std::move(*data))};
  }

  // Graph inputs that are not initializers become function arguments.
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const auto &in : graph.input()) {
    if (values_.count(in.name()))
      continue;
    FailureOr<Shape> shape = inputShape(in);
    if (failed(shape))
      return failure();
    argTypes.push_back(RankedTensorType::get(*shape, builder_.getF32Type()));
    args.push_back(&in);
  }
  auto func = builder_.create<func::FuncOp>(
      nameLoc(graph.name().empty() ? "main" : graph.name()), "main",
      builder_.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [i, in] : llvm::enumerate(args)) {
    func.setArgAttr(i, "cnn.name", builder_.getStringAttr(in->name()));
    values_[in->name()] = ImportedValue{body->getArgument(i), nullptr};
  }
  builder_.setInsertionPointToEnd(body);

  for (const auto &[i, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, static_cast<int>(i), opset)))
      return failure();

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    auto it = values_.find(out.name());
    if (it == values_.end())
      return modelError() << "graph output '" << out.name()
                          << "' is not produced by any node";
    if (!it->second.value) {
      if (!it->second.constant->isFloat)
        return modelError() << "graph output '" << out.name()
                            << "' is an integer tensor; not supported";
      it->second.value = materializeConstant(builder_, nameLoc(out.name()),
                                             *it->second.constant);
    }
    results.push_back(it->second.value);
    resultTypes.push_back(it->second.value.getType());
  }
  if (results.empty())
    return modelError() << "graph has no outputs";
  builder_.create<func::ReturnOp>(nameLoc("return"), results);
  func.setFunctionType(builder_.getFunctionType(argTypes, resultTypes));
  for (const auto &[i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "cnn.name", builder_.getStringAttr(out.name()));

  if (failed(verify(*module)))
    return failure();
  // cnnc's own checks ran first, so that what they reject is reported at
  // the node; ONNX's checker then catches what they do not look at.
  if (failed(runONNXChecker(model, opset, resultTypes)))
    return failure();
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

static void loadDialects(MLIRContext &ctx) {
  ctx.loadDialect<cnn::CNNDialect, func::FuncDialect, arith::ArithDialect>();
}

FailureOr<OwningOpRef<ModuleOp>>
cnnc::importONNXModelFromBytes(StringRef bytes, StringRef name,
                               MLIRContext &context,
                               const ImportOptions &options) {
  loadDialects(context);
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return emitError(FileLineColLoc::get(&context, name, 0, 0))
           << "cannot parse '" << name
           << "' as an ONNX model (truncated or not a ModelProto)";
  GraphImporter importer(context, llvm::sys::path::filename(name),
                         externalDataDirOf(name), options);
  return importer.import(model);
}

FailureOr<OwningOpRef<ModuleOp>>
cnnc::importONNXModel(StringRef path, MLIRContext &context,
                      const ImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(UnknownLoc::get(&context))
           << "cannot read '" << path << "': " << buffer.getError().message();
  return importONNXModelFromBytes((*buffer)->getBuffer(), path, context,
                                  options);
}

SmallVector<SupportedOp> cnnc::supportedOps() {
  SmallVector<SupportedOp> ops;
  for (const OpImporter &imp : opImporters())
    ops.push_back({imp.opType, imp.minOpset, imp.maxOpset, imp.constraints});
  llvm::sort(ops, [](const SupportedOp &a, const SupportedOp &b) {
    return std::make_pair(a.opType, a.minOpset) <
           std::make_pair(b.opType, b.minOpset);
  });
  return ops;
}
