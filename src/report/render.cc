#include "report/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <string_view>
#include <vector>

#include "core/time_format.h"
#include "report/canvas.h"
#include "report/questions.h"
#include "report/scoring.h"

namespace hookline::report {
namespace {

// One palette for the whole document: navy for structure, teal for accents, and a traffic
// light for scores so a reader sees weak and strong areas before reading a word.
constexpr Rgb kInk = Hex(0x1e2733);
constexpr Rgb kMuted = Hex(0x5b6675);
constexpr Rgb kFaint = Hex(0x8d97a5);
constexpr Rgb kRule = Hex(0xdde2e8);
constexpr Rgb kPanel = Hex(0xf2f4f7);
constexpr Rgb kNavy = Hex(0x17324d);
constexpr Rgb kAccent = Hex(0x2a7f9e);
constexpr Rgb kAccentLight = Hex(0x9fd0e0);
constexpr Rgb kOnNavy = Hex(0xc3d2e0);
constexpr Rgb kWhite = Hex(0xffffff);
constexpr Rgb kLow = Hex(0xc8553d);
constexpr Rgb kMid = Hex(0xd1901c);
constexpr Rgb kHigh = Hex(0x3a9a6a);
constexpr Rgb kNoteBg = Hex(0xfbf3e3);

constexpr double kL = Canvas::kLeft;
constexpr double kR = Canvas::kRight;
constexpr double kW = Canvas::kContentWidth;

const Rgb& ScoreColor(double score) {
  if (score < 2.5) return kLow;
  if (score < 3.5) return kMid;
  return kHigh;
}

std::string Score1(double v) { return fmt::format("{:.1f}", v); }

// User text shown on one line: newlines and tabs become spaces.
std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

std::string LongDate(SysTime t) {
  static constexpr std::string_view kMonths[] = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  return fmt::format("{} {} {}", static_cast<unsigned>(ymd.day()),
                     kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()));
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Everything the sections draw, computed once.
struct Doc {
  std::string id;
  std::string company;
  std::string email;
  std::string stage;  // human title, or "Not specified"
  std::string date;
  const Answers* answers;
  ScoreSummary summary;
  std::vector<Advice> advice;
};

void Fill(cairo_t* cr, const Rgb& color, double x, double y, double w, double h) {
  SetColor(cr, color);
  cairo_rectangle(cr, x, y, w, h);
  cairo_fill(cr);
}

void HLine(cairo_t* cr, double x0, double x1, double y, const Rgb& color, double width) {
  SetColor(cr, color);
  cairo_set_line_width(cr, width);
  cairo_move_to(cr, x0, y);
  cairo_line_to(cr, x1, y);
  cairo_stroke(cr);
}

// ---- Title page -------------------------------------------------------------------------------

void DetailRow(Canvas& c, double x, double& y, double w, std::string_view label,
               std::string_view value) {
  y += c.Draw(x, y, w, label, {.size = 7.5, .bold = true, .color = kFaint, .letter_spacing = 1});
  y += 2;
  y += c.Draw(x, y, w, value, {.size = 11.5, .color = kInk, .max_lines = 2});
  y += 14;
}

void ScoreCard(Canvas& c, const Doc& d, double x, double y, double w, double h) {
  cairo_t* cr = c.cr();
  SetColor(cr, kPanel);
  RoundedRect(cr, x, y, w, h, 8);
  const double pad = 20;
  const double inner = w - 2 * pad;
  double cy = y + pad;
  cy += c.Draw(x + pad, cy, inner, "OVERALL SCORE",
               {.size = 7.5, .bold = true, .color = kFaint, .letter_spacing = 1});
  cy += 6;
  if (!d.summary.overall) {
    cy += c.Draw(x + pad, cy, inner, "—", {.size = 40, .bold = true, .color = kFaint});
    c.Draw(x + pad, cy + 4, inner, "Not scored: no question was answered.",
           {.size = 9, .color = kMuted});
    return;
  }
  const double score = *d.summary.overall;
  const Rgb& color = ScoreColor(score);
  const std::string number = Score1(score);
  const TextStyle big{.size = 44, .bold = true, .color = color};
  const double number_h = c.Draw(x + pad, cy, inner, number, big);
  const double number_w = c.NaturalWidth(number, big);
  c.Draw(x + pad + number_w + 6, cy + number_h - 30, inner, "/ 5", {.size = 16, .color = kMuted});
  cy += number_h + 2;
  cy += c.Draw(x + pad, cy, inner, Verdict(score), {.size = 15, .bold = true, .color = color});
  cy += 10;
  // A five-step gauge under the verdict.
  const double seg_gap = 4;
  const double seg_w = (inner - 4 * seg_gap) / 5;
  for (int i = 0; i < 5; ++i) {
    const double fill = std::clamp(score - i, 0.0, 1.0);
    SetColor(cr, kRule);
    RoundedRect(cr, x + pad + i * (seg_w + seg_gap), cy, seg_w, 6, 3);
    if (fill > 0) {
      SetColor(cr, color);
      RoundedRect(cr, x + pad + i * (seg_w + seg_gap), cy, seg_w * fill, 6, 3);
    }
  }
  cy += 16;
  c.Draw(x + pad, cy, inner,
         fmt::format("Based on {} of {} questions", d.summary.answered, d.summary.total),
         {.size = 8.5, .color = kMuted});
}

void TitlePage(Canvas& c, const Doc& d) {
  cairo_t* cr = c.cr();
  const double band = 318;
  Fill(cr, kNavy, 0, 0, Canvas::kWidth, band);
  // Quiet concentric rings in the corner give the cover some shape without an image.
  cairo_save(cr);
  cairo_rectangle(cr, 0, 0, Canvas::kWidth, band);
  cairo_clip(cr);
  cairo_set_line_width(cr, 1.2);
  for (int i = 0; i < 6; ++i) {
    cairo_set_source_rgba(cr, kAccentLight.r, kAccentLight.g, kAccentLight.b, 0.10 + 0.03 * i);
    cairo_arc(cr, Canvas::kWidth - 40, 40, 70 + i * 34, 0, 2 * M_PI);
    cairo_stroke(cr);
  }
  cairo_restore(cr);
  Fill(cr, kAccent, 0, band, Canvas::kWidth, 5);

  double y = 76;
  y += c.Draw(kL, y, kW, "ASSESSMENT REPORT",
              {.size = 9, .bold = true, .color = kAccentLight, .letter_spacing = 2});
  y += 10;
  y += c.Draw(kL, y, kW, "Founding Review", {.size = 34, .bold = true, .color = kWhite});
  y += 30;
  y += c.Draw(kL, y, kW, "Prepared for", {.size = 11, .color = kOnNavy});
  y += 4;
  c.Draw(kL, y, kW - 40, d.company, {.size = 24, .bold = true, .color = kWhite, .max_lines = 3});

  const double top = band + 46;
  double ly = top;
  const double left_w = 250;
  DetailRow(c, kL, ly, left_w, "ASSESSMENT ID", d.id);
  DetailRow(c, kL, ly, left_w, "DATE", d.date);
  DetailRow(c, kL, ly, left_w, "STAGE", d.stage);
  if (!d.email.empty()) DetailRow(c, kL, ly, left_w, "CONTACT", d.email);
  DetailRow(c, kL, ly, left_w, "QUESTIONS ANSWERED",
            fmt::format("{} of {}", d.summary.answered, d.summary.total));

  const double card_x = kL + left_w + 30;
  ScoreCard(c, d, card_x, top, kR - card_x, 200);

  const double about_y = Canvas::kHeight - 150;
  HLine(cr, kL, kR, about_y, kRule, 0.8);
  double ay = about_y + 14;
  ay += c.Draw(kL, ay, kW, "About this report", {.size = 9, .bold = true, .color = kMuted});
  ay += 4;
  c.Draw(kL, ay, kW,
         fmt::format("The Founding Review scores a young company on {} questions across team, "
                     "market, product, traction and funding, each from 1 (weak) to 5 (strong). It "
                     "is based on the answers the company gave and is meant to guide its next "
                     "steps; it is not investment advice.",
                     d.summary.total),
         {.size = 8.5, .color = kMuted, .line_spacing = 1.2});
}

// ---- Flowing sections -------------------------------------------------------------------------

void Heading(Canvas& c, std::string_view text) {
  c.Ensure(90);
  c.y += c.Draw(kL, c.y, kW, text, {.size = 18, .bold = true, .color = kNavy});
  c.y += 6;
  Fill(c.cr(), kAccent, kL, c.y, 34, 3);
  c.y += 18;
}

// keep_with_next: height of what follows that must not be separated from the heading.
void Subheading(Canvas& c, std::string_view text, double keep_with_next = 60) {
  c.Ensure(30 + keep_with_next);
  c.y += c.Draw(kL, c.y, kW, text, {.size = 12.5, .bold = true, .color = kInk});
  c.y += 8;
}

void Paragraph(Canvas& c, std::span<const Span> spans, const TextStyle& style, double after = 10) {
  const double h = c.Measure(spans, kW, style);
  c.Ensure(h);
  c.y += c.Draw(kL, c.y, kW, spans, style) + after;
}

void Paragraph(Canvas& c, std::string_view text, const TextStyle& style, double after = 10) {
  const Span s{text};
  Paragraph(c, std::span(&s, 1), style, after);
}

const TextStyle kBody{.size = 10, .color = kInk, .line_spacing = 1.2};
const TextStyle kSmall{.size = 8.5, .color = kMuted, .line_spacing = 1.15};

void CategoryChart(Canvas& c, const ScoreSummary& s) {
  const double row = 36;
  const double label_w = 118;
  const double value_w = 70;
  const double x0 = kL + label_w;
  const double x1 = kR - value_w;
  const auto n = static_cast<double>(s.categories.size());
  c.Ensure(row * n + 26);
  cairo_t* cr = c.cr();
  const double top = c.y;
  auto x_of = [&](double v) { return x0 + (x1 - x0) * v / kMaxScore; };

  for (int i = 0; i < static_cast<int>(s.categories.size()); ++i) {
    SetColor(cr, kPanel);
    RoundedRect(cr, x0, top + i * row + 9, x1 - x0, 14, 4);
  }
  for (int v = 0; v <= kMaxScore; ++v) {
    const double x = x_of(v);
    SetColor(cr, kRule);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, x, top);
    cairo_line_to(cr, x, top + row * n);
    cairo_stroke(cr);
    c.Draw(x - 10, top + row * n + 3, 20, std::to_string(v),
           {.size = 7.5, .color = kFaint, .align = PANGO_ALIGN_CENTER});
  }
  double ry = top;
  for (const CategoryScore& cs : s.categories) {
    c.Draw(kL, ry + 3, label_w - 8, CategoryTitle(cs.category),
           {.size = 10.5, .bold = true, .color = kInk});
    c.Draw(kL, ry + 18, label_w - 8, fmt::format("{} of {} answered", cs.answered, cs.total),
           {.size = 7.5, .color = kMuted});
    if (cs.average) {
      const Rgb& color = ScoreColor(*cs.average);
      SetColor(cr, color);
      RoundedRect(cr, x0, ry + 9, x_of(*cs.average) - x0, 14, 4);
      c.Draw(x1 + 12, ry + 6, value_w - 12, Score1(*cs.average),
             {.size = 12, .bold = true, .color = color});
    } else {
      c.Draw(x1 + 12, ry + 9, value_w - 12, "not scored",
             {.size = 8.5, .italic = true, .color = kFaint});
    }
    ry += row;
  }
  c.y = top + row * n + 26;
}

void SummarySection(Canvas& c, const Doc& d) {
  c.NewPage();
  c.AddOutline("Summary");
  Heading(c, "Summary");
  const ScoreSummary& s = d.summary;
  if (s.overall) {
    const std::string score = fmt::format("{} out of 5", Score1(*s.overall));
    const std::string verdict = fmt::format(" — {}. ", Verdict(*s.overall));
    const Span spans[] = {{"Overall score: ", true},
                          {score, true, false, &ScoreColor(*s.overall)},
                          {verdict, true},
                          {VerdictExplanation(*s.overall)}};
    Paragraph(c, spans, kBody, 6);
  } else {
    Paragraph(c, "No question was answered, so the company cannot be scored yet.", kBody, 6);
  }
  Paragraph(c,
            fmt::format("Based on {} of {} questions. Each category counts equally in the overall "
                        "score, whatever its number of questions.",
                        s.answered, s.total),
            kSmall, 22);

  Subheading(c, "Scores by category", 220);
  CategoryChart(c, s);

  const CategoryScore* best = nullptr;
  const CategoryScore* worst = nullptr;
  for (const CategoryScore& cs : s.categories) {
    if (!cs.average) continue;
    if (best == nullptr || *cs.average > *best->average) best = &cs;
    if (worst == nullptr || *cs.average < *worst->average) worst = &cs;
  }
  if (best != nullptr && worst != nullptr && *best->average > *worst->average) {
    const std::string strong =
        fmt::format("{} ({})", CategoryTitle(best->category), Score1(*best->average));
    const std::string weak =
        fmt::format("{} ({})", CategoryTitle(worst->category), Score1(*worst->average));
    const Span spans[] = {{"Strongest area: ", true},
                          {strong, false, false, &kHigh},
                          {"     Weakest area: ", true},
                          {weak, false, false, &kLow}};
    Paragraph(c, spans, kBody, 24);
  }
}

void Dots(cairo_t* cr, double x, double cy, int score, const Rgb& color) {
  for (int i = 0; i < kMaxScore; ++i) {
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + 3.5 + i * 10, cy, 3.5, 0, 2 * M_PI);
    SetColor(cr, i < score ? color : kRule);
    cairo_fill(cr);
  }
}

