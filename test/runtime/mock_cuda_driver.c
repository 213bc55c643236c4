/*===- mock_cuda_driver.c - A stand-in libcuda.so.1 for the runtime tests ===*
 *
 * Built as mock_cuda/libcuda.so.1. With that folder first on
 * LD_LIBRARY_PATH, the runtime's CUDA device opens this library instead of
 * an NVIDIA driver, so the tests can drive every CUDA code path of the
 * runtime (context handling, allocation, graph capture and launch, events,
 * error paths, cleanup) on a machine without a GPU. It implements only the
 * driver functions the runtime fetches, with the documented signatures,
 * and checks the way it is used as a real driver would, or more strictly:
 *
 *   - every call but cuInit and the error-name functions needs cuInit
 *     first, and every call that works in a context needs one current on
 *     the calling thread (CUDA_ERROR_INVALID_CONTEXT otherwise);
 *   - device addresses are checked against the live allocations (copies,
 *     clears, kernel accesses: out of range is CUDA_ERROR_INVALID_VALUE, or
 *     CUDA_ERROR_ILLEGAL_ADDRESS inside a kernel);
 *   - while a stream is being captured, the capturing thread may not
 *     allocate, free, copy synchronously or synchronize (the capture is
 *     invalidated, CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED), and captured
 *     copies must use pinned memory from cuMemHostAlloc;
 *   - kernel parameters are read when the launch is queued or captured;
 *   - when the last reference to the primary context goes, every object
 *     made in it must have been destroyed: otherwise it prints what leaked
 *     and aborts.
 *
 * Work runs synchronously when queued (or when a graph is launched).
 * Kernels cannot really run: the mock knows the two kernel bodies of
 * fake_cuda_artifact.c. An entry whose body has `fma.rn.f32` computes
 * dst[i] = 2 * src[i] + w[i] for the threads i < 6 of the grid; one with
 * `trap;` faults (CUDA_ERROR_LAUNCH_FAILED, after which the context fails
 * every call, as a real one does); any other kernel runs and does nothing
 * (enough to load and run real compiler output, results aside). The
 * "JIT compiler" rejects a module without .version or .target, or with the
 * word `frobnicate`, and writes a log saying so.
 *
 * Environment:
 *   CNNC_MOCK_CUDA_INIT=CODE     cuInit returns CODE (e.g. 100)
 *   CNNC_MOCK_CUDA_DEVICES=N     N devices (default 1, at most 4)
 *   CNNC_MOCK_CUDA_CC=XY         compute capability X.Y (default 90)
 *   CNNC_MOCK_CUDA_FAIL=NAME:K:CODE
 *                                the K-th call of driver function NAME
 *                                returns CODE instead of doing anything
 *                                (a fault code also breaks the context)
 *===---------------------------------------------------------------------===*/

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT __attribute__((visibility("default")))

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum {
  kSuccess = 0,
  kInvalidValue = 1,
  kOutOfMemory = 2,
  kNotInitialized = 3,
  kNoDevice = 100,
  kInvalidDevice = 101,
  kInvalidContext = 201,
  kInvalidPtx = 218,
  kInvalidHandle = 400,
  kNotFound = 500,
  kIllegalAddress = 700,
  kLaunchFailed = 719,
  kCaptureUnsupported = 900,
  kCaptureInvalidated = 901,
};

#define MAX_DEVICES 4
#define MAX_PARAMS 16
#define MAX_DEPTH 16

/* --- Bookkeeping ---------------------------------------------------------*/

static pthread_mutex_t gLock = PTHREAD_MUTEX_INITIALIZER;
static int gInitialized;
static int gDevices = 1;
static int gMajor = 9, gMinor = 0;
static long gLive; /* objects made and not yet destroyed */

typedef struct Context {
  int device;
  int refs;
  CUresult sticky; /* a fault: every later call fails with it */
} Context;
static Context gContexts[MAX_DEVICES];

static __thread Context *tStack[MAX_DEPTH];
static __thread int tDepth;

/* The injected failure. */
static char gFailName[64];
static long gFailCall, gFailCount;
static CUresult gFailCode;

typedef struct Allocation {
  uintptr_t base;
  size_t bytes;
  int host; /* from cuMemHostAlloc */
  struct Allocation *next;
} Allocation;
static Allocation *gAllocations;

