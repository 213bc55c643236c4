//===- CNNDialect.td - The cnn dialect ---------------------*- tablegen -*-===//
#ifndef CNNC_DIALECTS_CNN_CNNDIALECT_TD
#define CNNC_DIALECTS_CNN_CNNDIALECT_TD

include "mlir/IR/OpBase.td"

def CNN_Dialect : Dialect {
  let name = "cnn";
  let cppNamespace = "::mlir::cnn";
  let summary = "Graph-level operations of convolutional networks";
  let description = [{
    The `cnn` dialect is cnnc's graph IR: one op per network layer, value
    semantics on statically shaped, ranked tensors in NCHW layout. Ops carry
    exactly what the CNN canon needs (grouped and depthwise convolution,
    BatchNorm, the usual activations, pooling, concat, reshape, GEMM), and
    each op's verifier checks shapes with the same shape functions the ONNX
    importer uses to build it.
  }];
}

class CNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<CNN_Dialect, mnemonic, traits>;

#endif // CNNC_DIALECTS_CNN_CNNDIALECT_TD
