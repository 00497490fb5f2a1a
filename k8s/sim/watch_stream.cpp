#include "k8s/sim/watch_stream.hpp"

#include "k8s/sim/views.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>

namespace kc::sim {

namespace {

using piece = watch_stream::piece;

/// `{"type":"<T>","object":` for each stored event type.
const piece& prefix(event_type t) {
  static const piece added = std::make_shared<const std::string>(
    "{\"type\":\"ADDED\",\"object\":");
  static const piece modified = std::make_shared<const std::string>(
    "{\"type\":\"MODIFIED\",\"object\":");
  static const piece deleted = std::make_shared<const std::string>(
    "{\"type\":\"DELETED\",\"object\":");
  switch (t) {
    case event_type::modified:
      return modified;
    case event_type::deleted:
      return deleted;
    default:
      return added;
  }
}

const piece& line_suffix() {
  static const piece p = std::make_shared<const std::string>("}\n");
  return p;
}

const piece& crlf() {
  static const piece p = std::make_shared<const std::string>("\r\n");
  return p;
}

const piece& last_chunk() {
  static const piece p = std::make_shared<const std::string>("0\r\n\r\n");
  return p;
}

} // namespace

watch_stream::watch_stream(std::shared_ptr<watcher> w,
                           k8s::resource_type_ptr type, selection sel,
                           clock::duration timeout, bool bookmarks)
  : w_(std::move(w)),
    type_(std::move(type)),
    sel_(std::move(sel)),
    bookmarks_(bookmarks),
    deadline_(clock::now() + timeout),
    next_bookmark_(clock::now() + bookmark_every) {
}

std::shared_ptr<watch_stream>
watch_stream::error(const k8s::api_status& status) {
  std::shared_ptr<watch_stream> s{new watch_stream()};
  json::object ev{{"type", "ERROR"}, {"object", status.body}};
  s->error_line_ = json::serialize(ev) + "\n";
  return s;
}

void watch_stream::set_table(k8s::include_object include) {
  table_ = true;
  include_ = include;
}

void watch_stream::set_initial_events_end() {
  initial_end_ = true;
}

void watch_stream::set_notify(std::function<void()> fn) {
  if (w_)
    w_->set_notify(std::move(fn));
}

void watch_stream::cancel() {
  if (w_)
    w_->close();
}

watch_stream::clock::time_point watch_stream::next_deadline() const {
  if (bookmarks_ && next_bookmark_ < deadline_)
    return next_bookmark_;
  return deadline_;
}

piece watch_stream::render_object(const char* type, const json::object& obj) {
  if (table_) {
    std::vector<std::shared_ptr<const json::object>> objs{
      std::make_shared<json::object>(obj)};
    auto table = k8s::make_table(*type_, objs, include_, first_table_,
                                 meta_str(obj, "resourceVersion"),
                                 std::chrono::system_clock::now());
    first_table_ = false;
    json::object ev{{"type", type}, {"object", std::move(table)}};
    return std::make_shared<const std::string>(json::serialize(ev) + "\n");
  }
  std::string line = "{\"type\":\"";
  line += type;
  line += "\",\"object\":";
  line += json::serialize(obj);
  line += "}\n";
  return std::make_shared<const std::string>(std::move(line));
}

piece watch_stream::render_added(const stored_ptr& s) {
  if (table_ || needs_view(*type_, s->obj)) {
    auto obj = needs_view(*type_, s->obj) ? present(*type_, s->obj) : s->obj;
    if (!sel_.all() && !sel_.matches(obj))
      return nullptr;
    return render_object("ADDED", obj);
  }
  if (!sel_.all() && !sel_.matches(s->obj))
    return nullptr;
  return nullptr; // plain: produce() shares the stored text instead
}

void watch_stream::render(const watch_event& ev, std::vector<piece>& lines) {
  bool view = needs_view(*type_, ev.obj->obj);
  json::object cur_v, old_v;
  const json::object* cur = &ev.obj->obj;
  const json::object* old = ev.old ? &ev.old->obj : nullptr;
  if (view) {
    cur_v = present(*type_, *cur);
    cur = &cur_v;
    if (old) {
      old_v = present(*type_, *old);
      old = &old_v;
    }
  }
  bool m_new = sel_.all() || sel_.matches(*cur);
  bool m_old = old && (sel_.all() || sel_.matches(*old));
  const char* type = nullptr;
  bool use_old = false;
  switch (ev.type) {
    case event_type::added:
      if (m_new)
        type = "ADDED";
      break;
    case event_type::modified:
      if (m_new && m_old)
        type = "MODIFIED";
      else if (m_new)
        type = "ADDED";
      else if (m_old) {
        type = "DELETED";
        use_old = true;
      }
      break;
    case event_type::deleted:
      if (m_new)
        type = "DELETED";
      break;
  }
  if (!type)
    return;
  if (!table_ && !view && std::string_view(type) == to_string(ev.type)) {
    // The stored text itself, shared by every watcher: no copy.
    lines.push_back(prefix(ev.type));
    lines.push_back(piece(ev.obj, &ev.obj->json));
    lines.push_back(line_suffix());
    return;
  }
  if (use_old) {
    json::object o = *old;
    metadata_of(o)["resourceVersion"] = std::to_string(ev.rev);
    lines.push_back(render_object(type, o));
    return;
  }
  lines.push_back(render_object(type, *cur));
}

piece watch_stream::bookmark(uint64_t rev, bool initial_end) {
  json::object md{{"resourceVersion", std::to_string(rev)}};
  if (initial_end)
    md["annotations"]
      = json::object{{"k8s.io/initial-events-end", "true"}};
  json::object obj{{"kind", type_->kind},
                   {"apiVersion", type_->api_version()},
                   {"metadata", std::move(md)}};
  json::object ev{{"type", "BOOKMARK"}, {"object", std::move(obj)}};
  return std::make_shared<const std::string>(json::serialize(ev) + "\n");
}

bool watch_stream::produce(std::vector<piece>& out) {
  if (finished_)
    return false;
  std::vector<piece> lines;
  bool end = false;
  if (!error_line_.empty()) {
    lines.push_back(std::make_shared<const std::string>(error_line_));
    end = true;
  } else {
    auto b = w_->take();
    for (auto& s : b.snapshot) {
      if (auto p = render_added(s)) {
        lines.push_back(std::move(p));
      } else if (!table_ && !needs_view(*type_, s->obj)
                 && (sel_.all() || sel_.matches(s->obj))) {
        lines.push_back(prefix(event_type::added));
        lines.push_back(piece(s, &s->json));
        lines.push_back(line_suffix());
      }
    }
    for (auto& ev : b.events)
      render(*ev, lines);
    if (!initial_done_) {
      initial_done_ = true;
      if (initial_end_)
        lines.push_back(bookmark(b.progress, true));
    }
    auto now = clock::now();
    if (b.closed) {
      end = true;
    } else if (now >= deadline_) {
      if (bookmarks_)
        lines.push_back(bookmark(b.progress, false));
      end = true;
      w_->close();
    } else if (bookmarks_ && now >= next_bookmark_) {
      lines.push_back(bookmark(b.progress, false));
      next_bookmark_ = now + bookmark_every;
    }
  }
  if (!lines.empty()) {
    std::size_t size = 0;
    for (auto& l : lines)
      size += l->size();
    char hex[32];
    std::snprintf(hex, sizeof(hex), "%zx\r\n", size);
    out.push_back(std::make_shared<const std::string>(hex));
    for (auto& l : lines)
      out.push_back(std::move(l));
    out.push_back(crlf());
  }
  if (end) {
    out.push_back(last_chunk());
    finished_ = true;
    return false;
  }
  return true;
}

} // namespace kc::sim
