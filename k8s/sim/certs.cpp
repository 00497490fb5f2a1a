#include "k8s/sim/certs.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <memory>
#include <stdexcept>

namespace kc::sim {

namespace {

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok)
    throw std::runtime_error(std::string("certificate generation failed: ")
                             + what);
}

pkey_ptr new_key() {
  pkey_ptr k{EVP_EC_gen("P-256"), &EVP_PKEY_free};
  check(k != nullptr, "EC key");
  return k;
}

std::string key_pem(EVP_PKEY* k) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()),
                                                &BIO_free};
  check(PEM_write_bio_PrivateKey(bio.get(), k, nullptr, nullptr, 0, nullptr,
                                 nullptr)
          == 1,
        "key PEM");
  char* data = nullptr;
  auto n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string cert_pem(X509* c) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()),
                                                &BIO_free};
  check(PEM_write_bio_X509(bio.get(), c) == 1, "cert PEM");
  char* data = nullptr;
  auto n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  auto ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

/// A certificate for `key`, signed by `issuer_key` (self-signed if
/// `issuer` is null), valid from an hour ago for ten years.
x509_ptr make_cert(EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                   const std::string& cn, const std::string& org) {
  x509_ptr c{X509_new(), &X509_free};
  check(c != nullptr, "X509_new");
  X509_set_version(c.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7f;
  auto bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(c.get(), key);
  auto name = X509_get_subject_name(c.get());
  if (!org.empty())
    X509_NAME_add_entry_by_txt(
      name, "O", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(
    name, "CN", MBSTRING_ASC,
    reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(c.get(), issuer ? X509_get_subject_name(issuer) : name);
  return c;
}

void sign(X509* c, EVP_PKEY* key) {
  check(X509_sign(c, key, EVP_sha256()) > 0, "sign");
}

bool is_ip(const std::string& h) {
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1
         || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

} // namespace

cluster_certs generate_certs(const std::vector<std::string>& hosts) {
  cluster_certs out;
  auto ca_key = new_key();
  auto ca = make_cert(ca_key.get(), nullptr, nullptr, "kubecombo-ca", "");
  add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(ca.get(), ca.get(), NID_key_usage,
          "critical,keyCertSign,cRLSign,digitalSignature");
  add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  sign(ca.get(), ca_key.get());
  out.ca = {cert_pem(ca.get()), key_pem(ca_key.get())};

  std::string san = "IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes,"
                    "DNS:kubernetes.default,DNS:kubernetes.default.svc";
  for (auto& h : hosts)
    if (!h.empty() && h != "0.0.0.0" && h != "::")
      san += (is_ip(h) ? ",IP:" : ",DNS:") + h;
  auto srv_key = new_key();
  auto srv = make_cert(srv_key.get(), ca.get(), ca_key.get(),
                       "kubecombo-apiserver", "");
  add_ext(srv.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(srv.get(), ca.get(), NID_key_usage,
          "critical,digitalSignature,keyEncipherment");
  add_ext(srv.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  add_ext(srv.get(), ca.get(), NID_subject_alt_name, san);
  sign(srv.get(), ca_key.get());
  out.serving = {cert_pem(srv.get()), key_pem(srv_key.get())};

  auto cli_key = new_key();
  auto cli = make_cert(cli_key.get(), ca.get(), ca_key.get(),
                       "kubecombo-admin", "system:masters");
  add_ext(cli.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cli.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
  add_ext(cli.get(), ca.get(), NID_ext_key_usage, "clientAuth");
  sign(cli.get(), ca_key.get());
  out.admin = {cert_pem(cli.get()), key_pem(cli_key.get())};
  return out;
}

} // namespace kc::sim