void GroupHeader(Canvas& c, const CategoryScore& cs, bool continued) {
  const double h = 24;
  Fill(c.cr(), kPanel, kL, c.y, kW, h);
  Fill(c.cr(), kNavy, kL, c.y, 3, h);
  std::string title = Upper(CategoryTitle(cs.category));
  if (continued) title += "  (continued)";
  c.Draw(kL + 12, c.y + 7, kW / 2, title,
         {.size = 8.5, .bold = true, .color = kNavy, .letter_spacing = 1.2});
  const std::string right =
      cs.average ? fmt::format("average {} / 5", Score1(*cs.average)) : "not scored";
  c.Draw(kL + kW / 2, c.y + 7, kW / 2 - 12, right,
         {.size = 8.5, .color = kMuted, .align = PANGO_ALIGN_RIGHT});
  c.y += h;
}

void AnswersSection(Canvas& c, const Doc& d) {
  c.AddOutline("Answers");
  Heading(c, "Answers");
  Paragraph(c,
            "Each question is scored from 1 (weak) to 5 (strong). Questions left blank are shown "
            "as such and do not count towards the scores.",
            kSmall, 14);
  const double answer_w = 112;
  const double pad = 12;
  const double q_w = kW - answer_w - 2 * pad;
  const TextStyle q_style{.size = 9.5, .color = kInk, .line_spacing = 1.1};
  const TextStyle scale_style{.size = 7.5, .color = kMuted};

  for (const CategoryScore& cs : d.summary.categories) {
    bool header_drawn = false;
    for (const Question& q : Questions()) {
      if (q.category != cs.category) continue;
      const std::string scale = fmt::format("1 = {}   ·   5 = {}", q.low, q.high);
      const double row_h =
          8 + c.Measure(q.text, q_w, q_style) + 3 + c.Measure(scale, q_w, scale_style) + 9;
      const int page_before = c.page_count();
      c.Ensure(row_h + (header_drawn ? 0 : 24));
      if (!header_drawn || c.page_count() != page_before) {
        GroupHeader(c, cs, header_drawn);
        header_drawn = true;
      }
      double ty = c.y + 8;
      ty += c.Draw(kL + pad, ty, q_w, q.text, q_style) + 3;
      c.Draw(kL + pad, ty, q_w, scale, scale_style);

      const double ax = kR - answer_w;
      auto it = d.answers->find(std::string(q.id));
      if (it != d.answers->end()) {
        const Rgb& color = ScoreColor(it->second);
        Dots(c.cr(), ax, c.y + 15, it->second, color);
        c.Draw(ax + 56, c.y + 8, answer_w - 56, fmt::format("{} / 5", it->second),
               {.size = 9.5, .bold = true, .color = color});
      } else {
        c.Draw(ax, c.y + 8, answer_w, "not answered", {.size = 9, .italic = true, .color = kFaint});
      }
      c.y += row_h;
      HLine(c.cr(), kL, kR, c.y, kRule, 0.6);
    }
    c.y += 14;
  }
}

