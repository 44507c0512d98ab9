#pragma once
// The judgement behind a Founding Review, kept apart from drawing so it can be tested as plain
// data: category and overall scores from the answers, and the recommendations they lead to.
//
// Answers map a question id to a score 1..5. Ids that are not in Questions() are ignored (an
// assessment stored under an older questionnaire still renders); unanswered questions are
// simply absent. Callers validate the score range first (RenderPdf does). Pure functions: any
// thread may call them.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookline::report {

using Answers = std::map<std::string, int>;

struct CategoryScore {
  std::string_view category;        // id, e.g. "team"
  int answered = 0;                 // questions of this category that have an answer
  int total = 0;                    // questions of this category
  std::optional<double> average{};  // mean of the answers; none when nothing was answered
};

struct ScoreSummary {
  std::vector<CategoryScore> categories;  // in Categories() order
  // Mean of the category averages, so a category with more questions does not weigh more;
  // categories without answers are left out. None when nothing at all was answered.
  std::optional<double> overall;
  int answered = 0;
  int total = 0;
};

ScoreSummary Summarize(const Answers& answers);

// A one-word reading of a 1..5 score: "Strong", "Solid", "Developing" or "Early".
std::string_view Verdict(double score);
// A sentence that explains what the overall verdict means for the company.
std::string_view VerdictExplanation(double score);

enum class AdviceKind {
  kPriority,  // a question scored 1 or 2: act on it first
  kImprove,   // a question scored 3: adequate, worth strengthening
  kStrength,  // a question scored 4 or 5: keep doing it
  kNote,      // about the assessment itself (missing answers, stage context)
};

struct Advice {
  AdviceKind kind;
  std::string_view category;     // empty for notes that are not about one category
  std::string_view question_id;  // empty for notes
  std::string text;
};

// Recommendations in report order: notes first, then priorities (lowest score first), then
// improvements, then strengths, each group in questionnaire order within equal scores.
// `stage` (may be empty) adds context: weak traction is expected at the idea stage.
std::vector<Advice> Recommend(const Answers& answers, std::string_view stage);

}  // namespace hookline::report
