#pragma once
// LeadStore and StatsStore on PostgreSQL (contracts in store/leads.h and store/stats.h).
// Create goes through the Writer (the lead and its lead.created row in one transaction); the
// rest runs on the ReaderPool. Thread-safe like every Store part.

#include "store/leads.h"
#include "store/postgres/workers.h"
#include "store/stats.h"

namespace hookline::store::postgres {

class PgLeads final : public LeadStore {
 public:
  PgLeads(Writer& writer, ReaderPool& readers) : writer_(writer), readers_(readers) {}
  void Create(LeadRecord lead, EventRecord created_event, Callback<CreateLeadResult> done) override;
  void Get(std::string id, Callback<LeadDetail> done) override;
  void List(LeadQuery query, Callback<LeadPage> done) override;

 private:
  Writer& writer_;
  ReaderPool& readers_;
};

class PgStats final : public StatsStore {
 public:
  explicit PgStats(ReaderPool& readers) : readers_(readers) {}
  void Funnel(FunnelQuery query, Callback<FunnelStats> done) override;

 private:
  ReaderPool& readers_;
};

}  // namespace hookline::store::postgres
