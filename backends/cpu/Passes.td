//===- Passes.td - CPU backend passes ----------------------*- tablegen -*-===//
#ifndef CNNC_BACKENDS_CPU_PASSES_TD
#define CNNC_BACKENDS_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CPUInterchangeForVectorization
    : Pass<"cnnc-cpu-interchange-for-vectorization", "mlir::func::FuncOp"> {
  let summary = "Order each linalg op's loops so the innermost one walks "
                "the output's contiguous dimension";
  let description = [{
    Generalizes named linalg ops on tensors and interchanges their loops so
    that the loop over the output's last (unit-stride) dimension is
    innermost, after every reduction loop. The resulting loop nests store
    to consecutive addresses in their innermost loop, which LLVM's loop
    vectorizer turns into vector code. Ops whose output map is not a
    projected permutation are left alone. Summation order per output
    element is unchanged.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def CPUTileAndVectorize
    : Pass<"cnnc-cpu-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Matrix products (1x1 convs, GEMMs) as register-blocked "
                "micro-kernels";
  let description = [{
    Replaces each linalg contraction on tensors shaped like a matrix
    product, `out[.., r, .., p] += row[.., r, .., k] * col[.., k, .., p]`
    with p unit-stride in the output and the column operand (pointwise and
    grouped pointwise convolutions, matrix products with unit-stride
    weights), by a loop nest of micro-kernels. A kernel covers up to four
    vectors of p and as many rows r as leave half the vector registers for
    accumulators (a divisor of the extent; batch dims such as the group
    are loops of their own, so no kernel straddles a group); it carries
    the accumulators in registers through the whole reduction, each step
    one column-operand load and, per row, one broadcast and one
    multiply-add. Accumulators start from the bias when the init broadcasts
    one; the element-wise op consuming the result (activation, residual
    add) is applied before the single store. A p extent that no vector
    multiple divides ends in a masked tile. Named linalg.matmul ops are
    generalized first.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes of the target's vector registers">,
    Option<"numVectorRegisters", "vector-registers", "int64_t",
           /*default=*/"32", "vector registers of the target">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def CPUConvKernels : Pass<"cnnc-cpu-conv-kernels", "mlir::func::FuncOp"> {
  let summary = "Direct convolutions as vector kernels along the width";
  let description = [{
    Replaces each depthwise (`linalg.depthwise_conv_2d_nchw_chw`), grouped
    (`linalg.conv_2d_ngchw_gfchw`, whose result is collapsed back to NCHW)
    and one-group (`linalg.conv_2d_nchw_fchw`) convolution on tensors that
    carries a `vector = "width"` plan from cnnc-cpu-group-tiling by a loop
    nest over (image, spatial tile of `rows_per_tile` output rows, tile of
    `channels_per_tile` output channels, output row, output column tile of
    `lanes`). A kernel keeps one output vector per channel of its tile in
    registers while it accumulates every input channel of the channel's
    group and every tap: per tap and group of the tile, one input-row load
    (unit stride; stride 2 loads twice the width and keeps the even lanes),
    per output channel one broadcast weight and one multiply-add. A tile of
    several whole groups (`groups_per_tile`) reads each group's own input
    channels. The last column tile of a row the vector does not divide is
    masked. Accumulators start from the bias the init broadcasts; the
    element-wise op consuming the result is applied before the single
    store. Convolutions without a plan are left alone; a plan that does not
    tile its convolution exactly is an error. Pointwise convolutions never
    reach this pass (they are matrix products).
  }];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect"];
}

def CPUApproximateMath
    : Pass<"cnnc-cpu-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Transcendental functions as vector polynomials";
  let description = [{
    Rewrites math.exp, math.tanh, math.log and friends into MLIR's
    polynomial approximations, which work lane by lane on vectors. LLVM
    would otherwise call libm's scalar expf once per lane, which makes a
    SiLU or sigmoid epilogue cost more than the convolution before it.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::vector::VectorDialect"];
}



def CPUGroupTiling : Pass<"cnnc-cpu-group-tiling", "mlir::func::FuncOp"> {
  let summary = "Choose the tiles of grouped, depthwise and pointwise "
                "convolutions";
  let description = [{
    Records on each convolution with static shapes (one-group, depthwise
    and grouped KxK convolutions; pointwise convolutions, grouped or not,
    as cnn-to-linalg writes them as matrix products) how its CPU kernels
    tile it, as a `cnnc.group_tiling` dictionary:

    - `groups`: the group count g;
    - `channels_per_tile`: output channels one kernel keeps accumulators
      for. With at least as many channels per group (Cout/g) as there are
      accumulators, a divisor of Cout/g, so no tile straddles a group;
      otherwise `groups_per_tile` whole groups, as many as fit (a divisor
      of g), each read from its own input channels;
    - `vector`: `width` for KxK convolutions and pools (vectors along the
      output row, `lanes` of them: a whole vector where the row fills more
      than half of one, else half a vector, masked where the row is
      narrower; rows under a quarter of a vector get no plan), `pixels` for
      pointwise ones (vectors along the flattened H*W, `vectors_per_tile`
      of them per kernel);
    - `rows_per_tile` (KxK): output rows per spatial tile, the most that
      divide the height and keep the input rows of one channel tile within
      the cache budget; every channel tile sweeps a spatial tile before the
      next one starts.

    Accumulators are 8 for KxK kernels (enough independent multiply-adds
    to cover the FMA latency; at most half the vector registers, the rest
    hold input rows and weights), half the registers over the vectors of a
    tile for pointwise ones. cnnc-cpu-conv-kernels and
    cnnc-cpu-tile-and-vectorize follow the plan.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes of the target's vector registers">,
    Option<"numVectorRegisters", "vector-registers", "int64_t",
           /*default=*/"32", "vector registers of the target">,
    Option<"cacheBytes", "cache-bytes", "int64_t", /*default=*/"1048576",
           "bytes of cache the input rows of a tile may fill (L2)">,
  ];
}

#endif // CNNC_BACKENDS_CPU_PASSES_TD
