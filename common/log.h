// Minimal leveled logging to standard error, one line per record.
//
// Log lines carry key ids, fingerprints and decoded error codes only: never key material,
// secrets or auth values (there is no overload for SecretBytes on purpose). Thread-safe.
#ifndef EDGETRUST_COMMON_LOG_H_
#define EDGETRUST_COMMON_LOG_H_

#include <string_view>

namespace edgetrust {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// SetLogLevel drops records below `level` (default kInfo).
void SetLogLevel(LogLevel level);

// Log writes "<time> <level> <message>" when `level` is enabled.
void Log(LogLevel level, std::string_view message);

inline void LogDebug(std::string_view m) { Log(LogLevel::kDebug, m); }
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_LOG_H_
