// The base implementations of Store's accessors: objects that answer every call with
// kUnavailable, for a backend that does not implement an aggregate yet (store.h). The api then
// replies 503 for that route instead of the build breaking.

#include "store/store.h"

namespace hookline::store {
namespace {

Status NotSupported() {
  return Status::Unavailable("not supported by this database backend yet");
}

class UnsupportedLeads final : public LeadStore {
 public:
  void Create(LeadRecord, EventRecord, Callback<CreateLeadResult> done) override {
    done(NotSupported());
  }
  void Get(std::string, Callback<LeadDetail> done) override { done(NotSupported()); }
  void List(LeadQuery, Callback<LeadPage> done) override { done(NotSupported()); }
};

class UnsupportedStats final : public StatsStore {
 public:
  void Funnel(FunnelQuery, Callback<FunnelStats> done) override { done(NotSupported()); }
};

class UnsupportedAssessments final : public AssessmentStore {
 public:
  void Create(NewAssessment, Random&, Callback<AssessmentRecord> done) override {
    done(NotSupported());
  }
  void Get(std::string, Callback<AssessmentRecord> done) override { done(NotSupported()); }
  void Report(std::string, Callback<std::string> done) override { done(NotSupported()); }
  void ClaimNextRender(std::string, SysTime, std::chrono::milliseconds,
                       Callback<std::optional<AssessmentRecord>> done) override {
    done(NotSupported());
  }
  void CompleteRender(CompletedRender, Callback<int> done) override { done(NotSupported()); }
  void FailRender(std::string, std::string, std::string, SysTime, Callback<bool> done) override {
    done(NotSupported());
  }
};

class UnsupportedEndpoints final : public EndpointStore {
 public:
  void Create(EndpointRecord, Callback<EndpointRecord> done) override { done(NotSupported()); }
  void Get(std::string, Callback<EndpointRecord> done) override { done(NotSupported()); }
  void List(Callback<std::vector<EndpointRecord>> done) override { done(NotSupported()); }
  void Update(std::string, EndpointPatch, Callback<EndpointRecord> done) override {
    done(NotSupported());
  }
  void Delete(std::string, SysTime, Callback<bool> done) override { done(NotSupported()); }
};

class UnsupportedDeliveries final : public DeliveryStore {
 public:
  void ClaimDue(ClaimRequest, Callback<std::vector<ClaimedDelivery>> done) override {
    done(NotSupported());
  }
  void RecordAttempts(std::vector<AttemptResult>, Callback<int> done) override {
    done(NotSupported());
  }
  void NextDue(Callback<std::optional<SysTime>> done) override { done(NotSupported()); }
  void Retry(std::string, SysTime, Callback<DeliveryRecord> done) override { done(NotSupported()); }
  void List(DeliveryQuery, Callback<DeliveryPage> done) override { done(NotSupported()); }
  void Get(std::string, Callback<DeliveryDetail> done) override { done(NotSupported()); }
};

}  // namespace

AssessmentStore& Store::assessments() {
  static UnsupportedAssessments instance;
  return instance;
}

EndpointStore& Store::endpoints() {
  static UnsupportedEndpoints instance;
  return instance;
}

DeliveryStore& Store::deliveries() {
  static UnsupportedDeliveries instance;
  return instance;
}

// Stateless, so one shared instance serves every Store.
LeadStore& Store::leads() {
  static UnsupportedLeads instance;
  return instance;
}

StatsStore& Store::stats() {
  static UnsupportedStats instance;
  return instance;
}

}  // namespace hookline::store