typedef struct Function {
  char name[128];
  int params;
  int computes; /* dst[i] = 2 src[i] + w[i] */
  int traps;
} Function;

typedef struct Module {
  unsigned magic;
  int functions;
  Function function[8];
} Module;

enum { kOpHostToDevice, kOpDeviceToHost, kOpKernel };
typedef struct Op {
  int kind;
  CUdeviceptr device;
  void *host;
  size_t bytes;
  const Function *function;
  unsigned grid[3], block[3];
  unsigned long long params[MAX_PARAMS];
} Op;

typedef struct OpList {
  Op *ops;
  size_t count, capacity;
} OpList;

typedef struct Stream {
  unsigned magic;
  int capturing;
  int invalidated;
  OpList captured;
} Stream;

typedef struct Graph {
  unsigned magic;
  OpList ops;
} Graph;

typedef struct Event {
  unsigned magic;
  int recorded;
  double milliseconds;
} Event;

enum {
  kModuleMagic = 0x6d6f6431,
  kStreamMagic = 0x73747231,
  kGraphMagic = 0x67726131,
  kExecMagic = 0x65786531,
  kEventMagic = 0x65766e31
};

/* The stream this thread is capturing, if any. */
static __thread Stream *tCapturing;

static const struct {
  CUresult code;
  const char *name;
  const char *text;
} kNames[] = {
    {0, "CUDA_SUCCESS", "no error"},
    {1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {3, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {46, "CUDA_ERROR_DEVICE_UNAVAILABLE",
     "CUDA-capable device(s) is/are busy "
     "or unavailable"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {201, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {218, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
     "the provided PTX was compiled with an unsupported toolchain."},
    {400, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {700, "CUDA_ERROR_ILLEGAL_ADDRESS",
     "an illegal memory access was encountered"},
    {719, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {801, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {900, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
     "operation not permitted when stream is capturing"},
    {901, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED",
     "operation failed due to a previous error during capture"},
};

static int isFault(CUresult code) {
  return code == 700 || code == 702 || code == 710 ||
         (code >= 714 && code <= 719);
}

static Context *current(void) { return tDepth > 0 ? tStack[tDepth - 1] : 0; }

/* The injected failure's code if this is the call it hits, else 0. */
static CUresult injected(const char *name) {
  if (gFailName[0] == '\0' || strcmp(name, gFailName) != 0)
    return kSuccess;
  if (++gFailCount != gFailCall)
    return kSuccess;
  if (isFault(gFailCode) && current() != 0)
    current()->sticky = gFailCode;
  return gFailCode;
}

/* Common entry checks: initialized, not injected, and (if `needContext`)
 * a healthy context current. */
static CUresult enter(const char *name, int needContext) {
  if (!gInitialized)
    return kNotInitialized;
  CUresult failure = injected(name);
  if (failure != kSuccess)
    return failure;
  if (needContext) {
    Context *context = current();
    if (context == 0 || context->refs == 0)
      return kInvalidContext;
    if (context->sticky != kSuccess)
      return context->sticky;
  }
  return kSuccess;
}

/* Refuses what the capturing thread may not do while it captures. */
static CUresult unsafeDuringCapture(void) {
  if (tCapturing == 0)
    return kSuccess;
  tCapturing->invalidated = 1;
  return kCaptureUnsupported;
}

#define ENTER(name, needContext)                                               \
  pthread_mutex_lock(&gLock);                                                  \
  CUresult entered = enter(name, needContext);                                 \
  if (entered != kSuccess) {                                                   \
    pthread_mutex_unlock(&gLock);                                              \
    return entered;                                                            \
  }

#define LEAVE(result)                                                          \
  do {                                                                         \
    CUresult left = (result);                                                  \
    pthread_mutex_unlock(&gLock);                                              \
    return left;                                                               \
  } while (0)

static Allocation *findAllocation(uintptr_t address, size_t bytes, int host) {
  for (Allocation *a = gAllocations; a != 0; a = a->next)
    if (a->host == host && address >= a->base &&
        address - a->base <= a->bytes &&
        bytes <= a->bytes - (address - a->base))
      return a;
  return 0;
}

static void *allocate(size_t bytes, int host) {
  void *memory = aligned_alloc(256, (bytes + 255) / 256 * 256);
  Allocation *a = malloc(sizeof(Allocation));
  if (memory == 0 || a == 0) {
    free(memory);
    free(a);
    return 0;
  }
  memset(memory, 0xcd, (bytes + 255) / 256 * 256); /* not zeroed */
  a->base = (uintptr_t)memory;
  a->bytes = bytes;
  a->host = host;
  a->next = gAllocations;
  gAllocations = a;
  ++gLive;
  return memory;
}

static CUresult release(uintptr_t base, int host) {
  for (Allocation **a = &gAllocations; *a != 0; a = &(*a)->next)
    if ((*a)->base == base && (*a)->host == host) {
      Allocation *gone = *a;
      *a = gone->next;
      free((void *)gone->base);
      free(gone);
      --gLive;
      return kSuccess;
    }
  return kInvalidValue;
}

static CUresult append(OpList *list, const Op *op) {
  if (list->count == list->capacity) {
    size_t capacity = list->capacity ? 2 * list->capacity : 16;
    Op *ops = realloc(list->ops, capacity * sizeof(Op));
    if (ops == 0)
      return kOutOfMemory;
    list->ops = ops;
    list->capacity = capacity;
  }
  list->ops[list->count++] = *op;
  return kSuccess;
}

/* Runs one operation in `context`; a kernel fault breaks the context. */
static void execute(Context *context, const Op *op) {
  if (context->sticky != kSuccess)
    return;
  switch (op->kind) {
  case kOpHostToDevice:
    memcpy((void *)(uintptr_t)op->device, op->host, op->bytes);
    return;
  case kOpDeviceToHost:
    memcpy(op->host, (const void *)(uintptr_t)op->device, op->bytes);
    return;
  default:
    break;
  }
  if (op->function->traps) {
    context->sticky = kLaunchFailed;
    return;
  }
  if (!op->function->computes)
    return;
  /* dst[i] = 2 src[i] + w[i] for the threads i < 6 (x dimension). */
  unsigned long long threads = (unsigned long long)op->grid[0] * op->block[0];
  for (unsigned long long i = 0; i < threads && i < 6; ++i) {
    uintptr_t src = (uintptr_t)op->params[0] + 4 * i;
    uintptr_t w = (uintptr_t)op->params[1] + 4 * i;
    uintptr_t dst = (uintptr_t)op->params[2] + 4 * i;
    if (!findAllocation(src, 4, 0) || !findAllocation(w, 4, 0) ||
        !findAllocation(dst, 4, 0)) {
      context->sticky = kIllegalAddress;
      return;
    }
    float x, y;
    memcpy(&x, (const void *)src, 4);
    memcpy(&y, (const void *)w, 4);
    float r = 2.0f * x + y;
    memcpy((void *)dst, &r, 4);
  }
}

/* Queues (runs now, or captures) `op` on `stream`. */
static CUresult enqueue(Stream *stream, const Op *op) {
  if (stream->capturing) {
    if (stream->invalidated)
      return kCaptureInvalidated;
    return append(&stream->captured, op);
  }
  execute(current(), op);
  return kSuccess;
}

static double nowMilliseconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* --- Initialization, errors, devices ------------------------------------*/

EXPORT CUresult cuInit(unsigned flags) {
  pthread_mutex_lock(&gLock);
  CUresult result = flags == 0 ? kSuccess : kInvalidValue;
  const char *value = getenv("CNNC_MOCK_CUDA_INIT");
  if (value != 0)
    result = atoi(value);
  if ((value = getenv("CNNC_MOCK_CUDA_DEVICES")) != 0) {
    gDevices = atoi(value);
    if (gDevices < 0 || gDevices > MAX_DEVICES)
      gDevices = 1;
  }
  if ((value = getenv("CNNC_MOCK_CUDA_CC")) != 0) {
    int cc = atoi(value);
    gMajor = cc / 10;
    gMinor = cc % 10;
  }
  if ((value = getenv("CNNC_MOCK_CUDA_FAIL")) != 0) {
    char name[64];
    long call = 0;
    int code = 0;
    if (sscanf(value, "%63[^:]:%ld:%d", name, &call, &code) == 3) {
      strcpy(gFailName, name);
      gFailCall = call;
      gFailCode = code;
    }
  }
  for (int d = 0; d < MAX_DEVICES; ++d)
    gContexts[d].device = d;
  if (result == kSuccess)
    result = injected("cuInit");
  gInitialized = result == kSuccess;
  LEAVE(result);
}

EXPORT CUresult cuGetErrorName(CUresult code, const char **name) {
  for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]); ++i)
    if (kNames[i].code == code) {
      *name = kNames[i].name;
      return kSuccess;
    }
  *name = 0;
  return kInvalidValue;
}

EXPORT CUresult cuGetErrorString(CUresult code, const char **text) {
  for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]); ++i)
    if (kNames[i].code == code) {
      *text = kNames[i].text;
      return kSuccess;
    }
  *text = 0;
  return kInvalidValue;
}

EXPORT CUresult cuDriverGetVersion(int *version) {
  *version = 12040; /* whatever the state: the real one needs no cuInit */
  return kSuccess;
}

EXPORT CUresult cuDeviceGetCount(int *count) {
  ENTER("cuDeviceGetCount", 0);
  *count = gDevices;
  LEAVE(kSuccess);
}

EXPORT CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  ENTER("cuDeviceGet", 0);
  if (ordinal < 0 || ordinal >= gDevices)
    LEAVE(kInvalidDevice);
  *device = ordinal;
  LEAVE(kSuccess);
}