// ---- Recommendations --------------------------------------------------------------------------

void NotesBox(Canvas& c, const std::vector<const Advice*>& notes) {
  if (notes.empty()) return;
  const double pad = 14;
  const double w = kW - 2 * pad - 4;
  const TextStyle style{.size = 9.5, .color = kInk, .line_spacing = 1.15};
  double h = 2 * pad + c.Measure("Context", w, {.size = 9.5, .bold = true}) + 6;
  for (const Advice* n : notes) h += c.Measure(n->text, w, style) + 6;
  c.Ensure(h);
  Fill(c.cr(), kNoteBg, kL, c.y, kW, h);
  Fill(c.cr(), kMid, kL, c.y, 3, h);
  double y = c.y + pad;
  y += c.Draw(kL + pad + 4, y, w, "Context", {.size = 9.5, .bold = true, .color = kInk}) + 6;
  for (const Advice* n : notes) y += c.Draw(kL + pad + 4, y, w, n->text, style) + 6;
  c.y += h + 20;
}

void AdviceCard(Canvas& c, const Advice& a, int score, const Rgb& color) {
  const Question* q = FindQuestion(a.question_id);
  const double badge_w = 38;
  const double x = kL + 14;
  const double w = kW - 14 - badge_w - 12;
  const std::string head = fmt::format("{}  ·  {}", Upper(CategoryTitle(a.category)),
                                       q != nullptr ? q->text : std::string_view());
  const TextStyle head_style{.size = 8, .color = kMuted};
  const TextStyle body_style{.size = 10, .color = kInk, .line_spacing = 1.2};
  const double h = c.Measure(head, w, head_style) + 4 + c.Measure(a.text, w, body_style);
  c.Ensure(h + 12);
  Fill(c.cr(), color, kL, c.y, 3, h);
  SetColor(c.cr(), color);
  RoundedRect(c.cr(), kR - badge_w, c.y, badge_w, 18, 9);
  c.Draw(kR - badge_w, c.y + 3.5, badge_w, fmt::format("{} / 5", score),
         {.size = 8, .bold = true, .color = kWhite, .align = PANGO_ALIGN_CENTER});
  double y = c.y;
  y += c.Draw(x, y, w, head, head_style) + 4;
  c.Draw(x, y, w, a.text, body_style);
  c.y += h + 16;
}

