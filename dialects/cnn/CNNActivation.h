//===- CNNActivation.h - Element-wise activations ---------------*- C++ -*-===//
//
// One description of the activations: what each activation op computes, and
// what a cnn.conv2d may apply in its epilogue (attributes `activation` and
// `activation_params`). The graph passes and the lowering both use it, so a
// fused activation means exactly what the op it replaced meant.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_DIALECTS_CNN_CNNACTIVATION_H
#define CNNC_DIALECTS_CNN_CNNACTIVATION_H

#include "dialects/cnn/CNNShapes.h"

#include "mlir/IR/Operation.h"

#include <optional>
#include <string>

namespace mlir::cnn {

/// Kinds and their parameters: relu, clip(min, max), sigmoid, tanh,
/// hard_swish, hard_sigmoid(alpha, beta), leaky_relu(alpha), and silu
/// (x * sigmoid(x), which has no op of its own: it is a mul of a value and
/// its sigmoid).
struct Activation {
  std::string kind;
  SmallVector<float, 2> params;
};

/// The activation `op` applies to its single operand, if it is an
/// activation op.
std::optional<Activation> getActivation(Operation *op);

/// Checks that `kind` is known and has as many parameters as it needs.
LogicalResult verifyActivation(StringRef kind, ArrayRef<float> params,
                               EmitErrorFn emitError);

} // namespace mlir::cnn

#endif // CNNC_DIALECTS_CNN_CNNACTIVATION_H