EXPORT CUresult cuDeviceGetName(char *name, int length, CUdevice device) {
  ENTER("cuDeviceGetName", 0);
  if (device < 0 || device >= gDevices)
    LEAVE(kInvalidDevice);
  if (name == 0 || length <= 0)
    LEAVE(kInvalidValue);
  snprintf(name, (size_t)length, "cnnc mock GPU %d", device);
  LEAVE(kSuccess);
}

EXPORT CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice device) {
  ENTER("cuDeviceTotalMem_v2", 0);
  if (device < 0 || device >= gDevices)
    LEAVE(kInvalidDevice);
  *bytes = (size_t)80 << 30;
  LEAVE(kSuccess);
}

EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute,
                                     CUdevice device) {
  ENTER("cuDeviceGetAttribute", 0);
  if (device < 0 || device >= gDevices)
    LEAVE(kInvalidDevice);
  switch (attribute) {
  case 1: /* max threads per block */
    *value = 1024;
    break;
  case 2: /* max block x, y, z */
  case 3:
    *value = 1024;
    break;
  case 4:
    *value = 64;
    break;
  case 5: /* max grid x, y, z */
    *value = 2147483647;
    break;
  case 6:
  case 7:
    *value = 65535;
    break;
  case 75:
    *value = gMajor;
    break;
  case 76:
    *value = gMinor;
    break;
  default:
    LEAVE(kInvalidValue);
  }
  LEAVE(kSuccess);
}

