//===- CNNDialect.h - The cnn dialect ---------------------------*- C++ -*-===//
#ifndef CNNC_DIALECTS_CNN_CNNDIALECT_H
#define CNNC_DIALECTS_CNN_CNNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/cnn/CNNDialect.h.inc"

#endif // CNNC_DIALECTS_CNN_CNNDIALECT_H
