//===- CNNOps.td - Operations of the cnn dialect -----------*- tablegen -*-===//
#ifndef CNNC_DIALECTS_CNN_CNNOPS_TD
#define CNNC_DIALECTS_CNN_CNNOPS_TD

include "dialects/cnn/CNNDialect.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def CNN_Tensor : RankedTensorOf<[F32]>;
def CNN_Tensor4D : 4DTensorOf<[F32]>;
def CNN_Tensor1D : 1DTensorOf<[F32]>;

// Spatial attributes: two values (H, W) and four pads (top, left, bottom,
// right), the order ONNX uses.
def CNN_Pair : ConfinedAttr<DenseI64ArrayAttr, [DenseArrayCount<2>]>;
def CNN_Pads : ConfinedAttr<DenseI64ArrayAttr, [DenseArrayCount<4>]>;

//===----------------------------------------------------------------------===//
// Convolution and normalization
//===----------------------------------------------------------------------===//

def CNN_Conv2DOp : CNN_Op<"conv2d", [Pure, AttrSizedOperandSegments]> {
  let summary = "2-D convolution, NCHW input, FCHW filter, with groups";
  let description = [{
    `result[n, f, y, x] = act(bias[f] + residual[n, f, y, x] + sum_{c, ky,
    kx} input[n, g*C/G + c, y*sh + ky*dh - pad_top, x*sw + kx*dw - pad_left]
    * filter[f, c, ky, kx])` where `g = f / (F/G)`. The filter has shape
    `[F, C/G, KH, KW]`; `groups` equal to C and F is a depthwise
    convolution. Out-of-range input reads are zero (the pads).

    The input may be given as several tensors with the same N, H and W:
    the convolution reads their channels one after the other, as if they
    were concatenated, so that no op exists only to concatenate them (see
    `--cnn-fold-channel-shuffle`). One input prints as `%x`, several as
    `(%a, %b)`.

    The epilogue is applied to every result element while it is computed,
    so that no separate pass over memory is needed for it: an optional
    `residual` of the result's type is added (`residual %r`, see
    `--cnn-fuse-conv-activation`), then an optional `activation` (relu,
    clip, sigmoid, tanh, hard_swish, hard_sigmoid, leaky_relu, silu) with
    `activation_params` (clip: min, max; hard_sigmoid: alpha, beta;
    leaky_relu: alpha).
  }];
  let arguments = (ins Variadic<CNN_Tensor4D>:$inputs, CNN_Tensor4D:$filter,
                   Optional<CNN_Tensor1D>:$bias,
                   Optional<CNN_Tensor4D>:$residual,
                   CNN_Pair:$strides, CNN_Pads:$pads, CNN_Pair:$dilations,
                   ConfinedAttr<I64Attr, [IntPositive]>:$groups,
                   OptionalAttr<StrAttr>:$activation,
                   OptionalAttr<DenseF32ArrayAttr>:$activation_params);
  let results = (outs CNN_Tensor4D:$result);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The input when there is exactly one, else null.
    ::mlir::Value getInput() {
      return getInputs().size() == 1 ? getInputs().front() : ::mlir::Value();
    }
    /// Input channels: the sum over the inputs.
    int64_t getInputChannels();
    bool isDepthwise() {
      int64_t groups = getGroups();
      return groups > 1 && groups == getInputChannels() &&
             groups == getResult().getType().getDimSize(1);
    }
  }];
}

