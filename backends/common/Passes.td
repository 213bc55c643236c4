//===- Passes.td - Lowering shared by every backend --------*- tablegen -*-===//
#ifndef CNNC_BACKENDS_COMMON_PASSES_TD
#define CNNC_BACKENDS_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertCNNToLinalg : Pass<"convert-cnn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower cnn ops to linalg, tensor and arith on tensors";
  let description = [{
    The lowering every backend shares. Pointwise (1x1, unit-stride,
    unpadded) convolutions become matrix-product contractions over the
    flattened spatial dim (grouped ones a batch of them, one per group);
    other convolutions and pooling become linalg's named NCHW ops (grouped
    convolutions the NGCHW form, depthwise the CHW form) over an explicitly
    padded input; a conv's epilogue activation and the activation ops share
    one element-wise definition; element-wise ops become
    `linalg.generic` with NumPy broadcasting maps, so that linalg's
    element-wise fusion can merge them; data movement becomes tensor slices
    and reshapes. Static shapes only.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def FuseElementwise : Pass<"cnnc-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse element-wise linalg ops without recomputation";
  let description = [{
    Merges chains of element-wise linalg.generic ops (BatchNorm, activations,
    residual adds) into one loop nest, and propagates reshapes through
    them. Unlike upstream's element-wise fusion it never fuses a producer
    into a consumer that has reduction loops: a convolution or matrix
    product reads each input element many times, and fusing would
    recompute the producer once per read.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // CNNC_BACKENDS_COMMON_PASSES_TD