/* --- Contexts -------------------------------------------------------------*/

EXPORT CUresult cuDevicePrimaryCtxRetain(Context **context, CUdevice device) {
  ENTER("cuDevicePrimaryCtxRetain", 0);
  if (device < 0 || device >= gDevices)
    LEAVE(kInvalidDevice);
  ++gContexts[device].refs;
  *context = &gContexts[device];
  LEAVE(kSuccess);
}

EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
  ENTER("cuDevicePrimaryCtxRelease_v2", 0);
  if (device < 0 || device >= gDevices || gContexts[device].refs == 0)
    LEAVE(kInvalidDevice);
  if (--gContexts[device].refs == 0) {
    /* The context goes: a real driver would free what is left. */
    gContexts[device].sticky = kSuccess;
    int anyRetained = 0;
    for (int d = 0; d < MAX_DEVICES; ++d)
      anyRetained = anyRetained || gContexts[d].refs > 0;
    if (!anyRetained && gLive != 0) {
      fprintf(stderr,
              "mock libcuda: %ld objects were never destroyed when the last "
              "primary context was released\n",
              gLive);
      abort();
    }
  }
  LEAVE(kSuccess);
}

EXPORT CUresult cuCtxPushCurrent_v2(Context *context) {
  ENTER("cuCtxPushCurrent_v2", 0);
  if (context == 0 || context->refs == 0 || tDepth == MAX_DEPTH)
    LEAVE(kInvalidContext);
  tStack[tDepth++] = context;
  LEAVE(kSuccess);
}

