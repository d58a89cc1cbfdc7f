// RunBatch provisions a list of devices with `jobs` workers (each worker owns one device's TPM
// at a time; a device never blocks the others), keeps going when a device fails, and calls
// `on_done` once per device as it finishes, serialized (progress, records file). Records come
// back in the order of `devices`.
#ifndef EDGETRUST_TOOLS_FACTORY_BATCH_H_
#define EDGETRUST_TOOLS_FACTORY_BATCH_H_

#include <functional>
#include <vector>

#include "tools/factory/device_list.h"
#include "tools/factory/record.h"
#include "tools/factory/station.h"

namespace edgetrust::factory {

using DoneCallback = std::function<void(const DeviceRecord& record)>;

std::vector<DeviceRecord> RunBatch(const Station& station, const std::vector<DeviceLine>& devices,
                                   int jobs, const DoneCallback& on_done);

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_BATCH_H_
