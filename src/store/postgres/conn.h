#pragma once
// A PostgreSQL connection (libpq) and its results, RAII. One Conn belongs to one thread at a
// time (a writer thread or a reader thread); it is never shared concurrently.
//
// Every failure comes back as a Status: kUnavailable when the server cannot be reached or
// asks us to come back later (connection lost, shutting down, statement timeout, a full disk,
// read-only, too many connections; a deadlock or serialization failure too, marked as a
// conflict), kInvalidArgument for data the server refuses (class 22/23), kInternal otherwise.
// No message ever holds the password of the DSN: they name the server as host:port/dbname,
// taken from libpq after the connection attempt.

#include <libpq-fe.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/status.h"

namespace hookline::store::postgres {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// Query parameters that own their strings (libpq keeps pointers only while the call runs):
// text format, or PostgreSQL's binary format for the type the statement gives the parameter.
class Params {
 public:
  Params& Add(std::string v) { return Own(std::move(v), 0); }
  Params& Add(const std::optional<std::string>& v) { return v ? Add(*v) : AddNull(); }
  Params& AddBinary(std::string v) {
    binary_ = true;
    return Own(std::move(v), 1);
  }
  Params& AddNull() {
    values_.push_back(nullptr);
    lengths_.push_back(0);
    formats_.push_back(0);
    return *this;
  }
  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  // For PQexecParams/PQsendQueryPrepared: null (all text) unless a binary value was added.
  const int* lengths() const { return binary_ ? lengths_.data() : nullptr; }
  const int* formats() const { return binary_ ? formats_.data() : nullptr; }
  // Adds `v` and returns its placeholder ("$3"), for SQL built from optional filters.
  std::string Placeholder(std::string v) {
    Add(std::move(v));
    return "$" + std::to_string(size());
  }

 private:
  Params& Own(std::string v, int format) {
    owned_.push_back(std::move(v));
    values_.push_back(owned_.back().data());
    lengths_.push_back(static_cast<int>(owned_.back().size()));
    formats_.push_back(format);
    return *this;
  }

  std::deque<std::string> owned_;  // deque: growing it never moves the strings
  std::vector<const char*> values_;
  std::vector<int> lengths_;  // used for binary values only (libpq ignores them for text)
  std::vector<int> formats_;  // 0 text, 1 binary
  bool binary_ = false;
};

// A one-dimensional array parameter in PostgreSQL's binary format (what array_recv reads), for
// the bulk INSERT ... SELECT FROM unnest($1::text[], ...) of the hot paths: the server reads
// each element's bytes as they are instead of parsing an array literal, and a timestamp as a
// number instead of text. Each element is added with the Add* that matches the element type
// given to the constructor; Finish writes the number of elements added, so the header always
// matches the body.
class BinaryArray {
 public:
  static constexpr uint32_t kText = 25;
  static constexpr uint32_t kJsonb = 3802;
  static constexpr uint32_t kTimestamptz = 1184;

  // expected_count and data_bytes (the elements' bytes) only size the buffer.
  BinaryArray(uint32_t element_type, size_t expected_count, size_t data_bytes = 0);
  void AddText(std::string_view v);   // text
  void AddJsonb(std::string_view v);  // jsonb: JSON text, which the server parses and checks
  void AddTimestamptz(std::chrono::system_clock::time_point t);  // kept to the millisecond
  void AddNull();
  std::string Finish();  // the parameter value, for Params::AddBinary

 private:
  void Int32(uint32_t v);
  // An element's length word (-1 for NULL), which every element starts with: counts it.
  void Length(uint32_t n);
  std::string out_;
  uint32_t count_ = 0;
  bool has_null_ = false;
};

struct ConnOptions {
  std::string dsn;  // postgres://... as configured; holds the password: never log it
  int connect_timeout_s = 3;
  // Server-side limit per statement, so a stuck server turns into kUnavailable, not a hang.
  int statement_timeout_ms = 10000;
};

class Conn {
 public:
  static StatusOr<std::unique_ptr<Conn>> Open(const ConnOptions& options);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // False when the server closed the connection (restart, admin shutdown): reads what the
  // server sent without blocking, so a dead connection is noticed before it is used.
  bool Alive();

  // One or more statements without parameters (BEGIN, COMMIT, DDL).
  Status Exec(std::string_view sql);
  // A statement with parameters, parsed on every call (dynamic SQL).
  StatusOr<Result> Query(const std::string& sql, const Params& params);
  // A statement prepared once per connection under `name` (sql must not change for a name).
  // Outside BEGIN it is its own transaction: an ok result means committed (and, with
  // synchronous_commit on, flushed), because libpq returns only after the server's
  // ReadyForQuery, which follows the commit. *sent (if given) tells whether the statement
  // left for the server: false means it surely ran nowhere (safe to retry elsewhere).
  StatusOr<Result> Prepared(const char* name, const char* sql, const Params& params,
                            bool* sent = nullptr);

