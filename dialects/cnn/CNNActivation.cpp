//===- CNNActivation.cpp - Element-wise activations -----------------------===//
#include "dialects/cnn/CNNActivation.h"
#include "dialects/cnn/CNNOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::cnn;

std::optional<Activation> cnn::getActivation(Operation *op) {
  auto f = [](APFloat v) { return v.convertToFloat(); };
  return llvm::TypeSwitch<Operation *, std::optional<Activation>>(op)
      .Case([](ReluOp) { return Activation{"relu", {}}; })
      .Case([&](ClipOp c) {
        return Activation{"clip", {f(c.getMin()), f(c.getMax())}};
      })
      .Case([](SigmoidOp) { return Activation{"sigmoid", {}}; })
      .Case([](TanhOp) { return Activation{"tanh", {}}; })
      .Case([](HardSwishOp) { return Activation{"hard_swish", {}}; })
      .Case([&](HardSigmoidOp h) {
        return Activation{"hard_sigmoid", {f(h.getAlpha()), f(h.getBeta())}};
      })
      .Case([&](LeakyReluOp l) {
        return Activation{"leaky_relu", {f(l.getAlpha())}};
      })
      .Default([](Operation *) { return std::nullopt; });
}

LogicalResult cnn::verifyActivation(StringRef kind, ArrayRef<float> params,
                                    EmitErrorFn emitError) {
  std::optional<size_t> expected =
      llvm::StringSwitch<std::optional<size_t>>(kind)
          .Cases("relu", "sigmoid", "tanh", "hard_swish", "silu", 0)
          .Cases("clip", "hard_sigmoid", 2)
          .Case("leaky_relu", 1)
          .Default(std::nullopt);
  if (!expected)
    return emitError() << "unknown activation '" << kind << "'";
  if (params.size() != *expected)
    return emitError() << "activation '" << kind << "' takes " << *expected
                       << " parameters, got " << params.size();
  if (kind == "clip" && params[0] > params[1])
    return emitError() << "clip min (" << params[0]
                       << ") is greater than max (" << params[1] << ")";
  return success();
}
