#pragma once
// AssessmentStore on SQLite (store/assessments.h). Writes through the Writer (group commit),
// reads on the ReaderPool. The one writer serializes claims, so a plain UPDATE is the lock.

#include "store/assessments.h"
#include "store/sqlite/workers.h"

namespace hookline::store::sqlite {

class SqliteAssessments final : public AssessmentStore {
 public:
  SqliteAssessments(Writer& writer, ReaderPool& readers) : writer_(writer), readers_(readers) {}
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

}  // namespace hookline::store::sqlite
