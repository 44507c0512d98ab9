#include "report/canvas.h"

#include <cairo-pdf.h>

#include <cmath>
#include <new>

namespace hookline::report {
namespace {

constexpr const char* kFontFamily = "DejaVu Sans";

// Pango wants valid UTF-8 and draws control characters as boxes; repair rather than fail,
// because a report with one odd character beats no report at all.
std::string CleanText(std::string_view in) {
  std::string out;
  if (g_utf8_validate(in.data(), static_cast<gssize>(in.size()), nullptr)) {
    out.assign(in);
  } else {
    gchar* valid = g_utf8_make_valid(in.data(), static_cast<gssize>(in.size()));
    out = valid;
    g_free(valid);
  }
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u == 0x7f) c = ' ';
  }
  return out;
}

guint16 Channel(double v) { return static_cast<guint16>(std::lround(v * 65535.0)); }

void AddAttr(PangoAttrList* list, PangoAttribute* attr, size_t start, size_t end) {
  attr->start_index = static_cast<guint>(start);
  attr->end_index = static_cast<guint>(end);
  pango_attr_list_insert(list, attr);  // takes ownership
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (const std::bad_alloc&) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
}

Status CairoError(std::string_view what, cairo_status_t s) {
  return Status::Internal(std::string("report: ") + std::string(what) + ": " +
                          cairo_status_to_string(s));
}

// One font map per thread, owned here rather than pango's per-thread default: pango font maps
// must not be shared between threads, a map caches fonts so it is worth keeping across
// renders, and owning it means it is released when its thread ends (pango's default for the
// main thread never is, which leak checkers report).
PangoFontMap* ThreadFontMap() {
  struct Holder {
    PangoFontMap* map = pango_cairo_font_map_new();
    ~Holder() {
      if (map != nullptr) g_object_unref(map);
    }
  };
  thread_local Holder holder;
  return holder.map;
}

}  // namespace

void SetColor(cairo_t* cr, const Rgb& c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

void RoundedRect(cairo_t* cr, double x, double y, double w, double h, double r) {
  r = std::min({r, w / 2, h / 2});
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
  cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path(cr);
  cairo_fill(cr);
}

StatusOr<std::unique_ptr<Canvas>> Canvas::Create() {
  std::unique_ptr<Canvas> c(new Canvas());
  PangoFontMap* font_map = ThreadFontMap();
  if (font_map == nullptr) return Status::Internal("report: no pango font map");
  c->context_ = pango_font_map_create_context(font_map);
  if (c->context_ == nullptr) return Status::Internal("report: cannot create a pango context");
  // 72 dpi makes a pango point one PDF unit. Unhinted metrics keep the layout the same as the
  // text that is printed.
  pango_cairo_context_set_resolution(c->context_, 72.0);
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(c->context_, options);
  cairo_font_options_destroy(options);
  c->layout_ = pango_layout_new(c->context_);
  c->NewPage();
  if (cairo_status_t s = cairo_status(c->page_cr_); s != CAIRO_STATUS_SUCCESS) {
    return CairoError("page", s);
  }
  return c;
}

Canvas::~Canvas() {
  if (page_cr_ != nullptr) cairo_destroy(page_cr_);
  for (cairo_surface_t* page : pages_) cairo_surface_destroy(page);
  if (layout_ != nullptr) g_object_unref(layout_);
  if (context_ != nullptr) g_object_unref(context_);
}

void Canvas::NewPage() {
  if (page_cr_ != nullptr) cairo_destroy(page_cr_);
  const cairo_rectangle_t extents{0, 0, kWidth, kHeight};
  pages_.push_back(cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents));
  page_cr_ = cairo_create(pages_.back());
  target_ = page_cr_;
  y = kTop;
}

void Canvas::Ensure(double h) {
  if (y + h > kBottom && y > kTop) NewPage();
}

