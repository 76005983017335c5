// Errors as values. Every fallible function in the libraries returns Expected<T>; nothing throws
// across a library boundary, nothing prints, nothing exits. An Error carries one line of text that
// says what failed, where, and why; callers add outer context ("reattach macvm:41139: ...") as it
// travels up, so the CLI prints exactly one line.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kdp {

// Coarse category so the CLI can pick an exit code and tests can tell failures apart without
// parsing text.
enum class ErrorKind {
  kMalformed,   // untrusted bytes did not parse (packet, Mach-O, pcap, kernel memory)
  kProtocol,    // the peer answered, but with an error code or something unexpected
  kTimeout,     // the peer did not answer within the deadline
  kIo,          // the operating system refused (socket, file)
  kUsage,       // the caller asked for something impossible (bad argument)
  kNotFound,    // a symbol, file or object does not exist
  kInterrupted  // the user stopped the operation
};

class Error {
 public:
  Error(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }

  // For memory reads: the first address that could not be read (the "where" as a field, so callers
  // can act on it without parsing the message). Survives context().
  const std::optional<uint64_t>& fault_address() const { return fault_address_; }
  Error with_fault_address(uint64_t address) && {
    fault_address_ = address;
    return std::move(*this);
  }

  // Prefix with the outer step: Error(...).context("READMEM64 0xffffff8000200000").
  Error context(std::string_view outer) const& {
    Error e(kind_, std::string(outer) + ": " + message_);
    e.fault_address_ = fault_address_;
    return e;
  }
  Error context(std::string_view outer) && {
    message_.insert(0, std::string(outer) + ": ");
    return std::move(*this);
  }

 private:
  ErrorKind kind_;
  std::string message_;
  std::optional<uint64_t> fault_address_;
};

inline Error malformed(std::string message) { return Error(ErrorKind::kMalformed, std::move(message)); }
inline Error usage_error(std::string message) { return Error(ErrorKind::kUsage, std::move(message)); }

// A minimal std::expected stand-in (C++20 has none). T must not be Error.
template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
  Expected(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const { return storage_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(storage_); }
  const T& value() const& { assert(has_value()); return std::get<0>(storage_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(storage_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!has_value()); return std::get<1>(storage_); }
  Error&& error() && { assert(!has_value()); return std::get<1>(std::move(storage_)); }

 private:
  std::variant<T, Error> storage_;
};

// Expected<void>: success carries nothing.
template <>
class [[nodiscard]] Expected<void> {
 public:
  Expected() = default;
  Expected(Error error) : error_(std::move(error)), has_error_(true) {}

  bool has_value() const { return !has_error_; }
  explicit operator bool() const { return has_value(); }
  const Error& error() const& { assert(has_error_); return error_; }
  Error&& error() && { assert(has_error_); return std::move(error_); }

 private:
  Error error_{ErrorKind::kUsage, ""};
  bool has_error_ = false;
};

using Status = Expected<void>;

}  // namespace kdp

#define KDP_CONCAT_INNER(a, b) a##b
#define KDP_CONCAT(a, b) KDP_CONCAT_INNER(a, b)

// KDP_TRY(auto x, expr): evaluate expr (an Expected); on error return it from the enclosing
// function, else bind the value. KDP_TRY_STATUS(expr) for Expected<void>.
#define KDP_TRY(decl, expr)                                          \
  auto KDP_CONCAT(kdp_try_, __LINE__) = (expr);                      \
  if (!KDP_CONCAT(kdp_try_, __LINE__)) return std::move(KDP_CONCAT(kdp_try_, __LINE__)).error(); \
  decl = std::move(KDP_CONCAT(kdp_try_, __LINE__)).value()

#define KDP_TRY_STATUS(expr)                                         \
  do {                                                               \
    auto kdp_try_status_ = (expr);                                   \
    if (!kdp_try_status_) return std::move(kdp_try_status_).error(); \
  } while (0)
