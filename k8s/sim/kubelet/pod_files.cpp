#include "k8s/sim/kubelet/pod_files.hpp"

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/jose.hpp"
#include "k8s/sim/sa_tokens.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <sys/stat.h>

namespace kc::sim {

namespace {

namespace fs = std::filesystem;
using k8s::arr_at;
using data_map = std::map<std::string, std::string>;
/// Relative path → (content, mode).
using file_map = std::map<std::string, std::pair<std::string, int>>;

constexpr const char* sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
constexpr const char* sa_volume = "..serviceaccount";

const json::object& spec_of(const json::object& pod) {
  static const json::object empty;
  auto s = obj_at(pod, "spec");
  return s ? *s : empty;
}

int int_at(const json::object& o, const char* key, int dflt) {
  auto v = o.if_contains(key);
  return v && v->is_int64() ? static_cast<int>(v->as_int64()) : dflt;
}

bool write_if_changed(const std::string& path, const std::string& content,
                      int mode) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream cur;
      cur << in.rdbuf();
      struct stat st{};
      if (cur.str() == content && ::stat(path.c_str(), &st) == 0
          && static_cast<int>(st.st_mode & 07777) == mode)
        return false;
    }
  }
  auto tmp = path + ".kc-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
  }
  ::chmod(tmp.c_str(), static_cast<mode_t>(mode));
  fs::rename(tmp, path, ec);
  return true;
}

void write_files(const std::string& dir, const file_map& files) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (auto& [rel, f] : files)
    write_if_changed(dir + "/" + rel, f.first, f.second);
  // Keys that disappeared disappear from the volume too.
  for (auto& e : fs::directory_iterator(dir, ec)) {
    auto name = e.path().filename().string();
    if (e.is_regular_file() && !files.count(name))
      fs::remove(e.path(), ec);
  }
}

std::optional<data_map> object_data(control_plane& cp, bool secret,
                                    const std::string& ns,
                                    const std::string& name) {
  auto s = cp.objects.get(secret ? "secrets" : "configmaps", ns, name);
  if (!s)
    return std::nullopt;
  data_map out;
  auto add = [&](const char* key, bool b64) {
    if (auto d = obj_at(s->obj, key))
      for (auto& [k, v] : *d)
        if (v.is_string()) {
          std::string text(v.as_string());
          if (b64 && !base64_std_decode(text, text))
            continue;
          out[std::string(k)] = text;
        }
  };
  add("data", secret);
  add("binaryData", true);
  return out;
}

std::string what(bool secret, const std::string& name) {
  return std::string(secret ? "secret" : "configmap") + " \"" + name + "\"";
}

/// Keys (or items) of a ConfigMap/Secret source into `out` under `prefix`.
pod_problem project(control_plane& cp, bool secret, const std::string& ns,
                    const json::object& src, int mode, file_map& out) {
  auto name = str_at(src, secret && src.contains("secretName") ? "secretName"
                                                               : "name");
  auto data = object_data(cp, secret, ns, name);
  if (!data) {
    if (k8s::bool_at(src, "optional"))
      return {};
    if (!secret && name == "kube-root-ca.crt")
      data = data_map{{"ca.crt", cp.certs.ca.cert}};
    else
      return {"FailedMount", what(secret, name) + " not found"};
  }
  mode = int_at(src, "defaultMode", mode);
  if (auto items = arr_at(src, "items")) {
    for (auto& it : *items) {
      if (!it.is_object())
        continue;
      auto& i = it.as_object();
      auto key = str_at(i, "key");
      auto d = data->find(key);
      if (d == data->end()) {
        if (k8s::bool_at(src, "optional"))
          continue;
        return {"CreateContainerConfigError",
                what(secret, name) + " has no key \"" + key + "\""};
      }
      out[str_at(i, "path")] = {d->second, int_at(i, "mode", mode)};
    }
    return {};
  }
  for (auto& [k, v] : *data)
    out[k] = {v, mode};
  return {};
}

void project_fields(const json::object& pod, const json::object& src,
                    int mode, const std::string& ip, file_map& out) {
  if (auto items = arr_at(src, "items"))
    for (auto& it : *items)
      if (it.is_object())
        if (auto f = obj_at(it.as_object(), "fieldRef"))
          out[str_at(it.as_object(), "path")]
            = {field_value(pod, str_at(*f, "fieldPath"), ip),
               int_at(it.as_object(), "mode", mode)};
}

std::string service_account(const json::object& pod) {
  auto sa = str_at(spec_of(pod), "serviceAccountName");
  return sa.empty() ? "default" : sa;
}

/// token, ca.crt, namespace (the token only once per pod directory).
void sa_files(control_plane& cp, const json::object& pod,
              const std::string& dir, const std::string& token_path,
              file_map& out, int mode) {
  std::string token;
  std::ifstream in(dir + "/" + token_path);
  if (in) {
    std::getline(in, token, '\0');
  } else {
    token_options o;
    o.bound_kind = "Pod";
    o.bound_name = meta_str(pod, "name");
    o.bound_uid = meta_str(pod, "uid");
    if (auto t = issue_token(cp, meta_str(pod, "namespace"),
                             service_account(pod), o))
      token = t->token;
  }
  out[token_path] = {token, mode};
}

} // namespace

