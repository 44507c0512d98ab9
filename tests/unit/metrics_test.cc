#include "core/metrics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace hookline {
namespace {

TEST(WritesFailing, OnlyAfterARefusalWithNoCommitSince) {
  Metrics m;
  EXPECT_FALSE(m.WritesFailing());  // nothing written yet
  m.NoteWrite(Status::Ok());
  EXPECT_FALSE(m.WritesFailing());
  m.NoteWrite(Status::Unavailable("database or disk is full"));
  EXPECT_TRUE(m.WritesFailing());
  m.NoteWrite(Status::Unavailable("database or disk is full"));
  EXPECT_TRUE(m.WritesFailing());
  m.NoteWrite(Status::Ok());  // space is back: one commit clears it
  EXPECT_FALSE(m.WritesFailing());
}

TEST(WritesFailing, AJobsOwnFailureSaysNothingOfTheDatabase) {
  Metrics m;
  m.NoteWrite(Status::Ok());
  m.NoteWrite(Status::Internal("refused at commit: a trigger"));
  m.NoteWrite(Status::Invalid("a bad row"));
  m.NoteWrite(Status::AlreadyExists("a lead with that email"));
  EXPECT_FALSE(m.WritesFailing());
}

TEST(WritesFailing, EndsWhenNoWriteHasBeenRefusedForTheWindow) {
  Metrics m;
  m.NoteWrite(Status::Unavailable("database or disk is full"));
  EXPECT_TRUE(m.WritesFailing(std::chrono::hours(1)));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(m.WritesFailing(std::chrono::milliseconds(1)));
}

TEST(WritesFailing, RenderedAsAGauge) {
  Metrics m;
  EXPECT_NE(m.RenderPrometheus().find("\nhookline_store_writes_failing 0\n"), std::string::npos);
  m.NoteWrite(Status::Unavailable("database or disk is full"));
  EXPECT_NE(m.RenderPrometheus().find("\nhookline_store_writes_failing 1\n"), std::string::npos);
}

}  // namespace
}  // namespace hookline
