#include "enrollment/client/http_error.h"

#include <gtest/gtest.h>

namespace edgetrust::enrollment::client {
namespace {

TEST(HttpErrorTest, ServerReasonAndStatusCode) {
  Error e = HttpError(403, R"({"error":"quote.nonce_mismatch","message":"evidence rejected"})");
  EXPECT_EQ(e.code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(e.reason, "quote.nonce_mismatch");
  EXPECT_EQ(e.message, "HTTP 403: evidence rejected");

  Error gone = HttpError(410, R"({"error":"challenge.used","message":"challenge used"})");
  EXPECT_EQ(gone.code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(gone.reason, "challenge.used");
}

TEST(HttpErrorTest, BodyWithoutErrorGivesStatusReason) {
  Error e = HttpError(503, "<html>busy</html>");
  EXPECT_EQ(e.code, ErrorCode::kUnavailable);
  EXPECT_EQ(e.reason, "http.503");
  Error empty = HttpError(500, "");
  EXPECT_EQ(empty.code, ErrorCode::kInternal);
  EXPECT_EQ(empty.reason, "http.500");
}

TEST(HttpErrorTest, StatusTable) {
  EXPECT_EQ(ErrorCodeForStatus(400), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ErrorCodeForStatus(413), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ErrorCodeForStatus(403), ErrorCode::kPermissionDenied);
  EXPECT_EQ(ErrorCodeForStatus(404), ErrorCode::kNotFound);
  EXPECT_EQ(ErrorCodeForStatus(409), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ErrorCodeForStatus(410), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ErrorCodeForStatus(503), ErrorCode::kUnavailable);
  EXPECT_EQ(ErrorCodeForStatus(500), ErrorCode::kInternal);
}

}  // namespace
}  // namespace edgetrust::enrollment::client
