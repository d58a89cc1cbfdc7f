// Prometheus text format 0.0.4 of the service metrics.
#include "enrollment/service/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace edgetrust::enrollment::service {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(MetricsTest, RendersCountersAndHistograms) {
  Metrics m;
  m.CountRequest("complete", 200);
  m.CountRequest("complete", 200);
  m.CountRequest("challenge", 403);
  m.CountDecision("complete", "rejected", "quote.nonce_mismatch");
  m.ObserveLatency("complete", 0.02);
  m.ObserveLatency("complete", 3);
  const std::string text = m.Render();
  EXPECT_TRUE(Contains(text, "# TYPE edgetrust_http_requests_total counter\n"));
  EXPECT_TRUE(
      Contains(text, "edgetrust_http_requests_total{endpoint=\"complete\",status=\"200\"} 2\n"));
  EXPECT_TRUE(
      Contains(text, "edgetrust_http_requests_total{endpoint=\"challenge\",status=\"403\"} 1\n"));
  EXPECT_TRUE(Contains(text,
                       "edgetrust_enrollments_total{action=\"complete\",outcome=\"rejected\","
                       "reason=\"quote.nonce_mismatch\"} 1\n"));
  EXPECT_TRUE(Contains(text, "# TYPE edgetrust_http_request_duration_seconds histogram\n"));
  EXPECT_TRUE(Contains(text,
                       "edgetrust_http_request_duration_seconds_bucket{endpoint=\"complete\","
                       "le=\"0.01\"} 0\n"));
  EXPECT_TRUE(Contains(text,
                       "edgetrust_http_request_duration_seconds_bucket{endpoint=\"complete\","
                       "le=\"0.025\"} 1\n"));
  EXPECT_TRUE(Contains(text,
                       "edgetrust_http_request_duration_seconds_bucket{endpoint=\"complete\","
                       "le=\"5\"} 2\n"));
  EXPECT_TRUE(Contains(text,
                       "edgetrust_http_request_duration_seconds_bucket{endpoint=\"complete\","
                       "le=\"+Inf\"} 2\n"));
  EXPECT_TRUE(
      Contains(text, "edgetrust_http_request_duration_seconds_count{endpoint=\"complete\"} 2\n"));
  EXPECT_TRUE(
      Contains(text, "edgetrust_http_request_duration_seconds_sum{endpoint=\"complete\"} 3.02"));
}

TEST(MetricsTest, EscapesLabelValues) {
  CounterFamily f("x_total", "help", {"l"});
  f.Inc({"a\"b\\c\nd"});
  std::string out;
  f.Render(out);
  EXPECT_TRUE(Contains(out, "x_total{l=\"a\\\"b\\\\c\\nd\"} 1\n")) << out;
}

TEST(MetricsTest, CountsFromManyThreads) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) {
        m.CountRequest("renew", 200);
        m.ObserveLatency("renew", 0.001);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.requests().Value({"renew", "200"}), 4000);
  EXPECT_EQ(m.latency().Count({"renew"}), 4000u);
}

}  // namespace
}  // namespace edgetrust::enrollment::service
