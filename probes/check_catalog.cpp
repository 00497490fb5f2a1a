#include "probes/check_catalog.hpp"

#include "probes/check_report.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>

namespace kc::checks {

namespace fs = std::filesystem;

std::vector<check_spec>
discover_checks(const std::string& scripts_dir,
                const std::vector<std::string>& categories) {
  std::vector<check_spec> out;
  for (auto& cat : categories) {
    std::error_code ec;
    fs::path dir = fs::absolute(fs::path(scripts_dir) / cat, ec);
    std::vector<check_spec> found;
    for (auto it = fs::directory_iterator(dir, ec);
         !ec && it != fs::directory_iterator(); it.increment(ec)) {
      auto name = it->path().filename().string();
      if (name.empty() || name[0] == '.' || it->path().extension() == ".md")
        continue;
      std::error_code sec;
      if (!fs::is_regular_file(it->path(), sec))
        continue;
      found.push_back({cat, name, it->path().string(), {}});
    }
    std::sort(found.begin(), found.end(),
              [](auto& a, auto& b) { return a.name < b.name; });
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

bool has_user_scripts(const std::string& scripts_dir) {
  return !discover_checks(scripts_dir, {"custom"}).empty();
}

std::string errlog_dir(const std::string& scripts_dir,
                       const std::string& category, std::string& note) {
  std::error_code ec;
  fs::path primary = fs::path(scripts_dir) / category / "errlog";
  fs::create_directories(primary, ec);
  if (!ec && fs::is_directory(primary))
    return primary.string();
  fs::path fallback
      = fs::temp_directory_path() / "kubecombo-errlog" / category / "errlog";
  std::error_code ec2;
  fs::create_directories(fallback, ec2);
  note = "cannot create " + primary.string() + " (" + ec.message()
         + "); errlogs of " + category + " go to " + fallback.string();
  return fallback.string();
}

std::vector<std::string>
ensure_errlog_dirs(const std::string& scripts_dir,
                   const std::vector<std::string>& categories) {
  std::vector<std::string> notes;
  for (auto& c : categories) {
    std::string note;
    errlog_dir(scripts_dir, c, note);
    if (!note.empty())
      notes.push_back(note);
  }
  return notes;
}

namespace {

void prune(const fs::path& dir, std::size_t keep) {
  std::vector<fs::path> logs;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec);
       !ec && it != fs::directory_iterator(); it.increment(ec))
    if (it->path().extension() == ".log")
      logs.push_back(it->path());
  if (logs.size() <= keep)
    return;
  std::sort(logs.begin(), logs.end()); // run ids sort by time
  for (std::size_t i = 0; i + keep < logs.size(); ++i)
    fs::remove(logs[i], ec);
}

} // namespace

std::vector<std::string> write_errlogs(const std::string& scripts_dir,
                                       const std::string& run_id,
                                       const std::vector<check_result>& results,
                                       std::size_t keep) {
  std::vector<std::string> written;
  std::set<std::string> categories;
  for (auto& r : results)
    if (r.status != check_status::ok)
      categories.insert(r.spec.category);
  auto now = utc_timestamp();
  for (auto& cat : categories) {
    std::string note;
    fs::path dir = errlog_dir(scripts_dir, cat, note);
    fs::path file = dir / (run_id + ".log");
    std::ofstream os(file, std::ios::app);
    for (auto& r : results)
      if (r.spec.category == cat && r.status != check_status::ok)
        os << errlog_entry(r, now);
    if (os) {
      written.push_back(file.string());
      os.close();
      prune(dir, keep);
    }
  }
  return written;
}

std::string utc_timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string run_id_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

bool valid_run_id(const std::string& id) {
  if (id.size() != 15 || id[8] != '-')
    return false;
  for (std::size_t i = 0; i < id.size(); ++i)
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(id[i])))
      return false;
  return true;
}

} // namespace kc::checks
