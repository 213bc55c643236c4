//===- CNNOps.cpp - Verifiers of the cnn ops ------------------------------===//
#include "dialects/cnn/CNNOps.h"
#include "dialects/cnn/CNNActivation.h"
#include "dialects/cnn/CNNShapes.h"

#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::cnn;

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// Checks that the op's single result has the shape the shape function gave.
static LogicalResult verifyResultShape(Operation *op,
                                       FailureOr<Shape> expected) {
  if (failed(expected))
    return failure();
  ArrayRef<int64_t> actual = shapeOf(op->getResult(0));
  if (ArrayRef<int64_t>(*expected) == actual)
    return success();
  auto diag = op->emitOpError("result shape [");
  llvm::interleaveComma(actual, diag);
  diag << "] does not match the inferred shape [";
  llvm::interleaveComma(*expected, diag);
  return diag << "]";
}

/// An optional `activation` with its `activation_params` (conv2d and
/// squeeze_excite epilogues).
template <typename Op>
static LogicalResult
verifyEpilogue(Op op, std::optional<StringRef> activation,
               std::optional<ArrayRef<float>> params) {
  if (params && !activation)
    return op.emitOpError("has activation_params but no activation");
  if (!activation)
    return success();
  return verifyActivation(*activation, params.value_or(ArrayRef<float>{}),
                          [&] { return op.emitOpError(); });
}

int64_t Conv2DOp::getInputChannels() {
  int64_t channels = 0;
  for (Value in : getInputs())
    channels += shapeOf(in)[1];
  return channels;
}

LogicalResult Conv2DOp::verify() {
  auto emit = [&] { return emitOpError(); };
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  // Several inputs are read as their concatenation along the channels.
  Shape input(shapeOf(getInputs().front()));
  for (Value in : getInputs().drop_front()) {
    ArrayRef<int64_t> shape = shapeOf(in);
    if (shape[0] != input[0] || shape[2] != input[2] || shape[3] != input[3])
      return emitOpError("inputs must agree in N, H and W");
  }
  input[1] = getInputChannels();
  if (getBias() && shapeOf(getBias())[0] != shapeOf(getFilter())[0])
    return emitOpError("bias has ") << shapeOf(getBias())[0]
                                    << " elements, expected one per output "
                                       "channel ("
                                    << shapeOf(getFilter())[0] << ")";
  if (getResidual() && getResidual().getType() != getType())
    return emitOpError("residual must have the result type");
  if (failed(verifyEpilogue(*this, getActivation(), getActivationParams())))
    return failure();
  return verifyResultShape(
      *this, inferConv2DShape(input, shapeOf(getFilter()), getStrides(),
                              getPads(), getDilations(), getGroups(), emit));
}

// cnn.conv2d INPUT `,` %filter (`,` %bias)? (`residual` %r)? attr-dict `:`
// functional-type, where INPUT is `%x` or `(%a, %b, ...)`.
ParseResult Conv2DOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand> inputs, rest;
  OpAsmParser::UnresolvedOperand residual;
  if (succeeded(parser.parseOptionalLParen())) {
    if (parser.parseOperandList(inputs) || parser.parseRParen())
      return failure();
  } else if (parser.parseOperand(inputs.emplace_back())) {
    return failure();
  }
  if (parser.parseComma() || parser.parseOperandList(rest))
    return failure();
  bool hasResidual = succeeded(parser.parseOptionalKeyword("residual"));
  if (hasResidual && parser.parseOperand(residual))
    return failure();
  if (rest.empty() || rest.size() > 2)
    return parser.emitError(parser.getCurrentLocation(),
                            "expected a filter and an optional bias");
  FunctionType type;
  llvm::SMLoc typeLoc = parser.getCurrentLocation();
  if (parser.parseOptionalAttrDict(result.attributes) ||
      parser.parseColonType(type))
    return failure();
  SmallVector<OpAsmParser::UnresolvedOperand> all(inputs);
  llvm::append_range(all, rest);
  if (hasResidual)
    all.push_back(residual);
  if (parser.resolveOperands(all, type.getInputs(), typeLoc, result.operands))
    return failure();
  result.addTypes(type.getResults());
  result.getOrAddProperties<Properties>().operandSegmentSizes = {
      static_cast<int32_t>(inputs.size()), 1,
      static_cast<int32_t>(rest.size() - 1), hasResidual ? 1 : 0};
  return success();
}

void Conv2DOp::print(OpAsmPrinter &p) {
  p << ' ';
  if (getInputs().size() == 1) {
    p << getInputs().front();
  } else {
    p << '(' << getInputs() << ')';
  }
  p << ", " << getFilter();
  if (getBias())
    p << ", " << getBias();
  if (getResidual())
    p << " residual " << getResidual();
  p.printOptionalAttrDict((*this)->getAttrDictionary().getValue(),
                          {getOperandSegmentSizesAttrName()});
  p << " : ";
  p.printFunctionalType(getOperandTypes(), getOperation()->getResultTypes());
}

