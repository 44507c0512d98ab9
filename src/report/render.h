#pragma once
// The Founding Review report: turns one assessment into a PDF (A4) with a title page, the
// overall and per-category scores with a bar chart, every question with its answer (or "not
// answered"), and recommendations derived from the answers.
//
// Text is drawn with pango in "DejaVu Sans" (Debian package fonts-dejavu-core), so Latin and
// Cyrillic both render; user text is never interpreted as markup.

#include <map>
#include <string>

#include "core/clock.h"
#include "core/status.h"

namespace hookline::report {

struct ReportInput {
  std::string assessment_id;           // "FR-20261124-123456"
  std::string company;                 // any UTF-8
  std::string email;                   // may be empty
  std::string stage;                   // one of Stages(), or empty
  std::map<std::string, int> answers;  // question id -> 1..5; unanswered questions are absent
  SysTime created_at;                  // shown as the report date (UTC)
};

// Renders the PDF report and returns its bytes.
//
// Thread-safe: several threads may render at once (each uses its own pango context and its
// thread's font map). About 12 ms per report (35 ms for a thread's first, which loads the
// fonts), so call it off the network threads. The same input gives the same bytes.
// Errors come back as a Status, never as an exception: InvalidArgument for a score outside
// 1..5, Internal when cairo or pango fail. Answers for unknown question ids are ignored, so a
// report stored under an older questionnaire still renders.
StatusOr<std::string> RenderPdf(const ReportInput& input);

}  // namespace hookline::report
