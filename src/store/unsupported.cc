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

}  // namespace

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
