#include "tools/factory/device_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgetrust::factory {
namespace {

// ParamName names a parameterized case by its `name` field.
template <typename T>
std::string ParamName(const ::testing::TestParamInfo<T>& info) {
  return info.param.name;
}

struct Expected {
  int line;
  std::string tcti;
  std::vector<std::string> tags;
  std::string serial;
};

struct GoodCase {
  const char* name;
  std::string text;
  std::vector<Expected> devices;
};

class ParseDeviceListGoodTest : public ::testing::TestWithParam<GoodCase> {};

TEST_P(ParseDeviceListGoodTest, ParsesEveryDevice) {
  const GoodCase& c = GetParam();
  auto devices = ParseDeviceList(c.text, "batch.csv");
  ASSERT_TRUE(devices.has_value()) << devices.error().ToString();
  ASSERT_EQ(devices->size(), c.devices.size());
  for (size_t i = 0; i < c.devices.size(); ++i) {
    SCOPED_TRACE("device " + std::to_string(i));
    EXPECT_EQ((*devices)[i].line, c.devices[i].line);
    EXPECT_EQ((*devices)[i].tcti, c.devices[i].tcti);
    EXPECT_EQ((*devices)[i].tags, c.devices[i].tags);
    EXPECT_EQ((*devices)[i].serial, c.devices[i].serial);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseDeviceListGoodTest,
    ::testing::Values(
        GoodCase{"BareTcti", "device:/dev/tpmrm0\n", {{1, "device:/dev/tpmrm0", {}, ""}}},
        GoodCase{"NoTrailingNewline", "device:/dev/tpmrm0", {{1, "device:/dev/tpmrm0", {}, ""}}},
        GoodCase{"QuotedTctiWithCommas",
                 "\"swtpm:host=127.0.0.1,port=2321\",line7,SN-1\n",
                 {{1, "swtpm:host=127.0.0.1,port=2321", {"line7"}, "SN-1"}}},
        GoodCase{"DoubledQuoteEscapes",
                 "\"cmd:say \"\"hi\"\"\",,\"a \"\"b\"\"\"\n",
                 {{1, "cmd:say \"hi\"", {}, "a \"b\""}}},
        GoodCase{"EmptyQuotedFields",
                 "device:/dev/tpmrm0,\"\",\"\"\n",
                 {{1, "device:/dev/tpmrm0", {}, ""}}},
        GoodCase{"HeaderFirstLineIsSkipped",
                 "tcti,tags,serial\ndevice:/dev/tpmrm0,,SN-1\n",
                 {{2, "device:/dev/tpmrm0", {}, "SN-1"}}},
        GoodCase{"HeaderPrefixIsSkipped",
                 "tcti,tags\ndevice:/dev/tpmrm0,a\n",
                 {{2, "device:/dev/tpmrm0", {"a"}, ""}}},
        GoodCase{"HeaderTctiOnlyIsSkipped",
                 "tcti\ndevice:/dev/tpmrm0\n",
                 {{2, "device:/dev/tpmrm0", {}, ""}}},
        GoodCase{"HeaderAfterCommentsIsStillFirst",
                 "# line 7\n\ntcti,tags,serial\ndevice:/dev/tpmrm0\n",
                 {{4, "device:/dev/tpmrm0", {}, ""}}},
        // Only the first content line can be a header; later it is a device named "tcti".
        GoodCase{"HeaderOnlyFirst",
                 "device:/dev/tpmrm0\ntcti,tags,serial\n",
                 {{1, "device:/dev/tpmrm0", {}, ""}, {2, "tcti", {"tags"}, "serial"}}},
        GoodCase{"CommentsAndBlankLines",
                 "# comment\n\n   \n\t\ndevice:/dev/tpmrm0\n# tail, with \"quotes\n\n",
                 {{5, "device:/dev/tpmrm0", {}, ""}}},
        GoodCase{"Crlf",
                 "tcti,tags,serial\r\n\"swtpm:host=h,port=1\",a;b,SN-1\r\n\r\n"
                 "device:/dev/tpmrm1,,SN-2\r\n",
                 {{2, "swtpm:host=h,port=1", {"a", "b"}, "SN-1"},
                  {4, "device:/dev/tpmrm1", {}, "SN-2"}}},
        GoodCase{"TagsSplitAndTrimmed",
                 "device:/dev/tpmrm0, eu ; line-7;;rack_2.b ,SN 42\n",
                 {{1, "device:/dev/tpmrm0", {"eu", "line-7", "rack_2.b"}, "SN 42"}}},
        GoodCase{"QuotedTags",
                 "device:/dev/tpmrm0,\"a; b\"\n",
                 {{1, "device:/dev/tpmrm0", {"a", "b"}, ""}}},
        GoodCase{"SerialPrintableAscii",
                 "device:/dev/tpmrm0,,\"MES #7, lot (x)~\"\n",
                 {{1, "device:/dev/tpmrm0", {}, "MES #7, lot (x)~"}}},
        GoodCase{"SerialOf128Bytes",
                 "device:/dev/tpmrm0,," + std::string(128, 'S') + "\n",
                 {{1, "device:/dev/tpmrm0", {}, std::string(128, 'S')}}},
        GoodCase{"TagOf64Bytes",
                 "device:/dev/tpmrm0," + std::string(64, 't') + "\n",
                 {{1, "device:/dev/tpmrm0", {std::string(64, 't')}, ""}}},
        GoodCase{"SeveralDevicesKeepLineNumbers",
                 "\"swtpm:host=127.0.0.1,port=2321\"\n# two\n"
                 "\"swtpm:host=127.0.0.1,port=2331\",x\n",
                 {{1, "swtpm:host=127.0.0.1,port=2321", {}, ""},
                  {3, "swtpm:host=127.0.0.1,port=2331", {"x"}, ""}}}),
    ParamName<GoodCase>);

struct BadCase {
  const char* name;
  std::string text;
  int line;
  const char* what;  // a piece of the message after "batch.csv:<line>: "
};

class ParseDeviceListBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParseDeviceListBadTest, RefusesWithFileAndLine) {
  const BadCase& c = GetParam();
  auto devices = ParseDeviceList(c.text, "batch.csv");
  ASSERT_FALSE(devices.has_value());
  EXPECT_EQ(devices.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(devices.error().reason, "batch.invalid");
  const std::string prefix = "batch.csv:" + std::to_string(c.line) + ": ";
  EXPECT_TRUE(devices.error().message.starts_with(prefix)) << devices.error().message;
  EXPECT_NE(devices.error().message.find(c.what), std::string::npos) << devices.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseDeviceListBadTest,
    ::testing::Values(
        BadCase{"UnterminatedQuote", "device:/dev/tpmrm0\n\"swtpm:host=h,port=1\n", 2,
                "unterminated quote"},
        BadCase{"TextAfterClosingQuote", "\"swtpm:host=h\"x,a\n", 1, "after a closing quote"},
        BadCase{"SpaceAfterClosingQuote", "\"swtpm:host=h\" ,a\n", 1, "after a closing quote"},
        BadCase{"QuoteInsideBareField", "dev\"ice:/dev/tpmrm0\n", 1, "quote inside a bare field"},
        BadCase{"QuoteInsideBareSerial", "device:/dev/tpmrm0,,SN\"1\n", 1,
                "quote inside a bare field"},
        BadCase{"FourColumns", "# c\ndevice:/dev/tpmrm0,a,SN-1,extra\n", 2, "more than 3 columns"},
        BadCase{"EmptyTcti", ",a,SN-1\n", 1, "tcti column is empty"},
        BadCase{"EmptyQuotedTcti", "\"\",a\n", 1, "tcti column is empty"},
        BadCase{"BadTag", "device:/dev/tpmrm0,good;b@d\n", 1, "\"b@d\" is not a tag"},
        BadCase{"TagWithInnerSpace", "device:/dev/tpmrm0,two words\n", 1,
                "\"two words\" is not a tag"},
        BadCase{"TagOf65Bytes", "device:/dev/tpmrm0," + std::string(65, 't') + "\n", 1,
                "is not a tag"},
        BadCase{"TabInSerial", "device:/dev/tpmrm0,,SN\t1\n", 1, "serial"},
        BadCase{"EscapeInSerial", "device:/dev/tpmrm0,,SN\x1b[31m\n", 1, "serial"},
        BadCase{"DelInSerial", "device:/dev/tpmrm0,,SN\x7f\n", 1, "serial"},
        BadCase{"NonAsciiSerial", "device:/dev/tpmrm0,,S\xc3\xa9rie\n", 1, "serial"},
        BadCase{"SerialOf129Bytes", "device:/dev/tpmrm0,," + std::string(129, 'S') + "\n", 1,
                "serial"},
        BadCase{"ControlCharInTcti", "device:/dev/tpm\x01rm0\n", 1, "tcti"},
        BadCase{"DuplicateTcti",
                "\"swtpm:host=h,port=1\"\ndevice:/dev/tpmrm0\n\"swtpm:host=h,port=1\",other\n", 3,
                "listed twice"},
        BadCase{"Empty", "", 0, "no device lines"},
        BadCase{"OnlyHeaderAndComments", "tcti,tags,serial\n# none yet\n\n", 3, "no device lines"},
        BadCase{"BareFieldOver1024", "device:/dev/tpmrm0,," + std::string(1025, 'x') + "\n", 1,
                "longer than 1024 bytes"},
        BadCase{"BareTagsOver1024", "device:/dev/tpmrm0," + std::string(1025, 'x') + "\n", 1,
                "longer than 1024 bytes"},
        BadCase{"QuotedFieldOver1024", "device:/dev/tpmrm0,\"" + std::string(1025, 'x') + "\"\n", 1,
                "longer than 1024 bytes"},
        BadCase{"QuotedFieldOver1024ByEscapes",
                "device:/dev/tpmrm0,,\"" + std::string(2 * 1025, '"') + "\"\n", 1,
                "longer than 1024 bytes"}),
    ParamName<BadCase>);

TEST(ParseDeviceListTest, SourceNamesTheFileInMessages) {
  auto devices = ParseDeviceList("a\na\n", "/srv/line7/batch-0042.csv");
  ASSERT_FALSE(devices.has_value());
  EXPECT_TRUE(devices.error().message.starts_with("/srv/line7/batch-0042.csv:2: "))
      << devices.error().message;
}

TEST(ParseDeviceListTest, AFieldOfExactly1024BytesIsAccepted) {
  // The tags column is split into tags of at most 64 bytes, so it can carry a full field.
  std::string tags;
  while (tags.size() + 9 <= 1024) tags += "abcdefgh;";
  tags.resize(1024, 'z');
  auto devices = ParseDeviceList("device:/dev/tpmrm0,\"" + tags + "\"\n", "batch.csv");
  ASSERT_TRUE(devices.has_value()) << devices.error().ToString();
  EXPECT_FALSE(devices->front().tags.empty());
}

}  // namespace
}  // namespace edgetrust::factory