LogicalResult BatchNormOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2)
    return emitOpError("expects an input of rank >= 2");
  for (Value v : {getScale(), getBias(), getMean(), getVariance()})
    if (shapeOf(v)[0] != in[1])
      return emitOpError("parameters must have one element per channel (")
             << in[1] << "), got " << shapeOf(v)[0];
  if (getResult().getType() != getInput().getType())
    return emitOpError("result type must equal the input type");
  return success();
}

LogicalResult ClipOp::verify() {
  if (getMin().convertToFloat() > getMax().convertToFloat())
    return emitOpError("min (") << getMin().convertToFloat()
                                << ") is greater than max ("
                                << getMax().convertToFloat() << ")";
  return success();
}

static LogicalResult verifyBroadcastOp(Operation *op) {
  return verifyResultShape(
      op, inferBroadcastShape(shapeOf(op->getOperand(0)),
                              shapeOf(op->getOperand(1)),
                              [&] { return op->emitOpError(); }));
}
LogicalResult AddOp::verify() { return verifyBroadcastOp(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastOp(*this); }

LogicalResult MaxPool2DOp::verify() {
  return verifyResultShape(
      *this, inferPool2DShape(shapeOf(getInput()), getKernel(), getStrides(),
                              getPads(), getDilations(), getCeilMode(),
                              [&] { return emitOpError(); }));
}

LogicalResult AvgPool2DOp::verify() {
  ArrayRef<int64_t> kernel = getKernel();
  ArrayRef<int64_t> pads = getPads();
  // A window made only of padding would divide by zero.
  if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] ||
      pads[3] >= kernel[1])
    return emitOpError("pads must be smaller than the kernel");
  int64_t ones[2] = {1, 1};
  return verifyResultShape(
      *this, inferPool2DShape(shapeOf(getInput()), kernel, getStrides(), pads,
                              ones, getCeilMode(),
                              [&] { return emitOpError(); }));
}

static LogicalResult verifyGlobalPool(Operation *op) {
  ArrayRef<int64_t> in = shapeOf(op->getOperand(0));
  return verifyResultShape(op, Shape{in[0], in[1], 1, 1});
}
LogicalResult GlobalAvgPoolOp::verify() { return verifyGlobalPool(*this); }
LogicalResult GlobalMaxPoolOp::verify() { return verifyGlobalPool(*this); }

LogicalResult ConcatOp::verify() {
  SmallVector<ArrayRef<int64_t>> shapes =
      llvm::map_to_vector(getInputs(), shapeOf);
  return verifyResultShape(*this, inferConcatShape(shapes, getAxis(), [&] {
                             return emitOpError();
                           }));
}

LogicalResult ReshapeOp::verify() {
  if (getInput().getType().getNumElements() !=
      getResult().getType().getNumElements())
    return emitOpError("cannot reshape ")
           << getInput().getType() << " to " << getResult().getType()
           << ": element counts differ";
  return success();
}

LogicalResult GemmOp::verify() {
  FailureOr<Shape> shape =
      inferGemmShape(shapeOf(getA()), shapeOf(getB()), getTransA(),
                     getTransB(), [&] { return emitOpError(); });
  if (succeeded(shape) && getC() &&
      failed(checkBroadcastsTo(shapeOf(getC()), *shape, [&] {
        return emitOpError("c does not broadcast to the result: ");
      })))
    return failure();
  return verifyResultShape(*this, shape);
}

LogicalResult MatMulOp::verify() {
  return verifyResultShape(*this,
                           inferGemmShape(shapeOf(getLhs()), shapeOf(getRhs()),
                                          false, false,
                                          [&] { return emitOpError(); }));
}

