// Build-time tool: turns the files under src/web/ into one C++ source that defines
// hookline::web::AllAssets(). Run by CMake whenever an asset changes; never part of the server.
//
//   hookline_embed_assets OUTPUT.cc SOURCE_ROOT RELATIVE_PATH...
//
// Bodies are emitted as string literals (octal escapes for anything not plain printable ASCII),
// which compile far faster than brace lists of numbers and keep the table constant-initialised.
// The ETag is a SHA-256 of the bytes, computed here so the server never hashes at run time.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Minimal SHA-256 (FIPS 180-4). The tool must not depend on OpenSSL headers being usable on the
// build host, and this is small enough to read in one go.
class Sha256 {
 public:
  static std::array<uint8_t, 32> Digest(std::string_view data) {
    Sha256 h;
    std::string padded(data);
    const uint64_t bit_length = static_cast<uint64_t>(data.size()) * 8;
    padded.push_back(static_cast<char>(0x80));
    while (padded.size() % 64 != 56) padded.push_back('\0');
    for (int shift = 56; shift >= 0; shift -= 8) {
      padded.push_back(static_cast<char>((bit_length >> shift) & 0xff));
    }
    for (size_t off = 0; off < padded.size(); off += 64) {
      h.Block(reinterpret_cast<const uint8_t*>(padded.data()) + off);
    }
    std::array<uint8_t, 32> out{};
    for (int i = 0; i < 8; ++i) {
      for (int j = 0; j < 4; ++j) out[i * 4 + j] = static_cast<uint8_t>(h.state_[i] >> (24 - 8 * j));
    }
    return out;
  }

 private:
  static uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

  void Block(const uint8_t* p) {
    static constexpr uint32_t kK[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      w[i] = (uint32_t{p[i * 4]} << 24) | (uint32_t{p[i * 4 + 1]} << 16) |
             (uint32_t{p[i * 4 + 2]} << 8) | uint32_t{p[i * 4 + 3]};
    }
    for (int i = 16; i < 64; ++i) {
      const uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (int i = 0; i < 64; ++i) {
      const uint32_t t1 =
          h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + kK[i] + w[i];
      const uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
  }

  uint32_t state_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
};

std::string ContentType(std::string_view rel) {
  const size_t slash = rel.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
  if (name.starts_with("LICENSE")) return "text/plain; charset=utf-8";
  const size_t dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  // ES modules are refused by browsers unless served with a JavaScript MIME type.
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "ico") return "image/x-icon";
  if (ext == "png") return "image/png";
  if (ext == "json") return "application/json";
  if (ext == "webmanifest") return "application/manifest+json";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::string UrlPath(std::string_view rel) {
  if (rel == "index.html") return "/";
  if (rel == "admin.html") return "/admin";
  return "/static/" + std::string(rel);
}

// A C++ string literal for arbitrary bytes, split into lines so the output stays diffable.
std::string Literal(std::string_view bytes) {
  std::string out = "\"";
  size_t line = 0;
  unsigned char previous = 0;
  for (const unsigned char c : bytes) {
    // "??x" would read as a trigraph to older standards and warns under -Wall: escape the
    // second '?'.
    const bool trigraph = c == '?' && previous == '?';
    previous = c;
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
      line += 2;
    } else if (c >= 0x20 && c < 0x7f && !trigraph) {
      out += static_cast<char>(c);
      ++line;
    } else {
      // Always three octal digits: a following digit can then never extend the escape.
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
      line += 4;
    }
    if (c == '\n' || line >= 96) {
      out += "\"\n    \"";
      line = 0;
    }
  }
  out += '"';
  return out;
}

struct Entry {
  std::string url;
  std::string rel;
  std::string bytes;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: hookline_embed_assets OUTPUT.cc SOURCE_ROOT RELATIVE_PATH...\n";
    return 2;
  }
  const std::string output = argv[1];
  const std::string root = argv[2];

  std::vector<Entry> entries;
  for (int i = 3; i < argc; ++i) {
    const std::string rel = argv[i];
    std::ifstream in(root + "/" + rel, std::ios::binary);
    if (!in) {
      std::cerr << "hookline_embed_assets: cannot read " << root << "/" << rel << "\n";
      return 1;
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    entries.push_back({UrlPath(rel), rel, bytes.str()});
  }
  // FindAsset binary-searches the table, so it must be sorted with the same ordering as
  // std::string_view's operator<.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.url < b.url; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].url == entries[i - 1].url) {
      std::cerr << "hookline_embed_assets: two files map to " << entries[i].url << "\n";
      return 1;
    }
  }

  std::ostringstream out;
  out << "// Generated by hookline_embed_assets from src/web/. Do not edit.\n"
      << "#include \"web/asset_table.h\"\n\n"
      << "namespace hookline::web {\nnamespace {\n\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    out << "// " << entries[i].rel << "\n"
        << "constexpr char kBody" << i << "[] =\n    " << Literal(entries[i].bytes) << ";\n\n";
  }
  out << "constexpr Asset kAssets[] = {\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const auto digest = Sha256::Digest(e.bytes);
    std::string etag = "\\\"";
    char hex[3];
    for (size_t j = 0; j < 16; ++j) {  // 128 bits are plenty to tell versions apart
      std::snprintf(hex, sizeof hex, "%02x", digest[j]);
      etag += hex;
    }
    etag += "\\\"";
    const bool immutable = e.url.starts_with("/static/vendor/");
    out << "    {\"" << e.url << "\", \"" << ContentType(e.rel) << "\", {kBody" << i << ", "
        << e.bytes.size() << "}, \"" << etag << "\", " << (immutable ? "true" : "false")
        << "},\n";
  }
  out << "};\n\n}  // namespace\n\n"
      << "std::span<const Asset> AllAssets() { return kAssets; }\n\n"
      << "}  // namespace hookline::web\n";

  // Write only when the text changed, so an unchanged table does not recompile or relink.
  const std::string text = out.str();
  {
    std::ifstream previous(output, std::ios::binary);
    std::ostringstream old;
    old << previous.rdbuf();
    if (previous && old.str() == text) return 0;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file << text;
  return file ? 0 : 1;
}