  bool InFailedTransaction() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }
  // host:port/dbname, for messages.
  const std::string& server() const { return server_; }
  PGconn* raw() { return conn_; }

 private:
  explicit Conn(PGconn* conn);
  StatusOr<Result> Check(PGresult* res, std::string_view what);

  PGconn* conn_;
  std::string server_;
  std::unordered_set<std::string> prepared_;
};

// What a server's SQLSTATE (or its absence: "") means for the caller.
enum class SqlStateKind {
  // The server cannot do the work now, nor until its cause passes (shutting down, a full disk,
  // out of memory, an I/O error, read-only, a statement timeout): kUnavailable, and a write
  // refused so counts against /healthz (core/metrics.h).
  kRetryLater,
  // The transaction lost to a concurrent one (a deadlock, a serialization failure, a lock not
  // available): kUnavailable marked as a conflict, which says nothing of the database's health.
  kConflict,
  kBadData,  // classes 22 and 23: the data is refused (kInvalidArgument, kAlreadyExists)
  kInternal,
};
SqlStateKind ClassifySqlState(std::string_view state);

// The Status for a failed result (res may be null: out of memory or connection lost).
Status ErrorOf(PGconn* conn, const PGresult* res, std::string_view what);

// Appends `v` as one element of a PostgreSQL array literal ("..." with \ and " escaped).
void AppendArrayElement(std::string& out, std::string_view v);

// N array literals built row by row (one element per row in each; NULL for an absent value),
// the parameters of an INSERT/UPDATE ... SELECT FROM unnest($1::text[], ...): many rows in one
// statement.
template <size_t N>
class ArrayColumns {
 public:
  void Add(size_t col, std::string_view v) {
    Sep(col);
    AppendArrayElement(cols_[col], v);
  }
  // Room for `elements` more elements of column `col` holding about `text_bytes` of text
  // (escapes included), so that the literal is not copied as it grows. The quotes, commas and
  // closing brace are counted here.
  void Reserve(size_t col, size_t elements, size_t text_bytes) {
    cols_[col].reserve(cols_[col].size() + text_bytes + 3 * elements + 1);
  }
  void AddOpt(size_t col, const std::optional<std::string>& v) {
    if (v) return Add(col, *v);
    Sep(col);
    cols_[col] += "NULL";
  }
  Params Finish() {
    Params p;
    for (auto& c : cols_) p.Add(std::move(c += '}'));
    return p;
  }

 private:
  void Sep(size_t col) {
    if (cols_[col].size() > 1) cols_[col] += ',';
  }
  static std::array<std::string, N> Open() {
    std::array<std::string, N> a;
    a.fill("{");
    return a;
  }
  std::array<std::string, N> cols_ = Open();
};

// A connection that opens lazily and again after it broke. When a connect attempt had to wait
// for its timeout (unreachable host), it answers kUnavailable at once for a short while
// instead of making every caller wait on connect.
class ConnSlot {
 public:
  explicit ConnSlot(ConnOptions options) : options_(std::move(options)) {}
  StatusOr<Conn*> Get();
  void Drop() { conn_.reset(); }

 private:
  ConnOptions options_;
  std::unique_ptr<Conn> conn_;
  Status last_error_;
  std::chrono::steady_clock::time_point fail_fast_until_{};
};

// One page of an admin list, newest first with a keyset cursor: `select` is
// "SELECT <columns> FROM <table> WHERE true" plus the filters, whose values are in `params`
// (placeholders from Params::Placeholder). Adds the cursor condition (rows strictly after
// (createdAt, id) in createdAt DESC, id DESC order), the ORDER BY and LIMIT page+1, so that
// `has_more` is known without a count. Ids compare as COLLATE "C" (byte order, as in SQLite,
// whatever the database's locale). `after` is (createdAt ISO text, id) or absent.
template <class Row, class ReadRow>
Status ReadKeysetPage(Conn& conn, std::string select, Params& params,
                      const std::optional<std::pair<std::string, std::string>>& after, int limit,
                      ReadRow read, std::vector<Row>& items, bool& has_more) {
  if (after) {
    const auto created = params.Placeholder(after->first) + "::timestamptz";
    const auto id = params.Placeholder(after->second);
    select += " AND (\"createdAt\" < " + created + " OR (\"createdAt\" = " + created +
              " AND id COLLATE \"C\" < " + id + "))";
  }
  select += " ORDER BY \"createdAt\" DESC, id COLLATE \"C\" DESC LIMIT " +
            params.Placeholder(std::to_string(limit + 1));
  auto res = conn.Query(select, params);
  if (!res.ok()) return res.status();
  const int n = PQntuples(res->get());
  for (int r = 0; r < n; ++r) items.push_back(read(res->get(), r));
  has_more = static_cast<int>(items.size()) > limit;
  if (has_more) items.pop_back();
  return Status::Ok();
}

}  // namespace hookline::store::postgres
