//===- npy.cpp - Read and write NumPy .npy files --------------------------===//
//
// Format reference: numpy/lib/format.py. A file is the magic "\x93NUMPY",
// a major and minor version byte, the header length (2 bytes little-endian
// in 1.0, 4 bytes in 2.0 and 3.0), then the header: a Python dict literal
// with the keys 'descr', 'fortran_order' and 'shape', padded with spaces and
// a final newline so that the data starts at a multiple of 64 bytes.
//
//===----------------------------------------------------------------------===//

#include "runtime/tools/npy.h"

#include "cnnc/artifact_abi.h"
#include "runtime/src/TensorFormat.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

#include <sys/stat.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.cpp stores elements in host order and assumes a little-endian host"
#endif

using namespace cnnc;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// numpy itself refuses headers above 10000 bytes unless told otherwise;
// anything this large is a corrupt length field.
constexpr uint32_t kMaxHeaderSize = 1u << 20;

struct FileCloser {
  void operator()(FILE *file) const { std::fclose(file); }
};
using File = std::unique_ptr<FILE, FileCloser>;

struct Header {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// Parses the header dict. It is a Python literal, but only the subset that
/// numpy writes (and that other writers produce) is accepted: string, bool
/// and integer-tuple values, either quote style, optional trailing commas.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text(text) {}

  bool parse(Header &header, std::string &error) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("expected '{'", error);
    skipSpace();
    while (!consume('}')) {
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key", error);
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after '" + key + "'", error);
      skipSpace();
      bool *seen = nullptr;
      bool ok = false;
      if (key == "descr") {
        seen = &haveDescr;
        ok = parseString(header.descr);
      } else if (key == "fortran_order") {
        seen = &haveOrder;
        ok = parseBool(header.fortranOrder);
      } else if (key == "shape") {
        seen = &haveShape;
        ok = parseShape(header.shape);
      } else {
        return fail("unexpected key '" + key + "'", error);
      }
      if (!ok)
        return fail("malformed value for '" + key + "'", error);
      if (*seen)
        return fail("duplicate key '" + key + "'", error);
      *seen = true;
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      if (pos >= text.size() || text[pos] != '}')
        return fail("expected ',' or '}'", error);
    }
    skipSpace();
    if (pos != text.size())
      return fail("unexpected text after the closing '}'", error);
    if (!haveDescr || !haveOrder || !haveShape)
      return fail(std::string("missing key '") +
                      (!haveDescr   ? "descr"
                       : !haveOrder ? "fortran_order"
                                    : "shape") +
                      "'",
                  error);
    return true;
  }

private:
  bool fail(const std::string &what, std::string &error) const {
    error =
        "malformed header (" + what + " at offset " + std::to_string(pos) + ")";
    return false;
  }

  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }

  bool consume(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }

  bool consumeWord(const char *word) {
    size_t length = std::strlen(word);
    if (text.compare(pos, length, word) != 0)
      return false;
    pos += length;
    return true;
  }

  bool parseString(std::string &out) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos, end - pos);
    if (out.find('\\') != std::string::npos)
      return false; // no escapes in any descr or key we accept
    pos = end + 1;
    return true;
  }

  bool parseBool(bool &out) {
    if (consumeWord("True")) {
      out = true;
      return true;
    }
    if (consumeWord("False")) {
      out = false;
      return true;
    }
    return false;
  }

  bool parseExtent(int64_t &out) {
    if (pos >= text.size() || text[pos] < '0' || text[pos] > '9')
      return false;
    int64_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      int digit = text[pos++] - '0';
      if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
        return false;
      value = value * 10 + digit;
    }
    consume('L'); // Python 2 longs
    out = value;
    return true;
  }

  bool parseShape(std::vector<int64_t> &out) {
    out.clear();
    if (!consume('('))
      return false;
    skipSpace();
    while (!consume(')')) {
      int64_t extent = 0;
      if (!parseExtent(extent))
        return false;
      out.push_back(extent);
      skipSpace();
      bool comma = consume(',');
      skipSpace();
      // "(3)" is an int in Python, not a tuple; numpy writes "(3,)".
      if (!comma && (out.size() == 1 || pos >= text.size() || text[pos] != ')'))
        return false;
    }
    return true;
  }

  const std::string &text;
  size_t pos = 0;
};

