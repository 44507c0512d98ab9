// Backend-neutral helpers of the outbound aggregates (assessments.h, deliveries.h).

#include <openssl/evp.h>

#include <array>
#include <boost/json/parse.hpp>

#include "core/hex.h"
#include "core/json_text.h"
#include "store/assessments.h"
#include "store/deliveries.h"

namespace hookline::store {
namespace {

constexpr std::array<std::string_view, 4> kAssessmentNames = {"queued", "rendering", "completed",
                                                              "failed"};
constexpr std::array<std::string_view, 4> kDeliveryNames = {"pending", "delivering", "delivered",
                                                            "failed"};

}  // namespace

std::string_view AssessmentStatusName(AssessmentStatus s) {
  return kAssessmentNames[static_cast<size_t>(s)];
}

std::optional<AssessmentStatus> ParseAssessmentStatus(std::string_view s) {
  for (size_t i = 0; i < kAssessmentNames.size(); ++i) {
    if (kAssessmentNames[i] == s) return static_cast<AssessmentStatus>(i);
  }
  return std::nullopt;
}

std::string InputJson(const NewAssessment& a) {
  boost::json::object o;
  o["company"] = a.company;
  if (a.email) o["email"] = *a.email;
  if (a.stage) o["stage"] = *a.stage;
  boost::json::object answers;
  for (const auto& [k, v] : a.answers) answers[k] = v;
  o["answers"] = std::move(answers);
  return JsonText(o);
}

std::map<std::string, int> AnswersFromInput(const std::string& input) {
  std::map<std::string, int> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(input, ec);
  if (ec || !v.is_object()) return out;
  const auto* answers = v.as_object().if_contains("answers");
  if (answers == nullptr || !answers->is_object()) return out;
  for (const auto& [k, s] : answers->as_object()) {
    if (s.is_int64()) out[std::string(k)] = static_cast<int>(s.as_int64());
  }
  return out;
}

std::string_view DeliveryStatusName(DeliveryStatus s) {
  return kDeliveryNames[static_cast<size_t>(s)];
}

std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view s) {
  for (size_t i = 0; i < kDeliveryNames.size(); ++i) {
    if (kDeliveryNames[i] == s) return static_cast<DeliveryStatus>(i);
  }
  return std::nullopt;
}

std::string DeliveryIdFor(std::string_view webhook_id, std::string_view endpoint_id) {
  std::string input(webhook_id);
  input.push_back('\n');  // neither part contains a newline, so the pair is unambiguous
  input.append(endpoint_id);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  return "dlv_" + HexEncode(std::string_view(reinterpret_cast<const char*>(digest), 12));
}

Status CheckRetryable(const DeliveryRecord& d) {
  if (d.status == DeliveryStatus::kFailed) return Status::Ok();
  return Status::AlreadyExists("delivery is " + std::string(DeliveryStatusName(d.status)) +
                               "; only a failed delivery can be retried");
}

DeliveryStatus StatusAfter(const AttemptResult& r) {
  switch (r.outcome) {
    case AttemptOutcome::kDelivered:
      return DeliveryStatus::kDelivered;
    case AttemptOutcome::kFailed:
      return DeliveryStatus::kFailed;
    case AttemptOutcome::kRetry:
      break;
  }
  return DeliveryStatus::kPending;
}

std::optional<std::string> LastErrorOf(const AttemptResult& r) {
  if (r.outcome == AttemptOutcome::kDelivered) return std::nullopt;
  const auto& a = r.attempt;
  return a.error ? *a.error : "HTTP " + std::to_string(a.http_status.value_or(0));
}

void StartNewSeries(DeliveryRecord& d, SysTime now) {
  d.status = DeliveryStatus::kPending;
  d.series += 1;
  d.attempts = 0;
  d.next_attempt_at = now;
  d.last_error.reset();
  d.updated_at = now;
}

AssessmentRecord QueuedAssessment(const NewAssessment& a, std::string id) {
  AssessmentRecord r;
  r.id = std::move(id);
  r.company = a.company;
  r.email = a.email;
  r.stage = a.stage;
  r.answers = a.answers;
  r.created_at = r.updated_at = a.created_at;
  return r;
}

}  // namespace hookline::store