def CNN_BatchNormOp : CNN_Op<"batch_norm", [Pure]> {
  let summary = "Inference-mode batch normalization over channel dim 1";
  let description = [{
    `result = (input - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c]`
    with `c` the index along dimension 1.
  }];
  let arguments = (ins CNN_Tensor:$input, CNN_Tensor1D:$scale,
                   CNN_Tensor1D:$bias, CNN_Tensor1D:$mean,
                   CNN_Tensor1D:$variance, F32Attr:$epsilon);
  let results = (outs CNN_Tensor:$result);
  let assemblyFormat =
      "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

class CNN_UnaryOp<string mnemonic, list<Trait> traits = []>
    : CNN_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType], traits)> {
  let results = (outs CNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def CNN_ReluOp : CNN_UnaryOp<"relu"> {
  let summary = "max(input, 0)";
  let arguments = (ins CNN_Tensor:$input);
}

def CNN_ClipOp : CNN_UnaryOp<"clip"> {
  let summary = "min(max(input, min), max); relu6 is clip(0, 6)";
  let arguments = (ins CNN_Tensor:$input, F32Attr:$min, F32Attr:$max);
  let hasVerifier = 1;
}

class CNN_BroadcastBinaryOp<string mnemonic, string what>
    : CNN_Op<mnemonic, [Pure]> {
  let summary = what # " with NumPy broadcasting";
  let arguments = (ins CNN_Tensor:$lhs, CNN_Tensor:$rhs);
  let results = (outs CNN_Tensor:$result);
  let assemblyFormat =
      "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def CNN_AddOp : CNN_BroadcastBinaryOp<"add", "Element-wise lhs + rhs">;
def CNN_MulOp : CNN_BroadcastBinaryOp<"mul", "Element-wise lhs * rhs">;

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def CNN_MaxPool2DOp : CNN_Op<"max_pool2d", [Pure]> {
  let summary = "2-D max pooling over NCHW";
  let description = [{
    Window `kernel` with `strides`, `dilations` and `pads` (top, left,
    bottom, right); padded positions never win. With `ceil_mode` the output
    extent rounds up, and a window that would start inside the bottom/right
    padding only is dropped.
  }];
  let arguments = (ins CNN_Tensor4D:$input, CNN_Pair:$kernel,
                   CNN_Pair:$strides, CNN_Pads:$pads, CNN_Pair:$dilations,
                   BoolAttr:$ceil_mode);
  let results = (outs CNN_Tensor4D:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def CNN_AvgPool2DOp : CNN_Op<"avg_pool2d", [Pure]> {
  let summary = "2-D average pooling over NCHW";
  let description = [{
    Like `cnn.max_pool2d` without dilations. With `count_include_pad` the
    divisor counts the explicit pads (never the extra positions added by
    `ceil_mode`); without it the divisor counts input elements only.
  }];
  let arguments = (ins CNN_Tensor4D:$input, CNN_Pair:$kernel,
                   CNN_Pair:$strides, CNN_Pads:$pads, BoolAttr:$ceil_mode,
                   BoolAttr:$count_include_pad);
  let results = (outs CNN_Tensor4D:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class CNN_GlobalPoolOp<string mnemonic, string what>
    : CNN_Op<mnemonic, [Pure]> {
  let summary = what # " over the spatial dims of NCHW, keeping them as 1x1";
  let arguments = (ins CNN_Tensor4D:$input);
  let results = (outs CNN_Tensor4D:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def CNN_GlobalAvgPoolOp : CNN_GlobalPoolOp<"global_avg_pool", "Mean">;
def CNN_GlobalMaxPoolOp : CNN_GlobalPoolOp<"global_max_pool", "Maximum">;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def CNN_ConcatOp : CNN_Op<"concat", [Pure]> {
  let summary = "Concatenation along `axis`";
  let arguments = (ins Variadic<CNN_Tensor>:$inputs,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs CNN_Tensor:$result);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def CNN_ReshapeOp : CNN_Op<"reshape", [Pure]> {
  let summary = "Row-major reshape to the (static) result type";
  let description = [{
    Reinterprets the row-major elements of `input` with the result's shape;
    ONNX Reshape and Flatten both import to this op.
  }];
  let arguments = (ins CNN_Tensor:$input);
  let results = (outs CNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

def CNN_GemmOp : CNN_Op<"gemm", [Pure]> {
  let summary = "alpha * op(a) * op(b) + beta * c, op = optional transpose";
  let description = [{
    `a` and `b` are 2-D; `c`, when present, broadcasts to the [M, N] result.
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$a, 2DTensorOf<[F32]>:$b,
                   Optional<CNN_Tensor>:$c, F32Attr:$alpha, F32Attr:$beta,
                   BoolAttr:$trans_a, BoolAttr:$trans_b);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat =
      "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def CNN_MatMulOp : CNN_Op<"matmul", [Pure]> {
  let summary = "2-D matrix product";
  let arguments = (ins 2DTensorOf<[F32]>:$lhs, 2DTensorOf<[F32]>:$rhs);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat =
      "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Activations, arithmetic and normalization beyond the core set
//===----------------------------------------------------------------------===//

class CNN_ActivationOp<string mnemonic, string formula>
    : CNN_UnaryOp<mnemonic> {
  let summary = formula;
  let arguments = (ins CNN_Tensor:$input);
}

def CNN_SigmoidOp : CNN_ActivationOp<"sigmoid", "1 / (1 + exp(-input))">;
def CNN_TanhOp : CNN_ActivationOp<"tanh", "Hyperbolic tangent">;
def CNN_HardSwishOp
    : CNN_ActivationOp<"hard_swish", "input * clip(input / 6 + 1/2, 0, 1)">;

def CNN_LeakyReluOp : CNN_UnaryOp<"leaky_relu"> {
  let summary = "input where input >= 0, else alpha * input";
  let arguments = (ins CNN_Tensor:$input, F32Attr:$alpha);
}

def CNN_HardSigmoidOp : CNN_UnaryOp<"hard_sigmoid"> {
  let summary = "clip(alpha * input + beta, 0, 1)";
  let arguments = (ins CNN_Tensor:$input, F32Attr:$alpha, F32Attr:$beta);
}

def CNN_SubOp : CNN_BroadcastBinaryOp<"sub", "Element-wise lhs - rhs">;
def CNN_DivOp : CNN_BroadcastBinaryOp<"div", "Element-wise lhs / rhs">;
def CNN_PReluOp : CNN_BroadcastBinaryOp<"prelu",
    "lhs where lhs >= 0, else lhs * rhs (the slope, broadcast to lhs)"> {
  let description = [{
    The slope broadcasts one way: the result has the shape of `lhs`. A
    per-channel slope of an NCHW input has shape `[C, 1, 1]`.
  }];
}

def CNN_SoftmaxOp : CNN_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "exp(input) / sum(exp(input)) along `axis`";
  let description = [{
    Normalizes along one axis. Lowered with the maximum along `axis`
    subtracted before `exp`, so large inputs do not overflow. ONNX's
    opset < 13 form (2-D coercion) imports as reshape + softmax + reshape.
  }];
  let arguments = (ins CNN_Tensor:$input,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs CNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def CNN_LRNOp : CNN_Op<"lrn", [Pure, SameOperandsAndResultType]> {
  let summary = "Local response normalization across channels (NCHW)";
  let description = [{
    `result[n, c, h, w] = input[n, c, h, w] / (bias + alpha / size *
    sum_{c'} input[n, c', h, w]^2)^beta` with `c'` over the `size` channels
    from `c - floor((size - 1) / 2)` to `c + ceil((size - 1) / 2)` that
    exist (AlexNet, GoogLeNet).
  }];
  let arguments = (ins CNN_Tensor4D:$input,
                   ConfinedAttr<I64Attr, [IntPositive]>:$size,
                   F32Attr:$alpha, F32Attr:$beta, F32Attr:$bias);
  let results = (outs CNN_Tensor4D:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def CNN_ReduceMeanOp : CNN_Op<"reduce_mean", [Pure]> {
  let summary = "Mean over `axes`, keeping them as size 1 with `keepdims`";
  let description = [{
    `axes` are distinct, sorted and non-negative. A mean over the spatial
    dims of NCHW with `keepdims` is `cnn.global_avg_pool`; the importer
    uses that op then.
  }];
  let arguments = (ins CNN_Tensor:$input, DenseI64ArrayAttr:$axes,
                   BoolAttr:$keepdims);
  let results = (outs CNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement beyond concat and reshape
//===----------------------------------------------------------------------===//

def CNN_TransposeOp : CNN_Op<"transpose", [Pure]> {
  let summary = "Permutes dims: result dim i is input dim perm[i]";
  let arguments = (ins CNN_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs CNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def CNN_SliceOp : CNN_Op<"slice", [Pure]> {
  let summary = "Strided slice with static offsets, result-type sizes";
  let description = [{
    `result[i0, i1, ...] = input[offsets[0] + i0 * strides[0], ...]`; the
    sizes are the result's shape. Strides are positive and every element
    read lies inside the input (the importer clamps ONNX starts/ends).
  }];
  let arguments = (ins CNN_Tensor:$input, DenseI64ArrayAttr:$offsets,
                   DenseI64ArrayAttr:$strides);
  let results = (outs CNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def CNN_SplitOp : CNN_Op<"split", [Pure]> {
  let summary = "Splits `input` along `axis` into consecutive parts";
  let description = [{
    Each result takes the next `result.shape[axis]` entries along `axis`;
    the parts cover the input exactly (ShuffleNet's channel split).
  }];
  let arguments = (ins CNN_Tensor:$input,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Variadic<CNN_Tensor>:$results);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def CNN_ChannelPermuteOp : CNN_Op<"channel_permute", [Pure]> {
  let summary = "Routes channels of 4-D inputs to 4-D results";
  let description = [{
    Number the channels (dim 1) of the inputs, taken in order, 0 .. T-1, and
    those of the results the same way. Result channel `j` of that numbering
    is input channel `sources[j]`; every input and result has the same N, H
    and W. A concat along channels is the identity with one result, a split
    the identity with one input, and ShuffleNet's channel shuffle a
    permutation; `--cnn-fold-channel-shuffle` turns concat -> shuffle ->
    split chains into one such op and then into the producers and consumers.
  }];
  let arguments = (ins Variadic<CNN_Tensor4D>:$inputs,
                   DenseI64ArrayAttr:$sources);
  let results = (outs Variadic<CNN_Tensor4D>:$results);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// `length` consecutive channels of a result taken from input `input`
    /// at channels `first`, `first + stride`, ... (stride > 0; 1 when the
    /// run has one channel).
    struct Run {
      unsigned input;
      int64_t first, stride, length;
    };
    /// Result `result` as the fewest such runs, in order: what a lowering
    /// copies (a whole input is one run) and what is left to fold.
    ::llvm::SmallVector<Run> getRuns(unsigned result);
  }];
}

def CNN_PadOp : CNN_Op<"pad", [Pure]> {
  let summary = "Pads every dim: `constant` (with value), `edge` or `reflect`";
  let description = [{
    `pads` holds the begin counts of every dim, then the end counts (the
    ONNX order), all non-negative. `edge` repeats the border element;
    `reflect` mirrors without repeating it, so its pads must be smaller
    than the dim. `value` is used by `constant` only.
  }];
  let arguments = (ins CNN_Tensor:$input, DenseI64ArrayAttr:$pads,
                   StrAttr:$mode, F32Attr:$value);
  let results = (outs CNN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused blocks
//===----------------------------------------------------------------------===//

def CNN_SqueezeExciteOp : CNN_Op<"squeeze_excite", [Pure]> {
  let summary = "Squeeze-and-excitation: input scaled by a gate per channel";
  let description = [{
    `result[n, c, h, w] = input[n, c, h, w] * s[n, c]` with

        m[n, c] = mean_{h, w} input[n, c, h, w]
        z[n, r] = activation(b1[r] + sum_c w1[r, c] * m[n, c])
        s[n, c] = gate(b2[c] + sum_r w2[c, r] * z[n, r])

    `w1` is [R, C] and `w2` [C, R], R being the reduced channel count.
    `activation` (none when absent) and `gate` are the epilogue activations
    of `cnn.conv2d`, with their parameters. This is the SE block of
    SE-ResNet, MobileNetV3 and EfficientNet (global average pool, two 1x1
    convolutions or fully connected layers, gate, multiply) as one op, made
    by `--cnn-fuse-squeeze-excite`; the lowering applies the scale in the
    consumer where it can, so that no pass over memory is spent on it.
  }];
  let arguments = (ins CNN_Tensor4D:$input, 2DTensorOf<[F32]>:$w1,
                   CNN_Tensor1D:$b1, 2DTensorOf<[F32]>:$w2, CNN_Tensor1D:$b2,
                   OptionalAttr<StrAttr>:$activation,
                   OptionalAttr<DenseF32ArrayAttr>:$activation_params,
                   StrAttr:$gate, OptionalAttr<DenseF32ArrayAttr>:$gate_params);
  let results = (outs CNN_Tensor4D:$result);
  let assemblyFormat =
      "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // CNNC_DIALECTS_CNN_CNNOPS_TD
