#include "report/scoring.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "report/questions.h"

namespace hookline::report {
namespace {

// Per question: what to do when it scores low (concrete, doable within a quarter), and what to
// keep doing when it scores high. Kept beside the scoring rather than in Question because it is
// report content, not part of the questionnaire clients see.
struct QuestionAdvice {
  std::string_view id;
  std::string_view act;
  std::string_view keep;
};

constexpr std::array<QuestionAdvice, 14> kAdvice{{
    {"team_experience",
     "Bring domain expertise into the company now: recruit an advisor or an early hire who has "
     "worked in this industry, and run ten or more interviews with practitioners before the next "
     "major product decision.",
     "Put the team's domain experience at the front of the pitch; it is a real advantage."},
    {"team_completeness",
     "Close the skill gap in the founding team: name which of product, engineering and sales is "
     "missing, and fill it with a co-founder, a first key hire or a part-time expert within the "
     "next quarter.",
     "Keep the balance of skills as you grow, and hire for the gaps the next stage will open."},
    {"team_commitment",
     "Make the commitment explicit: agree the date by which the core founders work full time, "
     "and put founder equity on a standard four-year vesting schedule with a one-year cliff.",
     "Full-time founders with vested equity are what investors look for; keep the ownership "
     "structure clean."},
    {"market_size",
     "Size the market bottom-up: count the customers you can actually reach, multiply by a "
     "realistic price, and check that the result supports the outcome you are aiming for; if "
     "it does not, widen the segment or the offering.",
     "Keep the bottom-up market model current and use it to choose the next segment."},
    {"market_problem",
     "Validate the pain before building more: interview 15 to 20 target customers, ask what they "
     "do about the problem today and what it costs them, and look for people who already pay "
     "for a workaround.",
     "Keep the customer's pain at the centre of the story, in their own words."},
    {"market_competition",
     "Map every alternative, including spreadsheets and doing nothing, and write one sentence on "
     "why a customer picks you; test that sentence in sales conversations until it lands.",
     "Keep watching the alternatives and keep the positioning sharp as the market moves."},
    {"product_maturity",
     "Ship the smallest usable version to a handful of real users within weeks, not months, and "
     "cut every feature the first customer does not need to get value.",
     "Keep shipping in small, frequent steps; a stable product is the base for growth."},
    {"product_feedback",
     "Set up a steady feedback loop: talk to at least five users every week, track a few usage "
     "metrics, and ask how they would feel if they could no longer use the product.",
     "Keep the feedback loop running; it is what keeps the roadmap honest."},
    {"product_technology",
     "Retire the biggest technical risk first: build a focused prototype of the hardest part and "
     "get an outside technical review before committing the roadmap to it.",
     "Document the technical edge and protect it: know-how, data, and patents where they make "
     "sense."},
    {"traction_revenue",
     "Ask for money early: offer paid pilots or letters of intent to your warmest prospects; a "
     "paying customer is the strongest validation you can show.",
     "Keep revenue quality high: recurring, spread across customers, with clear unit "
     "economics."},
    {"traction_growth",
     "Choose one growth metric and one acquisition channel, set a weekly target and review it "
     "every week; double down on what moves the number and stop what does not.",
     "Keep the growth engine measured, and know which channel drives it before scaling spend."},
    {"traction_retention",
     "Measure retention by monthly cohorts and talk to the users who left; fix the reasons they "
     "leave before spending more on acquisition.",
     "Strong retention is the best proof of value; show the cohort chart to investors."},
    {"funding_runway",
     "Extend your runway to at least 12 months: cut non-essential spending, prioritise revenue, "
     "and start fundraising conversations now rather than when cash runs out.",
     "Use the runway to reach the milestones of the next round from a position of strength."},
    {"funding_plan",
     "Write a milestone-based funding plan: how much you raise, which milestones it buys, and a "
     "list of 30 to 50 investors who fund your stage and sector.",
     "Execute the plan and keep investors informed with a short monthly update."},
}};

const QuestionAdvice* FindAdvice(std::string_view id) {
  for (const QuestionAdvice& a : kAdvice) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

// A third of the questionnaire unanswered makes the scores a rough sketch, so the report says
// so more strongly.
bool ManyUnanswered(int answered, int total) { return (total - answered) * 3 >= total; }

}  // namespace

ScoreSummary Summarize(const Answers& answers) {
  ScoreSummary summary;
  double category_sum = 0;
  int scored_categories = 0;
  for (std::string_view category : Categories()) {
    CategoryScore cs{.category = category};
    int sum = 0;
    for (const Question& q : Questions()) {
      if (q.category != category) continue;
      ++cs.total;
      auto it = answers.find(std::string(q.id));
      if (it == answers.end()) continue;
      ++cs.answered;
      sum += it->second;
    }
    if (cs.answered > 0) {
      cs.average = static_cast<double>(sum) / cs.answered;
      category_sum += *cs.average;
      ++scored_categories;
    }
    summary.answered += cs.answered;
    summary.total += cs.total;
    summary.categories.push_back(cs);
  }
  if (scored_categories > 0) summary.overall = category_sum / scored_categories;
  return summary;
}

std::string_view Verdict(double score) {
  if (score >= 4.0) return "Strong";
  if (score >= 3.0) return "Solid";
  if (score >= 2.0) return "Developing";
  return "Early";
}

std::string_view VerdictExplanation(double score) {
  if (score >= 4.0) {
    return "The company is in good shape across the board. The work now is to keep the "
           "strengths visible and close the few remaining gaps before the next round.";
  }
  if (score >= 3.0) {
    return "The foundations are in place. A few areas need focused work before the company can "
           "make a convincing case to investors.";
  }
  if (score >= 2.0) {
    return "Several fundamentals are still open. Pick the two or three priority actions below and "
           "work on them before raising money.";
  }
  return "The company is at a very early point. Concentrate on the priority actions below: they "
         "decide whether the idea can become a business.";
}

std::vector<Advice> Recommend(const Answers& answers, std::string_view stage) {
  std::vector<Advice> notes;
  const ScoreSummary summary = Summarize(answers);
  const int missing = summary.total - summary.answered;
  if (summary.answered == 0) {
    notes.push_back({AdviceKind::kNote, "", "",
                     "No question was answered, so there is nothing to score yet. Answer the "
                     "questionnaire to get a score and recommendations."});
    return notes;
  }
  if (ManyUnanswered(summary.answered, summary.total)) {
    notes.push_back({AdviceKind::kNote, "", "",
                     fmt::format("Many questions were not answered ({} of {}), so this assessment "
                                 "is a rough sketch. Answer the remaining questions for a "
                                 "complete and reliable picture.",
                                 missing, summary.total)});
  } else if (missing > 0) {
    notes.push_back({AdviceKind::kNote, "", "",
                     fmt::format("{} of {} questions were not answered; the scores below are "
                                 "based on the answers that were given.",
                                 missing, summary.total)});
  }
  for (const CategoryScore& cs : summary.categories) {
    if (cs.answered == 0) {
      notes.push_back({AdviceKind::kNote, cs.category, "",
                       fmt::format("No {} question was answered, so this area is not scored. "
                                   "Investors will ask about it; prepare your answers.",
                                   CategoryTitle(cs.category))});
    }
  }
  const bool early_stage = stage == "idea" || stage == "pre-seed";
  for (const CategoryScore& cs : summary.categories) {
    if (cs.category == "traction" && early_stage && cs.average && *cs.average < 3.0) {
      notes.push_back({AdviceKind::kNote, cs.category, "",
                       "At the idea and pre-seed stage little traction is normal. Show evidence "
                       "of demand instead: paid pilots, letters of intent or an active "
                       "waitlist."});
    }
  }

  struct Scored {
    const Question* question;
    int score;
  };
  std::vector<Scored> scored;
  for (const Question& q : Questions()) {
    auto it = answers.find(std::string(q.id));
    if (it != answers.end()) scored.push_back({&q, it->second});
  }
  // Lowest scores first so the most urgent advice leads; questionnaire order breaks ties.
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.score < b.score; });

  std::vector<Advice> out = std::move(notes);
  for (const Scored& s : scored) {
    const QuestionAdvice* advice = FindAdvice(s.question->id);
    if (advice == nullptr) continue;
    if (s.score <= 2) {
      out.push_back(
          {AdviceKind::kPriority, s.question->category, s.question->id, std::string(advice->act)});
    } else if (s.score == 3) {
      out.push_back(
          {AdviceKind::kImprove, s.question->category, s.question->id, std::string(advice->act)});
    }
  }
  // Strengths read best strongest first.
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.score > b.score; });
  for (const Scored& s : scored) {
    if (s.score < 4) break;
    const QuestionAdvice* advice = FindAdvice(s.question->id);
    if (advice == nullptr) continue;
    out.push_back(
        {AdviceKind::kStrength, s.question->category, s.question->id, std::string(advice->keep)});
  }
  return out;
}

}  // namespace hookline::report
