//===- Passes.td - GPU lowering shared by CUDA and Vulkan --*- tablegen -*-===//
#ifndef CNNC_BACKENDS_GPU_PASSES_TD
#define CNNC_BACKENDS_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def GPUMapToLaunches : Pass<"cnnc-gpu-map-to-launches", "mlir::func::FuncOp"> {
  let summary = "One gpu.launch per bufferized linalg op, with its mapping";
  let description = [{
    After bufferization every top-level linalg op of the function becomes
    one `gpu.launch` (one kernel after outlining), so the fused epilogues
    of backends/common (bias, activation, residual add, the
    squeeze-excite scale) stay inside the kernel of their op. Each
    invocation computes one point of the op's parallel loops; the
    reduction loops run inside it with the accumulators in registers
    (scf.for iter_args), loaded once from the output and stored once.

    The mapping is group-count aware: for an op with reduction loops
    (convolutions, pools, matrix products) the parallel loop that indexes
    output dim 1 goes to the y dimension of the grid: the output channel
    of a one-group op, the group of a grouped convolution (NGCHW, or the
    [N, G, F/G, P] pointwise form) and the channel (= group) of a
    depthwise one. A workgroup therefore never straddles two groups. The
    other parallel loops are flattened, innermost fastest, over the
    invocations of x (per workgroup the smallest power of two that covers
    the work, at most `block-size`) and the workgroups of x and z.

    A constant operand larger than `max-binding-bytes` (the 128 MiB that
    every Vulkan device can bind; AlexNet's and VGG's first classifier
    weights are larger) is split into memref.globals along the dim of the
    longest parallel loop that indexes it alone, one launch per slice.

    When an input of such an op does not depend on the grid-y loop (a
    one-group convolution: every output channel reads the same input
    pixels), each invocation computes `channels-per-invocation` (4, or 2,
    whichever divides the channels) consecutive channels with one reduction
    loop nest, loading the shared input once for all of them; grid y
    shrinks by that factor. Depthwise and grouped ops keep one.

    Fusion (before the workspace is planned, while every buffer is still
    its own allocation): a launch also computes
    - the op that writes every element of its accumulator just before it
      (a convolution's bias broadcast: the accumulator starts from the
      bias in a register),
    - the element-wise op right after it that reads its result at the same
      point (the epilogue, a copy into a concatenation's slice or into an
      output); the op's own result is still stored if anything else reads
      its buffer, and
    - inputs that a fill and a copy into their interior wrote (explicit
      padding): read from the copy's source where inside, the fill value
      outside, no padded buffer.
    - copies that only move what it stores on (from view S of one buffer
      into view T of another, S exactly its destination, nothing in
      between reading T's buffer or writing where S or T lie): it also
      stores into T, whose allocation and views move up to it.
    Fused ops and buffers nothing reads any more disappear.

    The decision is recorded on the launch as `cnnc.gpu_map`: `grid` and
    `block` sizes, `y_loop` (the loop on grid y, -1 if none), `x_loops`
    (the flattened loops), `points` (the invocations that do work) and
    `fused` (producer, padding, consumer; consumer-only when the op's own
    result is not stored; copies).
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"64",
           "invocations per workgroup (a power of two)">,
    Option<"maxBindingBytes", "max-binding-bytes", "int64_t",
           /*default=*/"134217728",
           "largest constant one kernel binds; larger ones are split">,
    Option<"channelsPerInvocation", "channels-per-invocation", "int64_t",
           /*default=*/"4",
           "output channels one invocation computes when they share inputs">,
    Option<"tileMatmuls", "tile-matmuls", "bool", /*default=*/"true",
           "matrix products in workgroup-memory tiles">,
    Option<"fuse", "fuse", "bool", /*default=*/"true",
           "fuse producers, consumers and padding into the launches">,
  ];
  let dependentDialects = [
    "mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
    "mlir::affine::AffineDialect", "mlir::arith::ArithDialect",
    "mlir::memref::MemRefDialect"
  ];
}

#endif // CNNC_BACKENDS_GPU_PASSES_TD