/// Names common descrs in errors: "'<f8' (float64)".
std::string describeDescr(const std::string &descr) {
  std::string text = "'" + descr + "'";
  if (descr.size() < 3)
    return text;
  const char *byteOrder = descr[0] == '>'   ? "big-endian "
                          : descr[0] == '<' ? ""
                          : descr[0] == '|' ? ""
                          : descr[0] == '=' ? "native-order "
                                            : nullptr;
  const char *kind = descr[1] == 'f'   ? "float"
                     : descr[1] == 'i' ? "int"
                     : descr[1] == 'u' ? "uint"
                     : descr[1] == 'b' ? "bool"
                     : descr[1] == 'c' ? "complex"
                                       : nullptr;
  std::string size = descr.substr(2);
  if (!byteOrder || !kind || size.empty() ||
      size.find_first_not_of("0123456789") != std::string::npos ||
      size.size() > 2)
    return text;
  if (descr[1] == 'b')
    return text + " (bool)";
  return text + " (" + byteOrder + kind + std::to_string(std::stoi(size) * 8) +
         ")";
}

int32_t dtypeOfDescr(const std::string &descr) {
  if (descr == "<f4")
    return CNNC_DTYPE_F32;
  if (descr == "<i8")
    return CNNC_DTYPE_I64;
  return 0;
}

bool readExactly(FILE *file, void *buffer, size_t size) {
  return std::fread(buffer, 1, size, file) == size;
}

uint32_t readLittleEndian(const unsigned char *bytes, size_t size) {
  uint32_t value = 0;
  for (size_t i = size; i-- > 0;)
    value = (value << 8) | bytes[i];
  return value;
}

bool readImpl(const std::string &path, npy::Array &array,
              std::string &problem) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    problem = std::strerror(errno);
    return false;
  }

  unsigned char prefix[kMagicSize + 2];
  size_t got = std::fread(prefix, 1, sizeof(prefix), file.get());
  if (got < kMagicSize || std::memcmp(prefix, kMagic, kMagicSize) != 0) {
    problem = "not a .npy file (bad magic)";
    return false;
  }
  if (got < sizeof(prefix)) {
    problem = "truncated header";
    return false;
  }
  unsigned major = prefix[kMagicSize], minor = prefix[kMagicSize + 1];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    problem = "unsupported .npy format version " + std::to_string(major) + "." +
              std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)";
    return false;
  }
  size_t lengthSize = major == 1 ? 2 : 4;
  unsigned char lengthBytes[4];
  if (!readExactly(file.get(), lengthBytes, lengthSize)) {
    problem = "truncated header";
    return false;
  }
  uint32_t headerSize = readLittleEndian(lengthBytes, lengthSize);
  if (headerSize > kMaxHeaderSize) {
    problem = "header length " + std::to_string(headerSize) + " is implausible";
    return false;
  }
  std::string headerText(headerSize, '\0');
  if (!readExactly(file.get(), headerText.data(), headerSize)) {
    problem = "truncated header";
    return false;
  }

  Header header;
  if (!HeaderParser(headerText).parse(header, problem))
    return false;
  int32_t dtype = dtypeOfDescr(header.descr);
  if (dtype == 0) {
    problem = "unsupported dtype " + describeDescr(header.descr) +
              "; supported: '<f4' (float32), '<i8' (int64)";
    return false;
  }
  size_t nonUnitExtents = 0;
  for (int64_t extent : header.shape)
    nonUnitExtents += extent != 1;
  if (header.fortranOrder && nonUnitExtents > 1) {
    problem = "Fortran-order arrays are not supported (save with "
              "numpy.ascontiguousarray)";
    return false;
  }
  if (header.shape.size() > static_cast<size_t>(rt::kMaxRank)) {
    problem = "rank " + std::to_string(header.shape.size()) +
              " exceeds the maximum of " + std::to_string(rt::kMaxRank);
    return false;
  }
  int32_t rank = static_cast<int32_t>(header.shape.size());
  size_t bytes = 0;
  if (!rt::denseByteSize(dtype, header.shape.data(), rank, bytes)) {
    problem =
        "shape " + rt::formatShape(header.shape.data(), rank) + " is too large";
    return false;
  }

  // Compare with the file size before allocating, so that a corrupt shape
  // is reported as such rather than as an allocation failure.
  size_t dataOffset = sizeof(prefix) + lengthSize + headerSize;
  struct stat st;
  if (fstat(fileno(file.get()), &st) == 0 && S_ISREG(st.st_mode)) {
    size_t fileSize = static_cast<size_t>(st.st_size);
    size_t available = fileSize > dataOffset ? fileSize - dataOffset : 0;
    if (available < bytes) {
      problem = "truncated data: shape " +
                rt::formatShape(header.shape.data(), rank) + " needs " +
                std::to_string(bytes) + " bytes, the file has " +
                std::to_string(available);
      return false;
    }
    if (available > bytes) {
      problem = std::to_string(available - bytes) +
                " unexpected bytes after the data of shape " +
                rt::formatShape(header.shape.data(), rank);
      return false;
    }
  }

  std::vector<unsigned char> data;
  try {
    data.resize(bytes);
  } catch (const std::bad_alloc &) {
    problem = "out of memory reading " + std::to_string(bytes) + " bytes";
    return false;
  }
  if (!readExactly(file.get(), data.data(), bytes)) {
    problem = "truncated data";
    return false;
  }
  if (std::fgetc(file.get()) != EOF) {
    problem = "unexpected bytes after the data";
    return false;
  }
  array.dtype = dtype;
  array.shape = std::move(header.shape);
  array.data = std::move(data);
  return true;
}

