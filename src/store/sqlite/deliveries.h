#pragma once
// DeliveryStore on SQLite (store/deliveries.h). Claims and results go through the Writer, so
// the one write connection serializes them (the role FOR UPDATE SKIP LOCKED plays in
// PostgreSQL); many results of one batch commit in one transaction. Reads on the ReaderPool.

#include "store/deliveries.h"
#include "store/sqlite/workers.h"

namespace hookline::store::sqlite {

class SqliteDeliveries final : public DeliveryStore {
 public:
  SqliteDeliveries(Writer& writer, ReaderPool& readers) : writer_(writer), readers_(readers) {}
  void ClaimDue(ClaimRequest request, Callback<std::vector<ClaimedDelivery>> done) override;
  void RecordAttempts(std::vector<AttemptResult> results, Callback<int> done) override;
  void NextDue(Callback<std::optional<SysTime>> done) override;
  void Retry(std::string id, SysTime now, Callback<DeliveryRecord> done) override;
  void List(DeliveryQuery query, Callback<DeliveryPage> done) override;
  void Get(std::string id, Callback<DeliveryDetail> done) override;

 private:
  Writer& writer_;
  ReaderPool& readers_;
};

}  // namespace hookline::store::sqlite