std::string field_value(const json::object& pod, const std::string& path,
                        const std::string& ip) {
  auto bracket = [&](const char* map) -> std::string {
    auto open = path.find("['");
    auto md = obj_at(pod, "metadata");
    auto m = md ? obj_at(*md, map) : nullptr;
    if (open == std::string::npos || !m)
      return "";
    return str_at(*m, path.substr(open + 2, path.size() - open - 4));
  };
  if (path == "metadata.name" || path == "metadata.namespace"
      || path == "metadata.uid")
    return meta_str(pod, path.substr(9));
  if (path.rfind("metadata.labels[", 0) == 0)
    return bracket("labels");
  if (path.rfind("metadata.annotations[", 0) == 0)
    return bracket("annotations");
  if (path == "spec.nodeName")
    return str_at(spec_of(pod), "nodeName");
  if (path == "spec.serviceAccountName")
    return service_account(pod);
  if (path == "status.podIP" || path == "status.hostIP"
      || path == "status.podIPs" || path == "status.hostIPs")
    return ip;
  return "";
}

pod_problem sync_volumes(control_plane& cp, const json::object& pod,
                         const pod_place& place,
                         std::map<std::string, std::string>& dirs) {
  auto ns = meta_str(pod, "namespace");
  auto base = place.pod_dir + "/volumes/";
  std::error_code ec;
  if (auto vols = arr_at(spec_of(pod), "volumes"))
    for (auto& vv : *vols) {
      if (!vv.is_object())
        continue;
      auto& v = vv.as_object();
      auto name = str_at(v, "name");
      auto dir = base + name;
      file_map files;
      pod_problem p;
      if (auto cm = obj_at(v, "configMap")) {
        p = project(cp, false, ns, *cm, 0644, files);
      } else if (auto sec = obj_at(v, "secret")) {
        p = project(cp, true, ns, *sec, 0644, files);
      } else if (auto dw = obj_at(v, "downwardAPI")) {
        project_fields(pod, *dw, int_at(*dw, "defaultMode", 0644), place.ip,
                       files);
      } else if (auto pr = obj_at(v, "projected")) {
        int mode = int_at(*pr, "defaultMode", 0644);
        if (auto srcs = arr_at(*pr, "sources"))
          for (auto& s : *srcs) {
            if (!s.is_object() || !p.reason.empty())
              continue;
            auto& src = s.as_object();
            if (auto c = obj_at(src, "configMap"))
              p = project(cp, false, ns, *c, mode, files);
            else if (auto c = obj_at(src, "secret"))
              p = project(cp, true, ns, *c, mode, files);
            else if (auto c = obj_at(src, "downwardAPI"))
              project_fields(pod, *c, mode, place.ip, files);
            else if (auto c = obj_at(src, "serviceAccountToken"))
              sa_files(cp, pod, dir, str_at(*c, "path"), files, mode);
          }
      } else if (auto hp = obj_at(v, "hostPath")) {
        auto path = str_at(*hp, "path");
        bool escapes = path.empty() || path[0] != '/';
        for (auto& part : fs::path(path))
          escapes |= part == "..";
        if (escapes)
          return {"CreateContainerConfigError",
                  "hostPath \"" + path + "\" is outside the node directory"};
        auto norm = fs::path(path).lexically_normal().string();
        dir = place.node_dir + norm;
        auto type = str_at(*hp, "type");
        if (type == "File" || type == "FileOrCreate") {
          fs::create_directories(fs::path(dir).parent_path(), ec);
          if (!fs::exists(dir) && type == "File")
            return {"CreateContainerConfigError",
                    "hostPath type check failed: " + path + " is not a file"};
          if (!fs::exists(dir))
            std::ofstream(dir).flush();
        } else {
          fs::create_directories(dir, ec);
        }
        dirs[name] = dir;
        continue;
      } else {
        fs::create_directories(dir, ec); // emptyDir and the rest
        dirs[name] = dir;
        continue;
      }
      if (p.reason == "FailedMount") // as the volume manager says it
        p.message = "MountVolume.SetUp failed for volume \"" + name
                    + "\" : " + p.message;
      if (!p.reason.empty())
        return p;
      write_files(dir, files);
      dirs[name] = dir;
    }
  auto auto_mount = spec_of(pod).if_contains("automountServiceAccountToken");
  if (!auto_mount || !auto_mount->is_bool() || auto_mount->as_bool()) {
    file_map files;
    auto dir = base + sa_volume;
    sa_files(cp, pod, dir, "token", files, 0644);
    files["ca.crt"] = {cp.certs.ca.cert, 0644};
    files["namespace"] = {ns, 0644};
    write_files(dir, files);
    dirs[sa_volume] = dir;
  }
  return {};
}

pod_problem container_mounts(const json::object& pod,
                             const json::object& container,
                             const std::map<std::string, std::string>& dirs,
                             std::vector<kubelet_spawn::bind_mount>& out) {
  bool sa_taken = false;
  if (auto ms = arr_at(container, "volumeMounts"))
    for (auto& mv : *ms) {
      if (!mv.is_object())
        continue;
      auto& m = mv.as_object();
      auto it = dirs.find(str_at(m, "name"));
      if (it == dirs.end())
        return {"CreateContainerConfigError",
                "volume \"" + str_at(m, "name") + "\" is not available"};
      auto src = it->second;
      if (auto sub = str_at(m, "subPath"); !sub.empty())
        src += "/" + sub;
      auto target = str_at(m, "mountPath");
      sa_taken |= target == sa_dir;
      out.push_back({src, target, k8s::bool_at(m, "readOnly")});
    }
  if (auto it = dirs.find(sa_volume); it != dirs.end() && !sa_taken)
    out.push_back({it->second, sa_dir, true});
  (void)pod;
  return {};
}

} // namespace kc::sim
