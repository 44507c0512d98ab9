#pragma once
// LeadStore on SQLite. Create runs on the Writer (group commit) in the batch's transaction;
// Get and List run on the ReaderPool.

#include "store/leads.h"
#include "store/sqlite/workers.h"

namespace hookline::store::sqlite {

class SqliteLeads final : public LeadStore {
 public:
  SqliteLeads(Writer& writer, ReaderPool& readers) : writer_(writer), readers_(readers) {}
  void Create(LeadRecord lead, EventRecord created_event, Callback<CreateLeadResult> done) override;
  void Get(std::string id, Callback<LeadDetail> done) override;
  void List(LeadQuery query, Callback<LeadPage> done) override;

 private:
  Writer& writer_;
  ReaderPool& readers_;
};

}  // namespace hookline::store::sqlite