EXPORT CUresult cuCtxPopCurrent_v2(Context **context) {
  ENTER("cuCtxPopCurrent_v2", 0);
  if (tDepth == 0)
    LEAVE(kInvalidContext);
  Context *popped = tStack[--tDepth];
  if (context != 0)
    *context = popped;
  LEAVE(kSuccess);
}

EXPORT CUresult cuCtxSynchronize(void) {
  ENTER("cuCtxSynchronize", 1);
  LEAVE(unsafeDuringCapture());
}

/* --- Modules
 * ----------------------------------------------------------------*/

/* Reads the entries of a PTX text into `module`. */
static void readEntries(const char *text, Module *module) {
  const char *at = text;
  while ((at = strstr(at, ".entry ")) != 0 && module->functions < 8) {
    Function *f = &module->function[module->functions];
    memset(f, 0, sizeof(*f));
    at += 7;
    size_t n = 0;
    while (at[n] != '\0' && at[n] != '(' && at[n] != ' ' && at[n] != '\n' &&
           n + 1 < sizeof(f->name))
      ++n;
    memcpy(f->name, at, n);
    const char *open = strchr(at, '(');
    const char *close = open ? strchr(open, ')') : 0;
    const char *body = close ? strchr(close, '{') : 0;
    const char *end = body ? strchr(body, '}') : 0;
    if (end == 0)
      return;
    for (const char *p = open; (p = strstr(p, ".param")) != 0 && p < close;
         p += 6)
      ++f->params;
    size_t length = (size_t)(end - body);
    char *copy = malloc(length + 1);
    if (copy == 0)
      return;
    memcpy(copy, body, length);
    copy[length] = '\0';
    f->computes = strstr(copy, "fma.rn.f32") != 0;
    f->traps = strstr(copy, "trap;") != 0;
    free(copy);
    ++module->functions;
    at = end;
  }
}

EXPORT CUresult cuModuleLoadDataEx(Module **out, const void *image,
                                   unsigned count, const int *options,
                                   void **values) {
  ENTER("cuModuleLoadDataEx", 1);
  if (unsafeDuringCapture() != kSuccess)
    LEAVE(kCaptureUnsupported);
  const char *text = image;
  char *log = 0;
  size_t logBytes = 0;
  int sizeOption = -1;
  for (unsigned i = 0; i < count; ++i) {
    if (options[i] == 5)
      log = values[i];
    else if (options[i] == 6) {
      logBytes = (size_t)(uintptr_t)values[i];
      sizeOption = (int)i;
    }
  }
  const char *problem = 0;
  char message[256];
  if (strstr(text, ".version") == 0 || strstr(text, ".target") == 0)
    problem = "ptxas fatal   : not a PTX module";
  const char *bad = strstr(text, "frobnicate");
  if (problem == 0 && bad != 0) {
    int line = 1;
    for (const char *p = text; p < bad; ++p)
      line += *p == '\n';
    snprintf(message, sizeof(message),
             "ptxas application ptx input, line %d; error   : Not a name of "
             "any known instruction: 'frobnicate'\n"
             "ptxas fatal   : Ptx assembly aborted due to errors\n",
             line);
    problem = message;
  }
  if (problem != 0) {
    if (log != 0 && logBytes > 0) {
      snprintf(log, logBytes, "%s", problem);
      if (sizeOption >= 0)
        values[sizeOption] = (void *)(uintptr_t)strlen(log);
    }
    LEAVE(kInvalidPtx);
  }
  Module *module = calloc(1, sizeof(Module));
  if (module == 0)
    LEAVE(kOutOfMemory);
  module->magic = kModuleMagic;
  readEntries(text, module);
  ++gLive;
  *out = module;
  LEAVE(kSuccess);
}

EXPORT CUresult cuModuleGetFunction(const Function **out, Module *module,
                                    const char *name) {
  ENTER("cuModuleGetFunction", 1);
  if (module == 0 || module->magic != kModuleMagic)
    LEAVE(kInvalidHandle);
  for (int i = 0; i < module->functions; ++i)
    if (strcmp(module->function[i].name, name) == 0) {
      *out = &module->function[i];
      LEAVE(kSuccess);
    }
  LEAVE(kNotFound);
}

EXPORT CUresult cuModuleUnload(Module *module) {
  ENTER("cuModuleUnload", 0);
  if (module == 0 || module->magic != kModuleMagic)
    LEAVE(kInvalidHandle);
  module->magic = 0;
  free(module);
  --gLive;
  LEAVE(kSuccess);
}