std::string formatTupleShape(const std::vector<int64_t> &shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i != 0)
      text += ", ";
    text += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    text += ',';
  return text + ")";
}

bool writeImpl(const std::string &path, int32_t dtype,
               const std::vector<int64_t> &shape, const void *data,
               std::string &problem) {
  const char *descr = npy::descrOf(dtype);
  if (descr == nullptr) {
    problem = "cannot write " + rt::describeDtype(dtype);
    return false;
  }
  if (shape.size() > static_cast<size_t>(rt::kMaxRank)) {
    problem = "rank " + std::to_string(shape.size()) + " is too large";
    return false;
  }
  int32_t rank = static_cast<int32_t>(shape.size());
  size_t bytes = 0;
  if (!rt::denseByteSize(dtype, shape.data(), rank, bytes)) {
    problem = "invalid shape " + rt::formatShape(shape.data(), rank);
    return false;
  }
  if (bytes > 0 && data == nullptr) {
    problem = "no data to write";
    return false;
  }

  std::string dict =
      std::string("{'descr': '") + descr +
      "', 'fortran_order': False, 'shape': " + formatTupleShape(shape) + ", }";
  // Always version 1.0: with rank <= kMaxRank the header is well below the
  // 64 KiB its 16-bit length field allows.
  constexpr size_t kPrefixSize = kMagicSize + 2 + 2;
  size_t unpadded = kPrefixSize + dict.size() + 1; // + '\n'
  std::string header = dict;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string prefix(kMagic, kMagicSize);
  prefix += '\x01'; // major version
  prefix += '\x00'; // minor version
  prefix += static_cast<char>(header.size() & 0xff);
  prefix += static_cast<char>((header.size() >> 8) & 0xff);

  FILE *file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    problem = std::strerror(errno);
    return false;
  }
  bool ok =
      std::fwrite(prefix.data(), 1, prefix.size(), file) == prefix.size() &&
      std::fwrite(header.data(), 1, header.size(), file) == header.size() &&
      (bytes == 0 || std::fwrite(data, 1, bytes, file) == bytes);
  int writeErrno = errno;
  if (std::fclose(file) != 0 && ok) {
    ok = false;
    writeErrno = errno;
  }
  if (!ok) {
    problem = std::string("write failed: ") + std::strerror(writeErrno);
    std::remove(path.c_str());
  }
  return ok;
}

} // namespace

size_t npy::Array::numElements() const {
  size_t size = rt::dtypeSize(dtype);
  return size == 0 ? 0 : data.size() / size;
}

const char *npy::descrOf(int32_t dtype) {
  switch (dtype) {
  case CNNC_DTYPE_F32:
    return "<f4";
  case CNNC_DTYPE_I64:
    return "<i8";
  default:
    return nullptr;
  }
}

bool npy::read(const std::string &path, Array &array, std::string &error) {
  std::string problem;
  try {
    if (readImpl(path, array, problem))
      return true;
  } catch (const std::bad_alloc &) {
    problem = "out of memory";
  }
  error = path + ": " + problem;
  return false;
}

bool npy::write(const std::string &path, int32_t dtype,
                const std::vector<int64_t> &shape, const void *data,
                std::string &error) {
  std::string problem;
  try {
    if (writeImpl(path, dtype, shape, data, problem))
      return true;
  } catch (const std::bad_alloc &) {
    problem = "out of memory";
  }
  error = "cannot write " + path + ": " + problem;
  return false;
}
