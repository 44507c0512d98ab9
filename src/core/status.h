#pragma once
// Status and StatusOr<T>: expected failures as values (bad input, not found, a database that
// is busy or down). Exceptions are for start-up and for bugs only.
//
// A Status carries a code and a message meant for the log (it may hold detail, never a
// secret). What a client sees is decided by api/, which maps codes to HTTP replies.

#include <optional>
#include <string>
#include <utility>

namespace hookline {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong
  kNotFound,
  kAlreadyExists,
  kUnavailable,  // the database (or another dependency) cannot be reached now; retry later
  kInternal,     // a bug or an unexpected failure
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status Invalid(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // A transaction that lost to a concurrent one (a deadlock, a serialization failure): worth
  // retrying, and no sign that the database refuses work (core/metrics.h, NoteWrite).
  bool conflict() const { return conflict_; }
  Status AsConflict() && {
    conflict_ = true;
    return std::move(*this);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  bool conflict_ = false;
};

// A value or the Status that says why there is none.
template <class T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace hookline