LogicalResult SubOp::verify() { return verifyBroadcastOp(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastOp(*this); }

LogicalResult PReluOp::verify() {
  if (failed(checkBroadcastsTo(shapeOf(getRhs()), shapeOf(getLhs()), [&] {
        return emitOpError("slope does not broadcast to the input: ");
      })))
    return failure();
  return verifyBroadcastOp(*this);
}

LogicalResult SoftmaxOp::verify() {
  if (static_cast<int64_t>(getAxis()) >= getInput().getType().getRank())
    return emitOpError("axis ") << getAxis() << " is out of range for rank "
                                << getInput().getType().getRank();
  return success();
}

LogicalResult ReduceMeanOp::verify() {
  return verifyResultShape(
      *this, inferReduceShape(shapeOf(getInput()), getAxes(), getKeepdims(),
                              [&] { return emitOpError(); }));
}

LogicalResult TransposeOp::verify() {
  return verifyResultShape(*this,
                           inferTransposeShape(shapeOf(getInput()), getPerm(),
                                               [&] { return emitOpError(); }));
}

LogicalResult SliceOp::verify() {
  return checkSlice(shapeOf(getInput()), getOffsets(), shapeOf(getResult()),
                    getStrides(), [&] { return emitOpError(); });
}

LogicalResult SplitOp::verify() {
  SmallVector<ArrayRef<int64_t>> parts =
      llvm::map_to_vector(getResults(), shapeOf);
  return checkSplit(shapeOf(getInput()), parts, getAxis(),
                    [&] { return emitOpError(); });
}

LogicalResult ChannelPermuteOp::verify() {
  if (getInputs().empty() || getResults().empty())
    return emitOpError("needs at least one input and one result");
  ArrayRef<int64_t> first = shapeOf(getInputs().front());
  int64_t in = 0, out = 0;
  auto sameImage = [&](Value v) {
    ArrayRef<int64_t> s = shapeOf(v);
    return s[0] == first[0] && s[2] == first[2] && s[3] == first[3];
  };
  for (Value v : getInputs()) {
    if (!sameImage(v))
      return emitOpError("inputs and results must agree in N, H and W");
    in += shapeOf(v)[1];
  }
  for (Value v : getResults()) {
    if (!sameImage(v))
      return emitOpError("inputs and results must agree in N, H and W");
    out += shapeOf(v)[1];
  }
  if (static_cast<int64_t>(getSources().size()) != out)
    return emitOpError("has ") << getSources().size()
                               << " sources for " << out << " result channels";
  for (int64_t s : getSources())
    if (s < 0 || s >= in)
      return emitOpError("source channel ")
             << s << " is out of range for " << in << " input channels";
  return success();
}

SmallVector<ChannelPermuteOp::Run> ChannelPermuteOp::getRuns(unsigned result) {
  // (input, channel) of every channel in the inputs' numbering.
  SmallVector<std::pair<unsigned, int64_t>> where;
  for (auto [i, in] : llvm::enumerate(getInputs()))
    for (int64_t c = 0, e = shapeOf(in)[1]; c < e; ++c)
      where.push_back({static_cast<unsigned>(i), c});
  int64_t begin = 0;
  for (unsigned r = 0; r < result; ++r)
    begin += shapeOf(getResult(r))[1];
  ArrayRef<int64_t> sources =
      getSources().slice(begin, shapeOf(getResult(result))[1]);
  SmallVector<Run> runs;
  for (size_t j = 0; j < sources.size();) {
    auto [input, first] = where[sources[j]];
    int64_t stride = 1;
    if (j + 1 < sources.size() && where[sources[j + 1]].first == input &&
        where[sources[j + 1]].second > first)
      stride = where[sources[j + 1]].second - first;
    int64_t length = 1;
    while (j + length < sources.size() &&
           where[sources[j + length]] ==
               std::make_pair(input, first + int64_t(length) * stride))
      ++length;
    runs.push_back({input, first, length == 1 ? 1 : stride, int64_t(length)});
    j += length;
  }
  return runs;
}

LogicalResult PadOp::verify() {
  return verifyResultShape(*this, inferPadShape(shapeOf(getInput()), getPads(),
                                                getMode(),
                                                [&] { return emitOpError(); }));
}

LogicalResult SqueezeExciteOp::verify() {
  int64_t channels = shapeOf(getInput())[1];
  ArrayRef<int64_t> w1 = shapeOf(getW1()), w2 = shapeOf(getW2());
  int64_t reduced = w1[0];
  if (w1[1] != channels || w2[0] != channels || w2[1] != reduced)
    return emitOpError("w1 must be [R, ")
           << channels << "] and w2 [" << channels << ", R], got [" << w1[0]
           << ", " << w1[1] << "] and [" << w2[0] << ", " << w2[1] << "]";
  if (shapeOf(getB1())[0] != reduced || shapeOf(getB2())[0] != channels)
    return emitOpError("b1 must have ")
           << reduced << " elements and b2 " << channels;
  if (failed(verifyEpilogue(*this, getActivation(), getActivationParams())))
    return failure();
  if (failed(verifyActivation(getGate(),
                              getGateParams().value_or(ArrayRef<float>{}),
                              [&] { return emitOpError("gate: "); })))
    return failure();
  if (getResult().getType() != getInput().getType())
    return emitOpError("result type must equal the input type");
  return success();
}

#define GET_OP_CLASSES
#include "dialects/cnn/CNNOps.cpp.inc"
