//===- CNNOps.h - Operations of the cnn dialect -----------------*- C++ -*-===//
#ifndef CNNC_DIALECTS_CNN_CNNOPS_H
#define CNNC_DIALECTS_CNN_CNNOPS_H

#include "dialects/cnn/CNNDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/cnn/CNNOps.h.inc"

#endif // CNNC_DIALECTS_CNN_CNNOPS_H
