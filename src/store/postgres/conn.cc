#include "store/postgres/conn.h"

#include <fmt/format.h>

#include <array>
#include <cstring>

namespace hookline::store::postgres {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

SqlStateKind ClassifySqlState(std::string_view state) {
  if (state.size() != 5) return SqlStateKind::kRetryLater;  // no SQLSTATE: a client-side failure
  if (state == "40001" || state == "40P01" ||               // serialization failure, deadlock
      state == "55P03") {                                   // lock not available
    return SqlStateKind::kConflict;
  }
  const auto cls = state.substr(0, 2);
  if (cls == "08" ||       // connection exception
      cls == "57" ||       // operator intervention: shutdown, statement timeout (57014)
      cls == "53" ||       // insufficient resources: disk full, out of memory, connections
      cls == "58" ||       // system error: an I/O error (58030) under the server
      cls == "40" ||       // the rest of class 40: a statement's completion unknown
      state == "25006" ||  // read-only transaction: a standby, default_transaction_read_only
      state == "25P03") {  // idle-in-transaction timeout
    return SqlStateKind::kRetryLater;
  }
  if (cls == "22" || cls == "23") return SqlStateKind::kBadData;
  return SqlStateKind::kInternal;
}

Status ErrorOf(PGconn* conn, const PGresult* res, std::string_view what) {
  std::string msg = Trim(res ? PQresultErrorMessage(res) : "");
  if (msg.empty() && conn) msg = Trim(PQerrorMessage(conn));
  const char* state_c = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view state = state_c ? state_c : "";
  std::string text = fmt::format("postgres {}: {}{}{}", what, msg, state.empty() ? "" : " ",
                                 state.empty() ? "" : fmt::format("({})", state));
  const SqlStateKind kind = ClassifySqlState(state);
  if ((conn && PQstatus(conn) == CONNECTION_BAD) || kind == SqlStateKind::kRetryLater) {
    return Status::Unavailable(std::move(text));
  }
  if (kind == SqlStateKind::kConflict) return Status::Unavailable(std::move(text)).AsConflict();
  // Data the server refuses (e.g. \u0000 inside jsonb): api/ shows kInvalidArgument and
  // kAlreadyExists messages to the client, so they carry the server's one-line reason only.
  if (kind == SqlStateKind::kBadData) {
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    std::string reason = fmt::format("the database cannot store this value: {}",
                                     primary ? primary : "invalid value");
    if (state == "23505") return Status::AlreadyExists(std::move(reason));
    return Status::Invalid(std::move(reason));
  }
  return Status::Internal(std::move(text));
}

void AppendArrayElement(std::string& out, std::string_view v) {
  // Runs without a quote or a backslash are copied whole (a JSON payload has a quote every few
  // characters, and a byte-by-byte copy was most of the writer thread's time in P3).
  out.push_back('"');
  size_t from = 0;
  for (size_t i = v.find_first_of("\"\\"); i != std::string_view::npos;
       i = v.find_first_of("\"\\", from)) {
    out.append(v.data() + from, i - from);
    out.push_back('\\');
    out.push_back(v[i]);
    from = i + 1;
  }
  out.append(v.data() + from, v.size() - from);
  out.push_back('"');
}

namespace {

// The header words Finish fills in, by byte offset: ndim, has-null flag, element type, number
// of elements, lower bound.
constexpr size_t kHasNullAt = 4;
constexpr size_t kCountAt = 12;

std::array<char, 4> BigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

}  // namespace

BinaryArray::BinaryArray(uint32_t element_type, size_t expected_count, size_t data_bytes) {
  out_.reserve(20 + 4 * expected_count + data_bytes);
  Int32(1);  // dimensions
  Int32(0);  // has nulls: set by Finish
  Int32(element_type);
  Int32(0);  // elements: set by Finish
  Int32(1);  // lower bound
}

void BinaryArray::Int32(uint32_t v) {
  const auto b = BigEndian32(v);
  out_.append(b.data(), b.size());
}

void BinaryArray::Length(uint32_t n) {
  ++count_;
  Int32(n);
}

void BinaryArray::AddText(std::string_view v) {
  Length(static_cast<uint32_t>(v.size()));
  out_.append(v);
}

void BinaryArray::AddJsonb(std::string_view v) {
  Length(static_cast<uint32_t>(v.size() + 1));
  out_.push_back('\x01');  // jsonb's binary format version
  out_.append(v);
}

void BinaryArray::AddTimestamptz(std::chrono::system_clock::time_point t) {
  // Microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's epoch), truncated to the
  // millisecond as the text form (FormatIsoMillis) was.
  constexpr int64_t kPgEpochUnixMicros = 946684800LL * 1000000;
  const int64_t ms = std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const uint64_t v = static_cast<uint64_t>(ms * 1000 - kPgEpochUnixMicros);
  Length(8);
  Int32(static_cast<uint32_t>(v >> 32));
  Int32(static_cast<uint32_t>(v));
}

void BinaryArray::AddNull() {
  has_null_ = true;
  Length(0xffffffffu);  // -1
}

std::string BinaryArray::Finish() {
  const auto has_null = BigEndian32(has_null_ ? 1 : 0);
  const auto count = BigEndian32(count_);
  out_.replace(kHasNullAt, has_null.size(), has_null.data(), has_null.size());
  out_.replace(kCountAt, count.size(), count.data(), count.size());
  return std::move(out_);
}

StatusOr<std::unique_ptr<Conn>> Conn::Open(const ConnOptions& o) {
  const std::string connect_timeout = std::to_string(o.connect_timeout_s);
  const std::string options = fmt::format("-c statement_timeout={}", o.statement_timeout_ms);
  // Our defaults first, the DSN last: libpq keeps the last value of a repeated keyword, so
  // a parameter given in the URL (?connect_timeout=10) wins over ours.
  const char* keys[] = {"connect_timeout", "options", "application_name", "client_encoding",
                        // A peer that vanishes without a FIN/RST must not hang a call.
                        "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "tcp_user_timeout", "dbname", nullptr};
  const char* values[] = {
      connect_timeout.c_str(), options.c_str(), "hookline", "UTF8", "1", "10", "3", "3", "15000",
      o.dsn.c_str(),           nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (raw == nullptr) return Status::Unavailable("postgres: out of memory opening a connection");
  std::unique_ptr<Conn> conn(new Conn(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    return Status::Unavailable(fmt::format("cannot connect to PostgreSQL at {}: {}", conn->server_,
                                           Trim(PQerrorMessage(raw))));
  }
  return conn;
}

Conn::Conn(PGconn* conn) : conn_(conn) {
  // NOTICEs ("relation already exists, skipping") are not errors; libpq would print them on
  // stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  const char* host = PQhost(conn);
  const char* port = PQport(conn);
  const char* db = PQdb(conn);
  server_ = fmt::format("{}:{}/{}", host ? host : "?", port ? port : "?", db ? db : "?");
}

Conn::~Conn() { PQfinish(conn_); }

bool Conn::Alive() {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  // libpq's socket is non-blocking inside: this only reads what already arrived (for a killed
  // backend: its FATAL message and EOF), then the status says whether the link is still up.
  if (PQconsumeInput(conn_) == 0) return false;
  return PQstatus(conn_) == CONNECTION_OK;
}

StatusOr<Result> Conn::Check(PGresult* res, std::string_view what) {
  Result r(res);
  const auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  return ErrorOf(conn_, r.get(), what);
}

Status Conn::Exec(std::string_view sql) {
  const std::string owned(sql);
  auto r = Check(PQexec(conn_, owned.c_str()), "exec");
  return r.ok() ? Status::Ok() : r.status();
}

StatusOr<Result> Conn::Query(const std::string& sql, const Params& p) {
  return Check(
      PQexecParams(conn_, sql.c_str(), p.size(), nullptr, p.values(), p.lengths(), p.formats(), 0),
      "query");
}

StatusOr<Result> Conn::Prepared(const char* name, const char* sql, const Params& p, bool* sent) {
  if (sent != nullptr) *sent = false;
  if (!prepared_.contains(name)) {
    auto r = Check(PQprepare(conn_, name, sql, 0, nullptr), "prepare");
    if (!r.ok()) return r.status();
    prepared_.insert(name);
  }
  // PQexecPrepared, unrolled to learn whether the statement was handed to the server.
  if (PQsendQueryPrepared(conn_, name, p.size(), p.values(), p.lengths(), p.formats(), 0) == 0) {
    return ErrorOf(conn_, nullptr, name);
  }
  if (sent != nullptr) *sent = true;
  // As PQexecFinish: the last result wins, so an error reported at the implicit COMMIT (after
  // the rows) is what the caller sees.
  PGresult* last = nullptr;
  while (PGresult* r = PQgetResult(conn_)) {
    PQclear(last);
    last = r;
    if (PQstatus(conn_) == CONNECTION_BAD) break;
  }
  return Check(last, name);
}

StatusOr<Conn*> ConnSlot::Get() {
  if (conn_ && conn_->Alive()) return conn_.get();
  conn_.reset();
  // A refused connection fails in microseconds, so retrying at once is cheap and recovers at
  // once. An unreachable host costs the whole connect timeout: after such a failure, answer
  // at once for a second instead of making every request of the outage wait it out again.
  const auto now = std::chrono::steady_clock::now();
  if (!last_error_.ok() && now < fail_fast_until_) return last_error_;
  auto opened = Conn::Open(options_);
  if (!opened.ok()) {
    last_error_ = opened.status();
    const auto end = std::chrono::steady_clock::now();
    if (end - now > std::chrono::milliseconds(500))
      fail_fast_until_ = end + std::chrono::seconds(1);
    return last_error_;
  }
  last_error_ = Status::Ok();
  conn_ = std::move(opened.value());
  return conn_.get();
}

}  // namespace hookline::store::postgres
