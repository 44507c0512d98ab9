#include "store/sqlite/workers.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/metrics.h"

namespace hookline::store::sqlite {

Writer::Writer(std::unique_ptr<Conn> conn, size_t max_batch)
    : conn_(std::move(conn)), max_batch_(max_batch), thread_([this] { Loop(); }) {}

Writer::~Writer() { Stop(); }

void Writer::Submit(std::unique_ptr<WriteJob> job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      cv_.notify_one();
      return;
    }
  }
  job->Complete(Status::Unavailable("the store is shutting down"));
}

void Writer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void Writer::Loop() {
  std::vector<std::unique_ptr<WriteJob>> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
  }
}

void Writer::RunBatch(std::vector<std::unique_ptr<WriteJob>>& batch) {
  auto& metrics = Metrics::Get();
  const auto t0 = std::chrono::steady_clock::now();
  Status st = RunInTransaction(batch, 0, batch.size());
  metrics.store_commit_micros += std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - t0)
                                     .count();
  if (st.ok()) {
    ++metrics.store_transactions;
    metrics.store_jobs += batch.size();
    for (auto& job : batch) job->Complete(st);
    return;
  }
  if (batch.size() == 1) {
    spdlog::error("store write failed: {}", st.message());
    ++metrics.store_failures;
    batch[0]->Complete(st);
    return;
  }
  // Isolate the failure: each job alone, so one bad job cannot fail its neighbours.
  spdlog::warn("store batch of {} failed ({}); retrying one by one", batch.size(), st.message());
  for (size_t i = 0; i < batch.size(); ++i) {
    Status one = RunInTransaction(batch, i, i + 1);
    if (!one.ok()) {
      spdlog::error("store write failed: {}", one.message());
      ++metrics.store_failures;
    } else {
      ++metrics.store_transactions;
      ++metrics.store_jobs;
    }
    batch[i]->Complete(one);
  }
}

Status Writer::RunInTransaction(std::vector<std::unique_ptr<WriteJob>>& jobs, size_t begin,
                                size_t end) {
  if (auto st = conn_->Exec("BEGIN IMMEDIATE"); !st.ok()) return st;
  for (size_t i = begin; i < end; ++i) {
    if (auto st = jobs[i]->Execute(*conn_); !st.ok()) {
      (void)conn_->Exec("ROLLBACK");
      return st;
    }
  }
  if (auto st = conn_->Exec("COMMIT"); !st.ok()) {
    (void)conn_->Exec("ROLLBACK");
    return st;
  }
  return Status::Ok();
}

ReaderPool::ReaderPool(const std::string& path, int threads) : path_(path) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { Loop(i); });
}

ReaderPool::~ReaderPool() { Stop(); }

void ReaderPool::Submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      cv_.notify_one();
      return;
    }
  }
  job(nullptr, Status::Unavailable("the store is shutting down"));
}

void ReaderPool::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void ReaderPool::Loop(int index) {
  std::unique_ptr<Conn> conn;
  Status open_status;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!conn) {
      // Opened lazily and again after a failure, so a transient error heals itself.
      auto opened = Conn::Open(path_);
      if (opened.ok()) {
        conn = std::move(opened.value());
      } else {
        open_status = opened.status();
      }
    }
    job(conn.get(), conn ? Status::Ok() : open_status);
  }
}

}  // namespace hookline::store::sqlite
