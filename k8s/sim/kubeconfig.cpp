#include "k8s/sim/kubeconfig.hpp"

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

namespace kc::sim {

std::string base64(const std::string& data) {
  std::vector<unsigned char> out(4 * ((data.size() + 2) / 3) + 1);
  auto n = EVP_EncodeBlock(out.data(),
                           reinterpret_cast<const unsigned char*>(data.data()),
                           static_cast<int>(data.size()));
  return std::string(reinterpret_cast<char*>(out.data()),
                     static_cast<std::size_t>(n));
}

std::string render_kubeconfig(const kubeconfig_data& d) {
  std::string y = "apiVersion: v1\nkind: Config\nclusters:\n- name: kubecombo\n"
                  "  cluster:\n    server: "
                  + d.server_url + "\n";
  if (!d.ca_pem.empty())
    y += "    certificate-authority-data: " + base64(d.ca_pem) + "\n";
  y += "contexts:\n"
       "- name: kubecombo\n"
       "  context:\n"
       "    cluster: kubecombo\n"
       "    user: kubecombo-admin\n"
       "    namespace: default\n";
  if (!d.client_cert_pem.empty())
    y += "- name: kubecombo-cert\n"
         "  context:\n"
         "    cluster: kubecombo\n"
         "    user: kubecombo-admin-cert\n"
         "    namespace: default\n";
  y += "current-context: kubecombo\n"
       "preferences: {}\n"
       "users:\n"
       "- name: kubecombo-admin\n"
       "  user:\n"
       "    token: "
       + d.token + "\n";
  if (!d.client_cert_pem.empty())
    y += "- name: kubecombo-admin-cert\n"
         "  user:\n"
         "    client-certificate-data: "
         + base64(d.client_cert_pem)
         + "\n"
           "    client-key-data: "
         + base64(d.client_key_pem) + "\n";
  return y;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  auto tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot write " + tmp);
  std::size_t off = 0;
  while (off < text.size()) {
    auto n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error("cannot write " + tmp);
    }
    off += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
  }
}

} // namespace kc::sim
