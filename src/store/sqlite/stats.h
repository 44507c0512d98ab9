#pragma once
// StatsStore on SQLite: the funnel queries (store/stats.h) on the ReaderPool.

#include "store/sqlite/workers.h"
#include "store/stats.h"

namespace hookline::store::sqlite {

class SqliteStats final : public StatsStore {
 public:
  explicit SqliteStats(ReaderPool& readers) : readers_(readers) {}
  void Funnel(FunnelQuery query, Callback<FunnelStats> done) override;

 private:
  ReaderPool& readers_;
};

}  // namespace hookline::store::sqlite
