#include "store/postgres/workers.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "core/metrics.h"
#include "store/postgres/event_log.h"

namespace hookline::store::postgres {

Writer::Writer(const ConnOptions& options, int threads, size_t max_batch)
    : options_(options), max_batch_(max_batch) {
  completer_ = std::thread([this] { CompleterLoop(); });
  pthread_setname_np(completer_.native_handle(), "hl-pg-done");
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i] { Loop(i); });
    pthread_setname_np(threads_.back().native_handle(), "hl-pg-write");  // for top -H and perf
  }
}

Writer::~Writer() { Stop(); }

void Writer::Submit(std::unique_ptr<WriteJob> job) {
  if (!queue_.Push(job)) job->Complete(Status::Unavailable("the store is shutting down"));
}

void Writer::Stop() {
  queue_.Close();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();  // every queued job committed or failed
  }
  done_.Close();
  if (completer_.joinable()) completer_.join();  // every callback run
}

void Writer::CompleterLoop() {
  std::vector<Finished> ready;
  while (done_.PopBatch(ready, 64)) {
    for (auto& f : ready) f.Complete();
    ready.clear();
  }
}

void Writer::Loop(int /*index*/) {
  ConnSlot slot(options_);
  Batch batch;
  while (queue_.PopBatch(batch, max_batch_)) {  // false: stopping, everything queued committed
    auto statuses = RunBatch(slot, batch);
    Finished finished{std::move(batch), std::move(statuses)};
    done_.Push(finished);  // open until every writer thread has ended
    batch.clear();
  }
}

std::vector<Status> Writer::RunBatch(ConnSlot& slot, Batch& batch) {
  auto& metrics = Metrics::Get();
  const auto t0 = std::chrono::steady_clock::now();
  auto conn = slot.Get();
  bool outcome_unknown = false;
  Status st = conn.ok() ? RunInTransaction(**conn, batch, 0, batch.size(), &outcome_unknown)
                        : conn.status();
  if (!st.ok() && conn.ok() && !outcome_unknown && !(*conn)->Alive()) {
    // The connection died under us (server restarted) before COMMIT: nothing was committed,
    // so one more try on a fresh connection is safe and spares the callers a 503.
    slot.Drop();
    conn = slot.Get();
    if (conn.ok()) st = RunInTransaction(**conn, batch, 0, batch.size(), &outcome_unknown);
  }
  metrics.store_commit_duration.ObserveSince(t0);
  // Writes count as failing when a server that answers refuses them (a full disk, a server
  // gone read-only); a lost connection does not: /healthz sees that with its own query, and
  // the writes recover with the connection.
  auto note = [&metrics, &conn](const Status& s) {
    if (s.ok() || (conn.ok() && (*conn)->Alive())) metrics.NoteWrite(s);
  };
  note(st);  // a batch run again job by job below notes each job's outcome too
  if (st.ok()) {
    ++metrics.store_transactions;
    metrics.store_jobs += batch.size();
    return {st};
  }
  if (!conn.ok() || outcome_unknown || batch.size() == 1 ||
      (st.code() == StatusCode::kUnavailable && !st.conflict())) {
    // No connection, an unknown COMMIT outcome, or a server that refuses writes: every job is
    // answered with the failure; none is reported as done. (A batch that lost a conflict with
    // another transaction, a deadlock, runs again job by job below.)
    if (st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kAlreadyExists) {
      spdlog::warn("store write refused: {}", st.message());
    } else {
      spdlog::error("store write of {} job(s) failed: {}", batch.size(), st.message());
    }
    if (conn.ok() && !(*conn)->Alive()) slot.Drop();
    metrics.store_failures += batch.size();
    return {st};
  }
  // A job's statement failed: run each alone so one bad job cannot fail its neighbours.
  spdlog::warn("store batch of {} failed ({}); retrying one by one", batch.size(), st.message());
  std::vector<Status> statuses;
  statuses.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    Status one = RunInTransaction(**conn, batch, i, i + 1, &outcome_unknown);
    if (!one.ok()) {
      spdlog::warn("store write failed: {}", one.message());
      ++metrics.store_failures;
    } else {
      ++metrics.store_transactions;
      ++metrics.store_jobs;
    }
    note(one);
    statuses.push_back(std::move(one));
  }
  return statuses;
}

Status Writer::RunInTransaction(Conn& conn, Batch& jobs, size_t begin, size_t end,
                                bool* outcome_unknown) {
  *outcome_unknown = false;
  std::vector<EventInsertJob*> events;
  for (size_t i = begin; i < end; ++i) {
    if (auto* e = jobs[i]->AsEventInsert()) events.push_back(e);
  }
  if (events.size() == end - begin) {
    // Only EventLog inserts (the webhook's hot path): the one INSERT runs as its own
    // transaction, so BEGIN, INSERT and COMMIT cost one round trip instead of three. Its ok
    // result arrives after the commit (ReadyForQuery follows it), as COMMIT's does below.
    bool sent = false;
    Status st = EventInsertJob::InsertBatch(conn, events, &sent);
    // A server error rolled the statement back; only a lost connection leaves it unknown.
    *outcome_unknown = !st.ok() && sent && PQstatus(conn.raw()) != CONNECTION_OK;
    return st;
  }
  if (auto st = conn.Exec("BEGIN"); !st.ok()) return st;
  auto fail = [&conn](Status st) {
    if (conn.Alive()) (void)conn.Exec("ROLLBACK");
    return st;
  };
  if (!events.empty()) {
    if (auto st = EventInsertJob::InsertBatch(conn, events); !st.ok()) return fail(st);
  }
  for (size_t i = begin; i < end; ++i) {
    if (jobs[i]->AsEventInsert() != nullptr) continue;
    if (auto st = jobs[i]->Execute(conn); !st.ok()) return fail(st);
  }
  // A job that swallowed a failed statement left the transaction aborted; COMMIT would
  // quietly roll it back and report success.
  if (conn.InFailedTransaction()) {
    return fail(Status::Internal("a statement failed inside the transaction"));
  }
  auto res = conn.Query("COMMIT", Params{});
  if (!res.ok()) {
    // An error answered by the server (a deferred constraint or trigger, which an operator may
    // have added) means the transaction was rolled back: a known outcome, so the jobs may run
    // again one by one. Only a lost connection leaves the COMMIT's outcome unknown.
    *outcome_unknown = PQstatus(conn.raw()) != CONNECTION_OK;
    return res.status();
  }
  if (std::string_view(PQcmdStatus(res->get())) != "COMMIT") {
    return Status::Internal("postgres rolled the transaction back instead of committing");
  }
  return Status::Ok();
}

ReaderPool::ReaderPool(const ConnOptions& options, int threads) : options_(options) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { Loop(); });
    pthread_setname_np(threads_.back().native_handle(), "hl-pg-read");
  }
}

ReaderPool::~ReaderPool() { Stop(); }

void ReaderPool::Submit(Job job) {
  if (!queue_.Push(job)) job(nullptr, Status::Unavailable("the store is shutting down"));
}

void ReaderPool::Stop() {
  queue_.Close();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void ReaderPool::Loop() {
  ConnSlot slot(options_);
  while (auto job = queue_.Pop()) {
    auto conn = slot.Get();
    if (conn.ok()) {
      (*job)(*conn, Status::Ok());
    } else {
      (*job)(nullptr, conn.status());
    }
  }
}

}  // namespace hookline::store::postgres
