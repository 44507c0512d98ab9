#pragma once
// Canvas: the page machinery under the report (internal to src/report). It flows content down
// A4 pages, lays out wrapped text with pango and writes the finished document as PDF bytes.
//
// Pages are first drawn onto cairo recording surfaces and only written to the PDF surface in
// Finish(): the total page count is known by then, so every page can say "Page 2 of 5".
//
// All text reaches pango as escaped text (Span), never as caller-supplied markup, so a
// company called "<b>&" prints exactly that. Invalid UTF-8 is repaired, not rejected.
//
// A Canvas belongs to one thread for its whole life. It uses a pango font map private to the
// calling thread (kept for the thread's lifetime), which is what makes concurrent renders safe.

#include <cairo.h>
#include <pango/pangocairo.h>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace hookline::report {

struct Rgb {
  double r, g, b;
};
constexpr Rgb Hex(unsigned v) {
  return {((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0};
}

// A run of text in one paragraph; the paragraph's TextStyle fills in what is not set here.
struct Span {
  std::string_view text;
  bool bold = false;
  bool italic = false;
  const Rgb* color = nullptr;
};

struct TextStyle {
  double size = 10;  // points
  bool bold = false;
  bool italic = false;
  Rgb color = Hex(0x1e2733);
  PangoAlignment align = PANGO_ALIGN_LEFT;
  int max_lines = 0;          // > 0: cut with an ellipsis after this many lines
  double letter_spacing = 0;  // points, for small capitals labels
  double line_spacing = 1.0;  // factor of the font's natural line height
};

struct PdfMetadata {
  std::string title;
  std::string subject;
  std::string created;  // ISO 8601, e.g. 2026-11-24T10:00:00
};

class Canvas {
 public:
  // A4 in points, and the box content flows in (headers and footers sit outside it).
  static constexpr double kWidth = 595.276;
  static constexpr double kHeight = 841.89;
  static constexpr double kLeft = 56;
  static constexpr double kRight = kWidth - 56;
  static constexpr double kTop = 86;
  static constexpr double kBottom = kHeight - 72;
  static constexpr double kContentWidth = kRight - kLeft;

  // Fails when pango or cairo cannot be set up (no font map, out of memory).
  static StatusOr<std::unique_ptr<Canvas>> Create();
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  // The page being drawn (or, inside Finish's decorate callback, the PDF page).
  cairo_t* cr() const { return target_; }
  int page_count() const { return static_cast<int>(pages_.size()); }

  // The flow position: the y where the next block goes on the current page.
  double y = kTop;
  void NewPage();
  // Starts a new page unless a block of height h still fits above kBottom.
  void Ensure(double h);

  double Measure(std::span<const Span> spans, double width, const TextStyle& style);
  double Measure(std::string_view text, double width, const TextStyle& style) {
    const Span s{text};
    return Measure(std::span(&s, 1), width, style);
  }
  // Draws a paragraph with its top-left corner at (x, top), wrapped to width; returns its
  // height.
  double Draw(double x, double top, double width, std::span<const Span> spans,
              const TextStyle& style);
  double Draw(double x, double top, double width, std::string_view text, const TextStyle& style) {
    const Span s{text};
    return Draw(x, top, width, std::span(&s, 1), style);
  }
  // Width of the text on one line, unwrapped.
  double NaturalWidth(std::string_view text, const TextStyle& style);

  // Adds a bookmark to the PDF outline pointing at the current page.
  void AddOutline(std::string title);

  // Writes every page to a PDF in memory. decorate(cr, page_index, page_count) draws on top of
  // each page (headers, footers, page numbers); Draw and friends draw on that page meanwhile.
  // The Canvas is spent afterwards.
  StatusOr<std::string> Finish(const PdfMetadata& meta,
                               const std::function<void(int page, int count)>& decorate);

 private:
  Canvas() = default;
  PangoLayout* Layout(std::span<const Span> spans, double width, const TextStyle& style);

  PangoContext* context_ = nullptr;
  PangoLayout* layout_ = nullptr;  // reused for every paragraph
  std::vector<cairo_surface_t*> pages_;
  cairo_t* page_cr_ = nullptr;  // draws on pages_.back()
  cairo_t* target_ = nullptr;   // where Draw goes: page_cr_, or the PDF while finishing
  struct Outline {
    std::string title;
    int page;
  };
  std::vector<Outline> outlines_;
};

// Fills a rectangle with rounded corners of radius r.
void RoundedRect(cairo_t* cr, double x, double y, double w, double h, double r);
void SetColor(cairo_t* cr, const Rgb& c);

}  // namespace hookline::report