EXPORT CUresult cuFuncGetAttribute(int *value, int attribute,
                                   const Function *function) {
  ENTER("cuFuncGetAttribute", 1);
  if (function == 0)
    LEAVE(kInvalidHandle);
  if (attribute == 0) /* max threads per block */
    *value = 1024;
  else if (attribute == 4) /* registers */
    *value = 16;
  else
    LEAVE(kInvalidValue);
  LEAVE(kSuccess);
}

/* --- Memory ---------------------------------------------------------------*/

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *address, size_t bytes) {
  ENTER("cuMemAlloc_v2", 1);
  if (unsafeDuringCapture() != kSuccess)
    LEAVE(kCaptureUnsupported);
  if (bytes == 0)
    LEAVE(kInvalidValue);
  void *memory = allocate(bytes, 0);
  if (memory == 0)
    LEAVE(kOutOfMemory);
  *address = (CUdeviceptr)(uintptr_t)memory;
  LEAVE(kSuccess);
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr address) {
  /* Frees even in a broken context, as the destructor relies on. */
  pthread_mutex_lock(&gLock);
  if (!gInitialized)
    LEAVE(kNotInitialized);
  if (unsafeDuringCapture() != kSuccess)
    LEAVE(kCaptureUnsupported);
  LEAVE(release((uintptr_t)address, 0));
}

EXPORT CUresult cuMemHostAlloc(void **pointer, size_t bytes, unsigned flags) {
  ENTER("cuMemHostAlloc", 1);
  if (unsafeDuringCapture() != kSuccess)
    LEAVE(kCaptureUnsupported);
  if (bytes == 0 || flags > 7)
    LEAVE(kInvalidValue);
  void *memory = allocate(bytes, 1);
  if (memory == 0)
    LEAVE(kOutOfMemory);
  *pointer = memory;
  LEAVE(kSuccess);
}

EXPORT CUresult cuMemFreeHost(void *pointer) {
  pthread_mutex_lock(&gLock);
  if (!gInitialized)
    LEAVE(kNotInitialized);
  if (unsafeDuringCapture() != kSuccess)
    LEAVE(kCaptureUnsupported);
  LEAVE(release((uintptr_t)pointer, 1));
}

EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr device, const void *host,
                                size_t bytes) {
  ENTER("cuMemcpyHtoD_v2", 1);
  if (unsafeDuringCapture() != kSuccess)
    LEAVE(kCaptureUnsupported);
  if (!findAllocation((uintptr_t)device, bytes, 0) || host == 0)
    LEAVE(kInvalidValue);
  memcpy((void *)(uintptr_t)device, host, bytes);
  LEAVE(kSuccess);
}

EXPORT CUresult cuMemsetD8_v2(CUdeviceptr device, unsigned char value,
                              size_t bytes) {
  ENTER("cuMemsetD8_v2", 1);
  if (unsafeDuringCapture() != kSuccess)
    LEAVE(kCaptureUnsupported);
  if (!findAllocation((uintptr_t)device, bytes, 0))
    LEAVE(kInvalidValue);
  memset((void *)(uintptr_t)device, value, bytes);
  LEAVE(kSuccess);
}

static CUresult copyAsync(int kind, CUdeviceptr device, void *host,
                          size_t bytes, Stream *stream) {
  if (stream == 0 || stream->magic != kStreamMagic)
    return kInvalidHandle;
  if (!findAllocation((uintptr_t)device, bytes, 0) || host == 0)
    return kInvalidValue;
  /* A captured copy must use pinned memory. */
  if (stream->capturing && !findAllocation((uintptr_t)host, bytes, 1)) {
    stream->invalidated = 1;
    return kCaptureUnsupported;
  }
  Op op;
  memset(&op, 0, sizeof(op));
  op.kind = kind;
  op.device = device;
  op.host = host;
  op.bytes = bytes;
  return enqueue(stream, &op);
}

EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr device, const void *host,
                                     size_t bytes, Stream *stream) {
  ENTER("cuMemcpyHtoDAsync_v2", 1);
  LEAVE(copyAsync(kOpHostToDevice, device, (void *)host, bytes, stream));
}

