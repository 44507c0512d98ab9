#include "report/questions.h"

#include <array>

namespace hookline::report {
namespace {

constexpr std::array<Question, 14> kQuestions{{
    {"team_experience", "team",
     "How much relevant experience does the founding team have in this market?",
     "No prior experience in the industry",
     "Years of hands-on experience in this space, or a prior exit"},
    {"team_completeness", "team",
     "Does the founding team cover the key skills: product, engineering and sales?",
     "A single founder; key skills are missing",
     "Complementary founders cover product, engineering and sales"},
    {"team_commitment", "team", "How committed are the founders to the company?",
     "A side project; nobody works on it full time",
     "All founders full time, with equity on a vesting schedule"},
    {"market_size", "market", "How large is the market you can realistically reach?",
     "A niche, with no size estimate", "A large, growing market backed by a bottom-up estimate"},
    {"market_problem", "market", "How urgent is the problem for your customers?",
     "A nice-to-have; customers shrug", "Customers already pay for workarounds and ask for a fix"},
    {"market_competition", "market",
     "How clearly are you differentiated from competitors and alternatives?",
     "No clear difference from existing options",
     "A clear advantage that customers can name themselves"},
    {"product_maturity", "product", "How far along is the product?", "An idea or slides only",
     "A stable product used in production by paying customers"},
    {"product_feedback", "product", "How well is the product validated by real users?",
     "Not shown to users yet",
     "Regular structured feedback; users would be very disappointed without it"},
    {"product_technology", "product", "How well is the technical risk under control?",
     "The core technology is unproven", "The core technology is built and proven at scale"},
    {"traction_revenue", "traction", "How much revenue or committed usage do you have?",
     "No users and no revenue", "Recurring revenue from paying customers"},
    {"traction_growth", "traction", "How fast are you growing month over month?",
     "No growth, or growth is not measured", "Steady growth of 15% or more month over month"},
    {"traction_retention", "traction", "How well do customers stay and come back?",
     "Most users leave after the first try, or retention is not measured",
     "Strong retention in every cohort; low churn"},
    {"funding_runway", "funding", "How many months of runway does the company have?",
     "Less than 3 months", "18 months or more"},
    {"funding_plan", "funding", "How clear are your fundraising plan and the use of funds?",
     "No plan and no target investors",
     "A milestone-based plan, a target investor list and materials ready"},
}};

constexpr std::array<std::string_view, 5> kCategories{"team", "market", "product", "traction",
                                                      "funding"};
constexpr std::array<std::string_view, 5> kCategoryTitles{"Team", "Market", "Product", "Traction",
                                                          "Funding"};

constexpr std::array<std::string_view, 5> kStages{"idea", "pre-seed", "seed", "series-a", "later"};
constexpr std::array<std::string_view, 5> kStageTitles{"Idea", "Pre-seed", "Seed", "Series A",
                                                       "Later stage"};

}  // namespace

std::span<const Question> Questions() { return kQuestions; }

const Question* FindQuestion(std::string_view id) {
  for (const Question& q : kQuestions) {
    if (q.id == id) return &q;
  }
  return nullptr;
}

std::span<const std::string_view> Categories() { return kCategories; }

std::string_view CategoryTitle(std::string_view category) {
  for (size_t i = 0; i < kCategories.size(); ++i) {
    if (kCategories[i] == category) return kCategoryTitles[i];
  }
  return category;
}

std::span<const std::string_view> Stages() { return kStages; }

std::string_view StageTitle(std::string_view stage) {
  for (size_t i = 0; i < kStages.size(); ++i) {
    if (kStages[i] == stage) return kStageTitles[i];
  }
  return stage;
}

}  // namespace hookline::report
