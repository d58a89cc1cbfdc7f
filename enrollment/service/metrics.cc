#include "enrollment/service/metrics.h"

#include <charconv>
#include <cmath>

namespace edgetrust::enrollment::service {
namespace {

std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string FormatNumber(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact form: 0.01
  return std::string(buf, ec == std::errc() ? end : buf);
}

// Labels renders {a="x",b="y"} plus an optional extra label (le for buckets).
std::string Labels(const std::vector<std::string>& names, const std::vector<std::string>& values,
                   const std::string& extra = "") {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + Escape(values[i]) + "\"";
  }
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

void AddDouble(std::atomic<double>& target, double delta) {
  double old = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(old, old + delta, std::memory_order_relaxed)) {
  }
}

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void CounterFamily::Inc(const std::vector<std::string>& label_values, double delta) {
  std::atomic<double>* cell;
  {
    std::lock_guard lock(mu_);
    auto& slot = series_[label_values];
    if (!slot) slot = std::make_unique<std::atomic<double>>(0);
    cell = slot.get();
  }
  AddDouble(*cell, delta);
}

double CounterFamily::Value(const std::vector<std::string>& label_values) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(label_values);
  return it == series_.end() ? 0 : it->second->load();
}

void CounterFamily::Render(std::string& out) const {
  out += "# HELP " + name_ + " " + help_ + "\n# TYPE " + name_ + " counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [values, cell] : series_) {
    out += name_ + Labels(label_names_, values) + " " + FormatNumber(cell->load()) + "\n";
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> buckets)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      bounds_(std::move(buckets)) {}

void HistogramFamily::Observe(const std::vector<std::string>& label_values, double value) {
  Series* series;
  {
    std::lock_guard lock(mu_);
    auto& slot = series_[label_values];
    if (!slot) slot = std::make_unique<Series>(bounds_.size());
    series = slot.get();
  }
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      series->buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  series->count.fetch_add(1, std::memory_order_relaxed);
  AddDouble(series->sum, value);
}

uint64_t HistogramFamily::Count(const std::vector<std::string>& label_values) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(label_values);
  return it == series_.end() ? 0 : it->second->count.load();
}

void HistogramFamily::Render(std::string& out) const {
  out += "# HELP " + name_ + " " + help_ + "\n# TYPE " + name_ + " histogram\n";
  std::lock_guard lock(mu_);
  for (const auto& [values, series] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += series->buckets[i].load();
      out += name_ + "_bucket" +
             Labels(label_names_, values, "le=\"" + FormatNumber(bounds_[i]) + "\"") + " " +
             std::to_string(cumulative) + "\n";
    }
    const uint64_t count = series->count.load();
    out += name_ + "_bucket" + Labels(label_names_, values, "le=\"+Inf\"") + " " +
           std::to_string(count) + "\n";
    out += name_ + "_sum" + Labels(label_names_, values) + " " + FormatNumber(series->sum.load()) +
           "\n";
    out += name_ + "_count" + Labels(label_names_, values) + " " + std::to_string(count) + "\n";
  }
}

Metrics::Metrics()
    : requests_("edgetrust_http_requests_total", "Device API requests by endpoint and status.",
                {"endpoint", "status"}),
      decisions_("edgetrust_enrollments_total",
                 "Enrollment decisions by action, outcome and reason.",
                 {"action", "outcome", "reason"}),
      latency_("edgetrust_http_request_duration_seconds", "Device API latency by endpoint.",
               {"endpoint"}, {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}) {}

void Metrics::CountRequest(const std::string& endpoint, int status) {
  requests_.Inc({endpoint, std::to_string(status)});
}

void Metrics::ObserveLatency(const std::string& endpoint, double seconds) {
  latency_.Observe({endpoint}, seconds);
}

void Metrics::CountDecision(const std::string& action, const std::string& outcome,
                            const std::string& reason) {
  decisions_.Inc({action, outcome, reason});
}

std::string Metrics::Render() const {
  std::string out;
  requests_.Render(out);
  decisions_.Render(out);
  latency_.Render(out);
  return out;
}

}  // namespace edgetrust::enrollment::service
