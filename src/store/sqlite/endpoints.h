#pragma once
// EndpointStore on SQLite (store/endpoints.h). Writes through the Writer, reads on the
// ReaderPool.

#include "store/endpoints.h"
#include "store/sqlite/workers.h"

namespace hookline::store::sqlite {

class SqliteEndpoints final : public EndpointStore {
 public:
  SqliteEndpoints(Writer& writer, ReaderPool& readers) : writer_(writer), readers_(readers) {}
  void Create(EndpointRecord e, Callback<EndpointRecord> done) override;
  void Get(std::string id, Callback<EndpointRecord> done) override;
  void List(Callback<std::vector<EndpointRecord>> done) override;
  void Update(std::string id, EndpointPatch patch, Callback<EndpointRecord> done) override;
  void Delete(std::string id, SysTime now, Callback<bool> done) override;

 private:
  Writer& writer_;
  ReaderPool& readers_;
};

}  // namespace hookline::store::sqlite
