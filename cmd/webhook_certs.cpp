// The webhook's serving certificate: loaded from --webhook-cert-dir or
// generated with the control plane's generator (k8s/sim/certs.hpp) and
// written there (ADR 0042).

#include "cmd/webhook_server.hpp"
#include "k8s/sim/certs.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace kc::cmd {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  if (!in)
    throw std::runtime_error(p.string() + ": cannot read: "
                             + std::generic_category().message(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (!in.good() && !in.eof())
    throw std::runtime_error(p.string() + ": read error");
  return s.str();
}

void write_file(const fs::path& p, const std::string& text, fs::perms perms) {
  auto tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
    if (!out)
      throw std::runtime_error(tmp.string() + ": cannot write: "
                               + std::generic_category().message(errno));
    out << text;
    if (!out.flush())
      throw std::runtime_error(tmp.string() + ": write error");
  }
  std::error_code ec;
  fs::permissions(tmp, perms, ec);
  fs::rename(tmp, p, ec);
  if (ec)
    throw std::runtime_error(p.string() + ": cannot write: " + ec.message());
}

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;

bio_ptr mem_bio(const std::string& pem) {
  return {BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
          &BIO_free};
}

/// Checks that `cert` and `key` are PEM and belong together; throws naming
/// the file otherwise.
void check_pair(const std::string& cert, const std::string& key,
                const fs::path& cert_path, const fs::path& key_path) {
  auto cb = mem_bio(cert);
  std::unique_ptr<X509, decltype(&X509_free)> x{
    PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr), &X509_free};
  if (!x)
    throw std::runtime_error(cert_path.string()
                             + ": not a PEM certificate");
  auto kb = mem_bio(key);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> k{
    PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr),
    &EVP_PKEY_free};
  if (!k)
    throw std::runtime_error(key_path.string() + ": not a PEM private key");
  if (X509_check_private_key(x.get(), k.get()) != 1)
    throw std::runtime_error(key_path.string() + ": does not match "
                             + cert_path.string());
}

} // namespace

std::vector<std::string> webhook_service_names(const std::string& ns) {
  std::string svc = "kubecombo-controller";
  return {svc, svc + "." + ns, svc + "." + ns + ".svc",
          svc + "." + ns + ".svc.cluster.local"};
}

webhook_tls webhook_certificate(const std::string& dir,
                                const std::vector<std::string>& names) {
  webhook_tls out;
  if (!dir.empty()) {
    fs::path d{dir};
    auto crt = d / "tls.crt", key = d / "tls.key";
    std::error_code ec;
    bool has_crt = fs::exists(crt, ec), has_key = fs::exists(key, ec);
    if (has_crt && has_key) {
      out.cert = read_file(crt);
      out.key = read_file(key);
      check_pair(out.cert, out.key, crt, key);
      auto ca = d / "ca.crt";
      if (fs::exists(ca, ec))
        out.ca = read_file(ca);
      return out;
    }
    if (has_crt != has_key)
      throw std::runtime_error((has_crt ? key : crt).string()
                               + ": missing (tls.crt and tls.key go together)");
    if (!fs::is_directory(d, ec))
      throw std::runtime_error(dir + ": not a directory");
  }
  auto hosts = names;
  hosts.push_back("127.0.0.1");
  auto certs = sim::generate_certs(hosts);
  out.cert = certs.serving.cert;
  out.key = certs.serving.key;
  out.ca = certs.ca.cert;
  out.generated = true;
  if (!dir.empty()) {
    fs::path d{dir};
    using p = fs::perms;
    write_file(d / "ca.crt", out.ca, p::owner_read | p::owner_write
                                         | p::group_read | p::others_read);
    write_file(d / "tls.key", out.key, p::owner_read | p::owner_write);
    write_file(d / "tls.crt", out.cert, p::owner_read | p::owner_write
                                            | p::group_read | p::others_read);
  }
  return out;
}

} // namespace kc::cmd
