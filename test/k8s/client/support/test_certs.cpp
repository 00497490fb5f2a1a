#include "test/k8s/client/support/test_certs.hpp"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace kc::test {

namespace {

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

pkey_ptr new_key() {
  return pkey_ptr(EVP_EC_gen("P-256"), EVP_PKEY_free);
}

std::string to_pem(X509* x) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, x);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(b);
  return out;
}

std::string to_pem(EVP_PKEY* k) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(b);
  return out;
}

x509_ptr load_cert(const std::string& pem) {
  BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  return x509_ptr(x, X509_free);
}

pkey_ptr load_key(const std::string& pem) {
  BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  return pkey_ptr(k, EVP_PKEY_free);
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext)
    throw std::runtime_error("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

x509_ptr new_cert(const std::string& cn, EVP_PKEY* key) {
  x509_ptr x(X509_new(), X509_free);
  X509_set_version(x.get(), 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
  X509_set_pubkey(x.get(), key);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()),
                             -1, -1, 0);
  return x;
}

} // namespace

cert_pair make_ca(const std::string& cn) {
  auto key = new_key();
  auto x = new_cert(cn, key.get());
  X509_set_issuer_name(x.get(), X509_get_subject_name(x.get()));
  add_ext(x.get(), x.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(x.get(), x.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(x.get(), x.get(), NID_subject_key_identifier, "hash");
  X509_sign(x.get(), key.get(), EVP_sha256());
  return {to_pem(x.get()), to_pem(key.get())};
}

cert_pair make_cert(const cert_pair& ca, const std::string& cn,
                    const std::vector<std::string>& dns,
                    const std::vector<std::string>& ips, bool client) {
  auto ca_cert = load_cert(ca.cert_pem);
  auto ca_key = load_key(ca.key_pem);
  auto key = new_key();
  auto x = new_cert(cn, key.get());
  X509_set_issuer_name(x.get(), X509_get_subject_name(ca_cert.get()));
  add_ext(x.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(x.get(), ca_cert.get(), NID_key_usage,
          "critical,digitalSignature,keyEncipherment");
  add_ext(x.get(), ca_cert.get(), NID_ext_key_usage,
          client ? "clientAuth" : "serverAuth");
  std::string san;
  for (auto& d : dns)
    san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (auto& i : ips)
    san += (san.empty() ? "" : ",") + std::string("IP:") + i;
  if (!san.empty())
    add_ext(x.get(), ca_cert.get(), NID_subject_alt_name, san);
  X509_sign(x.get(), ca_key.get(), EVP_sha256());
  return {to_pem(x.get()), to_pem(key.get())};
}

} // namespace kc::test