void AdviceGroup(Canvas& c, const Doc& d, AdviceKind kind, std::string_view title,
                 std::string_view intro, const Rgb& color) {
  bool any = false;
  for (const Advice& a : d.advice) any = any || a.kind == kind;
  if (!any) return;
  Subheading(c, title, 90);
  Paragraph(c, intro, kSmall, 12);
  for (const Advice& a : d.advice) {
    if (a.kind != kind) continue;
    auto it = d.answers->find(std::string(a.question_id));
    AdviceCard(c, a, it != d.answers->end() ? it->second : 0, color);
  }
  c.y += 8;
}

void RecommendationsSection(Canvas& c, const Doc& d) {
  c.NewPage();
  c.AddOutline("Recommendations");
  Heading(c, "Recommendations");
  Paragraph(c,
            "These recommendations follow from the answers. Priority actions come first, lowest "
            "score first: they are where focused work changes the most in the next three months.",
            kBody, 16);

  std::vector<const Advice*> notes;
  bool any_priority = false;
  for (const Advice& a : d.advice) {
    if (a.kind == AdviceKind::kNote) notes.push_back(&a);
    any_priority = any_priority || a.kind == AdviceKind::kPriority;
  }
  NotesBox(c, notes);

  if (!any_priority && d.summary.answered > 0) {
    Subheading(c, "Priority actions", 20);
    Paragraph(c, "No question scored 1 or 2: there are no urgent gaps.", kBody, 18);
  }
  AdviceGroup(c, d, AdviceKind::kPriority, "Priority actions",
              "Questions scored 1 or 2. Start here.", kLow);
  AdviceGroup(c, d, AdviceKind::kImprove, "Worth strengthening",
              "Questions scored 3: adequate today, and a step up is within reach.", kMid);
  AdviceGroup(c, d, AdviceKind::kStrength, "Keep doing",
              "Questions scored 4 or 5: strengths to protect and to show investors.", kHigh);

  constexpr std::string_view kNextSteps =
      "Work through the priority actions over the next three months, then take the Founding "
      "Review again to measure the progress. Answering every question gives the most reliable "
      "picture.";
  Subheading(c, "Next steps", c.Measure(kNextSteps, kW, kBody));
  Paragraph(c, kNextSteps, kBody, 0);
}

