//===- Passes.td - Graph passes on the cnn dialect ---------*- tablegen -*-===//
#ifndef CNNC_PASSES_PASSES_TD
#define CNNC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldConvBatchNorm : Pass<"cnn-fold-conv-bn", "mlir::func::FuncOp"> {
  let summary = "Fold inference BatchNorm into the convolution before it";
  let description = [{
    `batch_norm(conv(x, W, b))` becomes `conv(x, W', b')` with, per output
    channel f, `s = gamma[f] / sqrt(var[f] + eps)`, `W'[f] = W[f] * s` and
    `b'[f] = (b[f] - mean[f]) * s + beta[f]` (`b = 0` without a bias). The
    same holds for grouped and depthwise convolutions, whose output channels
    are still indexed by f. Folds only when the weights and statistics are
    constants and the convolution has no other user; anything else is left
    as it is, which is still correct.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def FuseConvActivation : Pass<"cnn-fuse-conv-activation", "mlir::func::FuncOp"> {
  let summary = "Move the activation after a convolution into its epilogue";
  let description = [{
    `act(conv(x))` becomes `conv(x) {activation = ...}` when the activation
    is the convolution's only user: relu, clip (relu6), sigmoid, tanh,
    hard_swish, hard_sigmoid, leaky_relu, and the self-gated forms
    exporters spell `mul(c, gate(c))` (the gate and the mul being the conv's
    only two users): silu for a sigmoid gate, hard_swish for
    hard_sigmoid(1/6, 1/2). The backends then apply it while the convolution's result is in
    registers. A convolution that already has an activation is left alone.
  }];
}

def FoldChannelShuffle : Pass<"cnn-fold-channel-shuffle", "mlir::func::FuncOp"> {
  let summary = "Fold concat / channel shuffle / split chains into one op";
  let description = [{
    (description written with the implementation)
  }];
}

#endif // CNNC_PASSES_PASSES_TD
