#pragma once
// The backends the store contract suite runs against (TYPED_TEST over these types), and the
// fixture that opens a fresh, empty, migrated store for every test.
//
//   SqliteBackend:   a new file in a temporary folder.
//   PostgresBackend: a new database on the harness server (pg_server.h).
//
// Store calls answer through callbacks on store threads; Call() waits for one answer so the
// tests read top to bottom.

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <random>
#include <string>

#include "pg_server.h"
#include "store/store.h"

namespace hookline::testing {

struct SqliteBackend {
  static constexpr const char* kName = "sqlite";
  // Returns the URL to open; `cleanup` gets what Cleanup needs.
  static std::string Create(std::string& cleanup) {
    static std::mt19937_64 rng{std::random_device{}()};
    cleanup = (std::filesystem::temp_directory_path() / ("hookline-store-" + std::to_string(rng())))
                  .string();
    return "sqlite:" + cleanup + "/hookline.db";
  }
  static void Cleanup(const std::string& dir) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  static std::string Unavailable() { return ""; }
};

struct PostgresBackend {
  static constexpr const char* kName = "postgres";
  static std::string Create(std::string& cleanup) {
    cleanup = PgServer::Get().CreateDatabase();
    return cleanup;
  }
  static void Cleanup(const std::string& dsn) {
    if (!dsn.empty()) PgServer::Get().DropDatabase(dsn);
  }
  static std::string Unavailable() { return PgServer::Get().error(); }
};

template <class T, class F>
StatusOr<T> Call(F&& start) {
  std::promise<StatusOr<T>> promise;
  auto future = promise.get_future();
  start([&promise](StatusOr<T> r) { promise.set_value(std::move(r)); });
  return future.get();
}

template <class Backend>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = Backend::Unavailable(); !why.empty()) GTEST_FAIL() << why;
    url_ = Backend::Create(cleanup_);
    ASSERT_FALSE(url_.empty()) << Backend::Unavailable();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    if (store_) store_->Close();
    store_.reset();
    Backend::Cleanup(cleanup_);
  }
  // Another store on the same database (a second instance, or a reopen).
  std::unique_ptr<store::Store> Open() {
    auto url = ParseDatabaseUrl(url_);
    EXPECT_TRUE(url.ok()) << url.status().message();
    if (!url.ok()) return nullptr;
    auto s = store::OpenStore(store::StoreOptions{*url, 8});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s.value()) : nullptr;
  }
  store::Store& store() { return *store_; }
  DatabaseKind kind() const { return ParseDatabaseUrl(url_)->kind; }

  std::string url_;
  std::string cleanup_;
  std::unique_ptr<store::Store> store_;
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;

struct BackendNames {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

}  // namespace hookline::testing
