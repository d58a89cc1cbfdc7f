// A small Prometheus registry (text exposition format 0.0.4) and the service's metrics.
//
// CounterFamily and HistogramFamily hold one series per label-value tuple; each family has
// its own mutex, held only to find a series, and series values are atomics, so recording is
// cheap and Render() never blocks recorders for long. Label values are escaped on output;
// callers keep their cardinality bounded (endpoints, HTTP statuses, stable reason codes).
// Families live as long as the registry. Thread-safe.
#ifndef EDGETRUST_ENROLLMENT_SERVICE_METRICS_H_
#define EDGETRUST_ENROLLMENT_SERVICE_METRICS_H_

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace edgetrust::enrollment::service {

class CounterFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  // Inc adds `delta` to the series `label_values` (one value per label name).
  void Inc(const std::vector<std::string>& label_values, double delta = 1);
  double Value(const std::vector<std::string>& label_values) const;
  void Render(std::string& out) const;

 private:
  const std::string name_, help_;
  const std::vector<std::string> label_names_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<std::atomic<double>>> series_;
};

class HistogramFamily {
 public:
  // `buckets` are the upper bounds, ascending; +Inf is implicit.
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> buckets);
  void Observe(const std::vector<std::string>& label_values, double value);
  uint64_t Count(const std::vector<std::string>& label_values) const;
  void Render(std::string& out) const;

 private:
  struct Series {
    explicit Series(size_t n) : buckets(n) {}
    std::vector<std::atomic<uint64_t>> buckets;  // non-cumulative; +Inf is `count`
    std::atomic<uint64_t> count{0};
    std::atomic<double> sum{0};
  };
  const std::string name_, help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;
};

// Metrics is what the enrollment service and its transport record. The transport counts
// requests and latency per endpoint; the service counts enrollment decisions.
class Metrics {
 public:
  Metrics();

  // edgetrust_http_requests_total{endpoint,status}
  void CountRequest(const std::string& endpoint, int status);
  // edgetrust_http_request_duration_seconds{endpoint}, buckets 5 ms .. 10 s
  void ObserveLatency(const std::string& endpoint, double seconds);
  // edgetrust_enrollments_total{action,outcome,reason}; action: challenge, complete, renew
  void CountDecision(const std::string& action, const std::string& outcome,
                     const std::string& reason);

  CounterFamily& requests() { return requests_; }
  CounterFamily& decisions() { return decisions_; }
  HistogramFamily& latency() { return latency_; }

  // Render is the whole registry in text format 0.0.4.
  std::string Render() const;

 private:
  CounterFamily requests_;
  CounterFamily decisions_;
  HistogramFamily latency_;
};

}  // namespace edgetrust::enrollment::service

#endif  // EDGETRUST_ENROLLMENT_SERVICE_METRICS_H_
