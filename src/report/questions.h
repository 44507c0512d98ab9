#pragma once
// The Founding Review questionnaire: a fixed, ordered list of questions a founder answers with a
// score from 1 to 5, grouped into five categories. The ids are stable: they are stored with
// every assessment and sent by clients, so an id is never renamed or reused.
//
// Everything here is static data with program lifetime; any thread may call these functions.

#include <span>
#include <string_view>

namespace hookline::report {

struct Question {
  std::string_view id;        // stable, [a-z_]+
  std::string_view category;  // one of Categories()
  std::string_view text;      // the question, English
  std::string_view low;       // what a 1 means
  std::string_view high;      // what a 5 means
};

inline constexpr int kMinScore = 1;
inline constexpr int kMaxScore = 5;

// All questions in the order they are asked and shown in the report.
std::span<const Question> Questions();
// The question with this id, or nullptr if there is none.
const Question* FindQuestion(std::string_view id);

// "team", "market", "product", "traction", "funding", in report order.
std::span<const std::string_view> Categories();
// Human title of a category ("Team", ...); the id itself if it is unknown.
std::string_view CategoryTitle(std::string_view category);

// Company stages a client may send: "idea", "pre-seed", "seed", "series-a", "later".
std::span<const std::string_view> Stages();
// Human title of a stage ("Pre-seed", "Series A", ...); the text itself if it is unknown.
std::string_view StageTitle(std::string_view stage);

}  // namespace hookline::report
