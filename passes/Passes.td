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
  let summary = "Move the residual add and the activation after a "
                "convolution into its epilogue";
  let description = [{
    `add(conv(x), r)` becomes `conv(x) residual r` when the add is the
    convolution's only user and `r` has the result's type (a residual
    connection; the conv has no activation yet). `act(conv(x))` becomes
    `conv(x) {activation = ...}` when the activation is the convolution's
    only user: relu, clip (relu6), sigmoid, tanh, hard_swish, hard_sigmoid,
    leaky_relu, and the self-gated forms exporters spell `mul(c, gate(c))`
    (the gate and the mul being the conv's only two users): silu for a
    sigmoid gate, hard_swish for hard_sigmoid(1/6, 1/2). So ResNet's
    `relu(add(conv, identity))` is one conv with both. The backends apply
    the epilogue while the convolution's result is in registers. A
    convolution that already has an activation is left alone.
  }];
}

def FoldChannelShuffle : Pass<"cnn-fold-channel-shuffle", "mlir::func::FuncOp"> {
  let summary = "Fold concat / channel shuffle / split chains away";
  let description = [{
    Every op that only routes channels of 4-D tensors (concat and split along
    dim 1, a slice of channels, and the shuffle spelled reshape [N,C,H,W] ->
    [N,g,C/g,H,W] or [N,g,C/g,H*W] -> transpose of dims 1 and 2 -> reshape
    back) becomes a `cnn.channel_permute`; chains of them compose, so that
    ShuffleNet's concat -> shuffle -> split is one op and no permute reads
    another's result (the identity half of a unit is read from where it was
    computed). Then:
    - a result whose readers are all convolutions over all channels with
      constant filters (or depthwise convolutions feeding only such) is
      reordered to group channels by producer, the readers' filters (and
      the depthwise weights) permuted to match;
    - a groups=1 convolution with constant weights whose channels go only to
      permutes, each channel to one place and each result receiving one
      contiguous block of them, is split by output rows into one
      convolution per block (channels nobody reads are dropped);
    - what is left becomes concats of whole values and slices, which the
      backends build in place; routings that interleave (ShuffleNet v1's
      shuffle after a grouped convolution, or a shuffle that is returned)
      stay one `cnn.channel_permute`.
    A reshape-transpose-reshape that is not a channel permutation is left
    alone.
  }];
}

def FuseSqueezeExcite : Pass<"cnn-fuse-squeeze-excite", "mlir::func::FuncOp"> {
  let summary = "Fuse squeeze-and-excitation blocks into cnn.squeeze_excite";
  let description = [{
    `mul(x, gate(fc2(act(fc1(global_avg_pool(x))))))`, the multiply's
    operands in either order, becomes `cnn.squeeze_excite`. A fully
    connected layer is a 1x1 convolution on [N, C, 1, 1] (its activation
    an op after it or in its epilogue) or a Gemm on [N, C] reached through
    Flatten/Reshape (alpha 1, beta 1, a bias per output or none); the pool
    may be a ReduceMean over H and W. The gate is any activation, also
    `relu6(x + 3) / 6` or `* (1/6)` as tf2onnx spells Keras' hard sigmoid;
    `act` may be absent. Every op between the pool and the multiply must
    have no other user; x may have others. Constant weights are reshaped
    (and transposed) at compile time. It matches the same blocks before
    and after `--cnn-fuse-conv-activation` (which moves act and gate into
    the 1x1 convolutions); silu spelled `x * sigmoid(x)` as act needs that
    pass first.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

#endif // CNNC_PASSES_PASSES_TD