EXPORT CUresult cuMemcpyDtoHAsync_v2(void *host, CUdeviceptr device,
                                     size_t bytes, Stream *stream) {
  ENTER("cuMemcpyDtoHAsync_v2", 1);
  LEAVE(copyAsync(kOpDeviceToHost, device, host, bytes, stream));
}

/* --- Streams and graphs ---------------------------------------------------*/

EXPORT CUresult cuStreamCreate(Stream **out, unsigned flags) {
  ENTER("cuStreamCreate", 1);
  if (flags > 1)
    LEAVE(kInvalidValue);
  Stream *stream = calloc(1, sizeof(Stream));
  if (stream == 0)
    LEAVE(kOutOfMemory);
  stream->magic = kStreamMagic;
  ++gLive;
  *out = stream;
  LEAVE(kSuccess);
}

EXPORT CUresult cuStreamDestroy_v2(Stream *stream) {
  pthread_mutex_lock(&gLock);
  if (!gInitialized)
    LEAVE(kNotInitialized);
  if (stream == 0 || stream->magic != kStreamMagic)
    LEAVE(kInvalidHandle);
  if (stream->capturing)
    LEAVE(kCaptureUnsupported);
  stream->magic = 0;
  free(stream->captured.ops);
  free(stream);
  --gLive;
  LEAVE(kSuccess);
}

EXPORT CUresult cuStreamSynchronize(Stream *stream) {
  ENTER("cuStreamSynchronize", 1);
  if (stream == 0 || stream->magic != kStreamMagic)
    LEAVE(kInvalidHandle);
  if (stream->capturing) {
    stream->invalidated = 1;
    LEAVE(kCaptureUnsupported);
  }
  LEAVE(kSuccess);
}

EXPORT CUresult cuStreamBeginCapture_v2(Stream *stream, int mode) {
  ENTER("cuStreamBeginCapture_v2", 1);
  if (stream == 0 || stream->magic != kStreamMagic || stream->capturing ||
      mode < 0 || mode > 2)
    LEAVE(kInvalidValue);
  stream->capturing = 1;
  stream->invalidated = 0;
  stream->captured.count = 0;
  tCapturing = stream;
  LEAVE(kSuccess);
}

EXPORT CUresult cuStreamEndCapture(Stream *stream, Graph **out) {
  /* Ends the capture even in a broken context. */
  pthread_mutex_lock(&gLock);
  if (!gInitialized)
    LEAVE(kNotInitialized);
  if (stream == 0 || stream->magic != kStreamMagic || !stream->capturing ||
      tCapturing != stream)
    LEAVE(kInvalidValue);
  stream->capturing = 0;
  tCapturing = 0;
  *out = 0;
  if (stream->invalidated)
    LEAVE(kCaptureInvalidated);
  Graph *graph = calloc(1, sizeof(Graph));
  if (graph == 0)
    LEAVE(kOutOfMemory);
  graph->magic = kGraphMagic;
  graph->ops = stream->captured; /* the graph takes the list */
  memset(&stream->captured, 0, sizeof(stream->captured));
  ++gLive;
  *out = graph;
  LEAVE(kSuccess);
}

EXPORT CUresult cuGraphInstantiateWithFlags(Graph **out, Graph *graph,
                                            unsigned long long flags) {
  ENTER("cuGraphInstantiateWithFlags", 1);
  if (graph == 0 || graph->magic != kGraphMagic || flags != 0)
    LEAVE(kInvalidValue);
  Graph *exec = calloc(1, sizeof(Graph));
  if (exec == 0)
    LEAVE(kOutOfMemory);
  exec->magic = kExecMagic;
  for (size_t i = 0; i < graph->ops.count; ++i)
    if (append(&exec->ops, &graph->ops.ops[i]) != kSuccess) {
      free(exec->ops.ops);
      free(exec);
      LEAVE(kOutOfMemory);
    }
  ++gLive;
  *out = exec;
  LEAVE(kSuccess);
}

EXPORT CUresult cuGraphLaunch(Graph *exec, Stream *stream) {
  ENTER("cuGraphLaunch", 1);
  if (exec == 0 || exec->magic != kExecMagic || stream == 0 ||
      stream->magic != kStreamMagic || stream->capturing)
    LEAVE(kInvalidValue);
  /* Runs now; a fault shows at the next synchronization. */
  for (size_t i = 0; i < exec->ops.count; ++i)
    execute(current(), &exec->ops.ops[i]);
  LEAVE(kSuccess);
}

