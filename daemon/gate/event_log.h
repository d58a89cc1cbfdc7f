// EventLog is the gate's measurement log (docs/gate-event-log.md): every digest the gate
// extends into its PCR (sha256 bank), written down before it is extended, so that a verifier
// holding a quote of that PCR can replay the log and learn exactly which manifests and images
// were accepted in this boot of the TPM.
//
// The file is JSON lines, 0600. The first line of each TPM boot is
//   {"seq":0,"type":"boot","pcr":15,"bank":"sha256","initial":"<hex>",
//    "reset_count":n,"restart_count":n}
// (the PCR's value when the gate started this log: zeros unless something else extended
// it; the TPM's boot counts, attestation::TpmBootCounts), followed by one line per measurement:
//   {"seq":n,"type":"manifest"|"image"|"revert","digest":"<hex>","deployment_id":"...",
//    "version":n[,"module":"...","image":"..."]}
// Replay: v = initial; for each measurement v = SHA-256(v || digest). "revert" re-measures
// the manifest the gate returned to after a failed deployment, so the last manifest or revert
// line names the deployment in force.
//
// Crash safety: Measure appends and fsyncs the line, then extends. Reconcile, run whenever the
// TPM is (re)opened, makes the two agree: other boot counts than the log's: a new TPM boot,
// start a new log from the PCR's current value and tell the caller to measure the deployments
// in force again; same boot and log == PCR: nothing to do; the PCR lacks exactly the last line
// (a crash between append and extend): extend it now; anything else (a foreign extend, a
// torn log): start a new log as for a new boot. A torn last line (crash mid-append, never
// extended) is dropped when the log is read; a log that does not parse or has grown past
// 16 MiB is kept aside as "<path>.corrupt" and replaced at Reconcile.
//
// Not thread-safe; the gate serializes calls.
#ifndef EDGETRUST_DAEMON_GATE_EVENT_LOG_H_
#define EDGETRUST_DAEMON_GATE_EVENT_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "attestation/capabilities.h"
#include "attestation/tpm.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::daemon::gate {

struct GateEvent {
  std::string type;  // "manifest", "image" or "revert" ("boot" only as the first line)
  Bytes digest;      // 32 bytes: the manifest's payload SHA-256 or the image's
  std::string deployment_id;
  uint64_t version = 0;
  std::string module;  // image events
  std::string image;   // image events: the signed reference
};

class EventLog {
 public:
  // Open reads the log at `path` if it exists (errors: "gate.event_log_io"); a log that does
  // not parse is kept aside as "<path>.corrupt" and the gate starts a new one at Reconcile.
  static Result<EventLog> Open(std::string path, uint32_t pcr);

  // Reconcile: see the file comment. Returns true when a new log was started (the caller
  // must measure what is in force again). TPM errors pass through ("tpm.*").
  Result<bool> Reconcile(attestation::Tpm& tpm);

  // Measure appends `event` durably, then extends the PCR with event.digest.
  Status Measure(attestation::Tpm& tpm, const GateEvent& event);

  const Bytes& initial() const { return initial_; }
  // LastNamed is the last "manifest" or "revert" event (the deployment the log says is in
  // force), or nullptr.
  const GateEvent* LastNamed() const;
  // ImagesAfterLastNamed: the image digests measured after LastNamed(), in order.
  std::vector<Bytes> ImagesAfterLastNamed() const;
  const std::vector<GateEvent>& events() const { return events_; }
  const std::string& path() const { return path_; }

  // Replay folds `events` into `initial` as the TPM does: SHA-256(value || digest).
  static Bytes Replay(const Bytes& initial, const std::vector<GateEvent>& events);

 private:
  EventLog(std::string path, uint32_t pcr) : path_(std::move(path)), pcr_(pcr) {}
  Status StartNew(const Bytes& initial, const attestation::TpmBootCounts& boot);
  Result<Bytes> ReadPcr(attestation::Tpm& tpm) const;

  std::string path_;
  uint32_t pcr_;
  bool started_ = false;  // a boot line was read or written
  Bytes initial_;
  attestation::TpmBootCounts boot_;
  std::vector<GateEvent> events_;
};

}  // namespace edgetrust::daemon::gate

#endif  // EDGETRUST_DAEMON_GATE_EVENT_LOG_H_