void Decorate(Canvas& c, const Doc& d, int page, int count) {
  if (page == 0) return;  // the cover stands on its own
  cairo_t* cr = c.cr();
  const TextStyle small{.size = 8, .color = kMuted, .max_lines = 1};
  c.Draw(kL, 38, kW * 0.62, "Founding Review  ·  " + d.company, small);
  TextStyle right = small;
  right.align = PANGO_ALIGN_RIGHT;
  c.Draw(kL + kW * 0.62, 38, kW * 0.38, d.id, right);
  HLine(cr, kL, kR, 56, kRule, 0.8);

  const double fy = Canvas::kHeight - 48;
  HLine(cr, kL, kR, fy, kRule, 0.8);
  c.Draw(kL, fy + 10, kW / 2, "Confidential  ·  " + d.date, small);
  c.Draw(kL + kW / 2, fy + 10, kW / 2, fmt::format("Page {} of {}", page + 1, count), right);
}

StatusOr<std::string> Render(const ReportInput& input) {
  for (const auto& [id, score] : input.answers) {
    if (score < kMinScore || score > kMaxScore) {
      return Status::Invalid(fmt::format("answer '{}' is {}, not 1..5", id, score));
    }
  }
  Doc d;
  d.id = OneLine(input.assessment_id);
  d.company = OneLine(input.company);
  d.email = OneLine(input.email);
  const std::string stage = OneLine(input.stage);
  d.stage = stage.empty() ? "Not specified" : std::string(StageTitle(stage));
  d.date = LongDate(input.created_at);
  d.answers = &input.answers;
  d.summary = Summarize(input.answers);
  d.advice = Recommend(input.answers, input.stage);

  auto canvas = Canvas::Create();
  if (!canvas.ok()) return canvas.status();
  Canvas& c = **canvas;
  TitlePage(c, d);
  SummarySection(c, d);
  AnswersSection(c, d);
  RecommendationsSection(c, d);

  const std::string iso = FormatIsoMillis(input.created_at);
  const PdfMetadata meta{.title = "Founding Review — " + d.company,
                         .subject = "Founding Review assessment " + d.id,
                         .created = iso.substr(0, 19)};
  return c.Finish(meta, [&](int page, int count) { Decorate(c, d, page, count); });
}

}  // namespace

StatusOr<std::string> RenderPdf(const ReportInput& input) {
  // The contract promises no exceptions: the only ones possible here are allocation failures.
  try {
    return Render(input);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("report: ") + e.what());
  }
}

}  // namespace hookline::report