static CUresult destroyGraph(Graph *graph, unsigned magic) {
  pthread_mutex_lock(&gLock);
  if (!gInitialized)
    LEAVE(kNotInitialized);
  if (graph == 0 || graph->magic != magic)
    LEAVE(kInvalidHandle);
  graph->magic = 0;
  free(graph->ops.ops);
  free(graph);
  --gLive;
  LEAVE(kSuccess);
}

EXPORT CUresult cuGraphExecDestroy(Graph *exec) {
  return destroyGraph(exec, kExecMagic);
}

EXPORT CUresult cuGraphDestroy(Graph *graph) {
  return destroyGraph(graph, kGraphMagic);
}

EXPORT CUresult cuLaunchKernel(const Function *function, unsigned gridX,
                               unsigned gridY, unsigned gridZ, unsigned blockX,
                               unsigned blockY, unsigned blockZ,
                               unsigned sharedBytes, Stream *stream,
                               void **params, void **extra) {
  ENTER("cuLaunchKernel", 1);
  if (function == 0 || stream == 0 || stream->magic != kStreamMagic)
    LEAVE(kInvalidHandle);
  unsigned long long threads = (unsigned long long)blockX * blockY * blockZ;
  CUresult result = kSuccess;
  if (gridX == 0 || gridY == 0 || gridZ == 0 || threads == 0 ||
      threads > 1024 || blockX > 1024 || blockY > 1024 || blockZ > 64 ||
      gridY > 65535 || gridZ > 65535 || sharedBytes != 0 || extra != 0 ||
      function->params > MAX_PARAMS || (function->params > 0 && params == 0))
    result = kInvalidValue;
  if (result != kSuccess) {
    if (stream->capturing)
      stream->invalidated = 1;
    LEAVE(result);
  }
  Op op;
  memset(&op, 0, sizeof(op));
  op.kind = kOpKernel;
  op.function = function;
  op.grid[0] = gridX, op.grid[1] = gridY, op.grid[2] = gridZ;
  op.block[0] = blockX, op.block[1] = blockY, op.block[2] = blockZ;
  /* Read now: the caller's parameter storage may be gone later. */
  for (int i = 0; i < function->params; ++i)
    memcpy(&op.params[i], params[i], sizeof(op.params[i]));
  LEAVE(enqueue(stream, &op));
}

/* --- Events ---------------------------------------------------------------*/

EXPORT CUresult cuEventCreate(Event **out, unsigned flags) {
  ENTER("cuEventCreate", 1);
  if (flags > 15)
    LEAVE(kInvalidValue);
  Event *event = calloc(1, sizeof(Event));
  if (event == 0)
    LEAVE(kOutOfMemory);
  event->magic = kEventMagic;
  ++gLive;
  *out = event;
  LEAVE(kSuccess);
}

EXPORT CUresult cuEventDestroy_v2(Event *event) {
  pthread_mutex_lock(&gLock);
  if (!gInitialized)
    LEAVE(kNotInitialized);
  if (event == 0 || event->magic != kEventMagic)
    LEAVE(kInvalidHandle);
  event->magic = 0;
  free(event);
  --gLive;
  LEAVE(kSuccess);
}

EXPORT CUresult cuEventRecord(Event *event, Stream *stream) {
  ENTER("cuEventRecord", 1);
  if (event == 0 || event->magic != kEventMagic || stream == 0 ||
      stream->magic != kStreamMagic)
    LEAVE(kInvalidHandle);
  if (stream->capturing) { /* not used by the runtime */
    stream->invalidated = 1;
    LEAVE(kCaptureUnsupported);
  }
  /* Work runs when queued: now is when everything before has finished. */
  event->recorded = 1;
  event->milliseconds = nowMilliseconds();
  LEAVE(kSuccess);
}

EXPORT CUresult cuEventElapsedTime(float *milliseconds, Event *start,
                                   Event *end) {
  ENTER("cuEventElapsedTime", 1);
  if (start == 0 || end == 0 || start->magic != kEventMagic ||
      end->magic != kEventMagic || !start->recorded || !end->recorded)
    LEAVE(kInvalidHandle);
  *milliseconds = (float)(end->milliseconds - start->milliseconds);
  LEAVE(kSuccess);
}