PangoLayout* Canvas::Layout(std::span<const Span> spans, double width, const TextStyle& style) {
  std::string text;
  PangoAttrList* attrs = pango_attr_list_new();
  for (const Span& span : spans) {
    const size_t start = text.size();
    text += CleanText(span.text);
    const size_t end = text.size();
    if (span.bold) AddAttr(attrs, pango_attr_weight_new(PANGO_WEIGHT_BOLD), start, end);
    if (span.italic) AddAttr(attrs, pango_attr_style_new(PANGO_STYLE_ITALIC), start, end);
    if (span.color != nullptr) {
      AddAttr(attrs,
              pango_attr_foreground_new(Channel(span.color->r), Channel(span.color->g),
                                        Channel(span.color->b)),
              start, end);
    }
  }
  if (style.letter_spacing > 0) {
    AddAttr(attrs,
            pango_attr_letter_spacing_new(static_cast<int>(style.letter_spacing * PANGO_SCALE)), 0,
            text.size());
  }

  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family_static(font, kFontFamily);
  pango_font_description_set_size(font, static_cast<gint>(std::lround(style.size * PANGO_SCALE)));
  pango_font_description_set_weight(font, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style(font, style.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  pango_layout_set_font_description(layout_, font);
  pango_font_description_free(font);

  // Plain text plus attributes: nothing in `text` is ever parsed as markup.
  pango_layout_set_text(layout_, text.data(), static_cast<int>(text.size()));
  pango_layout_set_attributes(layout_, attrs);
  pango_attr_list_unref(attrs);
  pango_layout_set_width(layout_, width > 0 ? static_cast<int>(width * PANGO_SCALE) : -1);
  pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(layout_, style.align);
  pango_layout_set_line_spacing(layout_, static_cast<float>(style.line_spacing));
  if (style.max_lines > 0) {
    pango_layout_set_height(layout_, -style.max_lines);
    pango_layout_set_ellipsize(layout_, PANGO_ELLIPSIZE_END);
  } else {
    pango_layout_set_height(layout_, -1);
    pango_layout_set_ellipsize(layout_, PANGO_ELLIPSIZE_NONE);
  }
  return layout_;
}

double Canvas::Measure(std::span<const Span> spans, double width, const TextStyle& style) {
  int w = 0;
  int h = 0;
  pango_layout_get_size(Layout(spans, width, style), &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

double Canvas::Draw(double x, double top, double width, std::span<const Span> spans,
                    const TextStyle& style) {
  PangoLayout* layout = Layout(spans, width, style);
  int w = 0;
  int h = 0;
  pango_layout_get_size(layout, &w, &h);
  cairo_save(target_);
  SetColor(target_, style.color);
  cairo_move_to(target_, x, top);
  pango_cairo_show_layout(target_, layout);
  cairo_restore(target_);
  // The path is not part of the saved state: drop the move_to so the next shape does not start
  // with a line from here.
  cairo_new_path(target_);
  return static_cast<double>(h) / PANGO_SCALE;
}

double Canvas::NaturalWidth(std::string_view text, const TextStyle& style) {
  const Span s{text};
  int w = 0;
  int h = 0;
  pango_layout_get_size(Layout(std::span(&s, 1), -1, style), &w, &h);
  return static_cast<double>(w) / PANGO_SCALE;
}

void Canvas::AddOutline(std::string title) {
  outlines_.push_back({CleanText(title), page_count()});
}

StatusOr<std::string> Canvas::Finish(const PdfMetadata& meta,
                                     const std::function<void(int page, int count)>& decorate) {
  if (cairo_status_t s = cairo_status(page_cr_); s != CAIRO_STATUS_SUCCESS) {
    return CairoError("drawing a page", s);
  }
  cairo_destroy(page_cr_);
  page_cr_ = nullptr;

  std::string out;
  cairo_surface_t* pdf =
      cairo_pdf_surface_create_for_stream(&AppendToString, &out, kWidth, kHeight);
  if (cairo_status_t s = cairo_surface_status(pdf); s != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(pdf);
    return CairoError("creating the PDF surface", s);
  }
  cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_TITLE, CleanText(meta.title).c_str());
  cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_SUBJECT, CleanText(meta.subject).c_str());
  cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR, "hookline");
  if (!meta.created.empty()) {
    // A fixed date (the assessment's) keeps the bytes of a re-render the same.
    cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATE_DATE, meta.created.c_str());
    cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_MOD_DATE, meta.created.c_str());
  }
  for (const Outline& o : outlines_) {
    const std::string link = "page=" + std::to_string(o.page);
    cairo_pdf_surface_add_outline(pdf, CAIRO_PDF_OUTLINE_ROOT, o.title.c_str(), link.c_str(),
                                  CAIRO_PDF_OUTLINE_FLAG_OPEN);
  }

  cairo_t* cr = cairo_create(pdf);
  target_ = cr;
  const int count = page_count();
  for (int i = 0; i < count; ++i) {
    cairo_set_source_surface(cr, pages_[i], 0, 0);
    cairo_paint(cr);
    decorate(i, count);
    cairo_show_page(cr);
  }
  const cairo_status_t draw_status = cairo_status(cr);
  cairo_destroy(cr);
  target_ = nullptr;
  cairo_surface_finish(pdf);
  const cairo_status_t surface_status = cairo_surface_status(pdf);
  cairo_surface_destroy(pdf);
  if (draw_status != CAIRO_STATUS_SUCCESS) return CairoError("writing pages", draw_status);
  if (surface_status != CAIRO_STATUS_SUCCESS) return CairoError("writing the PDF", surface_status);
  return out;
}

}  // namespace hookline::report
