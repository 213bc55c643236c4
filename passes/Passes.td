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

#endif // CNNC_PASSES_PASSES_TD
