#pragma once
// FnJob: a write job made of a function, for the group-commit writers of both backends
// (sqlite/workers.h, postgres/workers.h; Base is the backend's WriteJob, Conn its connection).
//
// The function returns the value, an expected failure (kInvalidArgument, kNotFound,
// kAlreadyExists) that leaves the batch's transaction standing, or a database failure
// (kUnavailable, kInternal), which fails the transaction, so the writer re-runs the batch's jobs
// one by one. The callback gets the result after COMMIT, or the transaction's failure.

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/callback.h"

namespace hookline::store {

template <class Base, class Conn, class T>
class FnJob final : public Base {
 public:
  FnJob(std::function<StatusOr<T>(Conn&)> fn, Callback<T> done)
      : fn_(std::move(fn)), done_(std::move(done)) {}
  Status Execute(Conn& conn) override {
    result_.emplace(fn_(conn));
    const auto code = result_->status().code();
    if (!result_->ok() && (code == StatusCode::kUnavailable || code == StatusCode::kInternal)) {
      return result_->status();
    }
    return Status::Ok();
  }
  void Complete(const Status& status) override {
    if (!status.ok()) return done_(status);
    done_(std::move(*result_));
  }

 private:
  std::function<StatusOr<T>(Conn&)> fn_;
  Callback<T> done_;
  std::optional<StatusOr<T>> result_;
};

// A committed (or failed) batch on its way from a writer to its completer thread: statuses has
// one entry per job, or a single entry that applies to all of them.
template <class Job>
struct FinishedBatch {
  std::vector<std::unique_ptr<Job>> jobs;
  std::vector<Status> statuses;

  // Runs every job's callback with its status.
  void Complete() {
    for (size_t i = 0; i < jobs.size(); ++i) {
      jobs[i]->Complete(statuses.size() == 1 ? statuses[0] : statuses[i]);
    }
  }
};

}  // namespace hookline::store
