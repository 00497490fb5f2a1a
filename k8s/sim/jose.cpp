#include "k8s/sim/jose.hpp"

#include <openssl/evp.h>

namespace kc::sim {

std::string base64_std_encode(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool base64_std_decode(std::string_view in, std::string& out) {
  std::string clean;
  clean.reserve(in.size() + 3);
  for (char c : in)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
      clean += c;
  while (clean.size() % 4 != 0)
    clean += '=';
  std::size_t pad = 0;
  if (!clean.empty() && clean.back() == '=')
    pad = clean.size() >= 2 && clean[clean.size() - 2] == '=' ? 2 : 1;
  out.assign(3 * clean.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  if (n < 0)
    return false;
  out.resize(static_cast<std::size_t>(n) - pad);
  return true;
}

std::string base64url_encode(std::string_view in) {
  auto s = base64_std_encode(in);
  while (!s.empty() && s.back() == '=')
    s.pop_back();
  for (auto& c : s)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

bool base64url_decode(std::string_view in, std::string& out) {
  std::string s(in);
  for (auto& c : s) {
    if (c == '+' || c == '/')
      return false;
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  return base64_std_decode(s, out);
}

} // namespace kc::sim
