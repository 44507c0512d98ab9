#pragma once
// The outbound aggregates on PostgreSQL (contracts in store/assessments.h, endpoints.h,
// deliveries.h): assessments with their render claims, endpoints, and the delivery queue.
// Writes go through the Writer, reads through the ReaderPool. Claims (renders and deliveries)
// lock candidate rows with FOR UPDATE SKIP LOCKED and set the same lease columns as SQLite,
// so several hookline instances share one queue: a row is claimed by one instance at a time,
// and an instance that dies leaves leases that expire. Thread-safe like every Store part.

#include "store/assessments.h"
#include "store/deliveries.h"
#include "store/endpoints.h"
#include "store/postgres/workers.h"

namespace hookline::store::postgres {

class PgAssessments final : public AssessmentStore {
 public:
  PgAssessments(Writer& writer, ReaderPool& readers) : writer_(writer), readers_(readers) {}
  void Create(NewAssessment a, Random& random, Callback<AssessmentRecord> done) override;
  void Get(std::string id, Callback<AssessmentRecord> done) override;
  void Report(std::string id, Callback<std::string> done) override;
  void ClaimNextRender(std::string worker, SysTime now, std::chrono::milliseconds lease,
                       Callback<std::optional<AssessmentRecord>> done) override;
  void CompleteRender(CompletedRender c, Callback<int> done) override;
  void FailRender(std::string assessment_id, std::string worker, std::string reason, SysTime now,
                  Callback<bool> done) override;

 private:
  Writer& writer_;
  ReaderPool& readers_;
};

class PgEndpoints final : public EndpointStore {
 public:
  PgEndpoints(Writer& writer, ReaderPool& readers) : writer_(writer), readers_(readers) {}
  void Create(EndpointRecord e, Callback<EndpointRecord> done) override;
  void Get(std::string id, Callback<EndpointRecord> done) override;
  void List(Callback<std::vector<EndpointRecord>> done) override;
  void Update(std::string id, EndpointPatch patch, Callback<EndpointRecord> done) override;
  void Delete(std::string id, SysTime now, Callback<bool> done) override;

 private:
  Writer& writer_;
  ReaderPool& readers_;
};

class PgDeliveries final : public DeliveryStore {
 public:
  PgDeliveries(Writer& writer, ReaderPool& readers) : writer_(writer), readers_(readers) {}
  void ClaimDue(ClaimRequest request, Callback<std::vector<ClaimedDelivery>> done) override;
  void RecordAttempts(std::vector<AttemptResult> results, Callback<int> done) override;
  void NextDue(Callback<std::optional<SysTime>> done) override;
  void Retry(std::string id, SysTime now, Callback<DeliveryRecord> done) override;
  void List(DeliveryQuery query, Callback<DeliveryPage> done) override;
  void Get(std::string id, Callback<DeliveryDetail> done) override;

 private:
  Writer& writer_;
  ReaderPool& readers_;
  // When ClaimDue next settles expired leases (deliveries.cc). Touched only on the writer's
  // thread, which runs every ClaimDue.
  SysTime next_settle_{};
};

}  // namespace hookline::store::postgres
