#include "attestation/pcr_selection.h"

#include <algorithm>
#include <charconv>

#include "attestation/tpm_public.h"

namespace edgetrust::attestation {
namespace {

std::unexpected<Error> Bad(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "pcr.selection", std::move(message));
}

Result<PcrBank> ParseBank(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return Bad("expected BANK:INDICES, got '" + std::string(text) + "'");
  auto alg = ParseHashAlgorithm(text.substr(0, colon));
  if (!alg) return Bad("unknown PCR bank '" + std::string(text.substr(0, colon)) + "'");
  PcrBank bank{*alg, {}};
  std::string_view rest = text.substr(colon + 1);
  if (rest.empty()) return Bad("no PCR indices for bank " + std::string(text.substr(0, colon)));
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    uint32_t index = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), index);
    if (ec != std::errc() || end != item.data() + item.size() || item.empty() ||
        index >= kPcrCount) {
      return Bad("bad PCR index '" + std::string(item) + "' (0..23)");
    }
    bank.indices.push_back(index);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (comma != std::string_view::npos && rest.empty()) return Bad("trailing comma");
  }
  std::sort(bank.indices.begin(), bank.indices.end());
  if (std::adjacent_find(bank.indices.begin(), bank.indices.end()) != bank.indices.end()) {
    return Bad("PCR index repeated");
  }
  return bank;
}

}  // namespace

Result<PcrSelection> ParsePcrSelection(std::string_view spec) {
  PcrSelection out;
  if (spec.empty()) return Bad("empty PCR selection");
  while (!spec.empty()) {
    size_t plus = spec.find('+');
    auto bank = ParseBank(spec.substr(0, plus));
    if (!bank) return Fail(bank.error());
    for (const PcrBank& b : out) {
      if (b.alg == bank->alg) return Bad("PCR bank selected twice");
    }
    out.push_back(std::move(*bank));
    spec = plus == std::string_view::npos ? std::string_view() : spec.substr(plus + 1);
  }
  return out;
}

std::string FormatPcrSelection(const PcrSelection& selection) {
  std::string out;
  for (const PcrBank& bank : selection) {
    if (!out.empty()) out += '+';
    out += HashAlgorithmName(bank.alg);
    out += ':';
    for (size_t i = 0; i < bank.indices.size(); ++i) {
      if (i > 0) out += ',';
      out += std::to_string(bank.indices[i]);
    }
  }
  return out;
}

Result<TPML_PCR_SELECTION> ToTpml(const PcrSelection& selection) {
  TPML_PCR_SELECTION tpml{};
  if (selection.size() > TPM2_NUM_PCR_BANKS) return Bad("too many PCR banks");
  for (const PcrBank& bank : selection) {
    TPMS_PCR_SELECTION& s = tpml.pcrSelections[tpml.count++];
    s.hash = TpmAlgFromHash(bank.alg);
    s.sizeofSelect = 3;
    for (uint32_t index : bank.indices) {
      if (index >= kPcrCount) return Bad("PCR index out of range");
      s.pcrSelect[index / 8] = static_cast<BYTE>(s.pcrSelect[index / 8] | (1u << (index % 8)));
    }
  }
  return tpml;
}

Result<PcrSelection> FromTpml(const TPML_PCR_SELECTION& tpml) {
  if (tpml.count > TPM2_NUM_PCR_BANKS) return Bad("too many PCR banks");
  PcrSelection out;
  for (UINT32 i = 0; i < tpml.count; ++i) {
    const TPMS_PCR_SELECTION& s = tpml.pcrSelections[i];
    auto alg = HashFromTpmAlg(s.hash);
    if (!alg) return Bad("unsupported PCR bank algorithm");
    if (s.sizeofSelect > sizeof(s.pcrSelect)) return Bad("PCR select bitmap too long");
    PcrBank bank{*alg, {}};
    for (uint32_t byte = 0; byte < s.sizeofSelect; ++byte) {
      for (uint32_t bit = 0; bit < 8; ++bit) {
        if ((s.pcrSelect[byte] & (1u << bit)) == 0) continue;
        uint32_t index = byte * 8 + bit;
        if (index >= kPcrCount) return Bad("PCR index out of range");
        bank.indices.push_back(index);
      }
    }
    for (const PcrBank& b : out) {
      if (b.alg == bank.alg) return Bad("PCR bank selected twice");
    }
    out.push_back(std::move(bank));
  }
  return out;
}

PcrSelection SelectionOf(const PcrValues& values) {
  PcrSelection out;
  for (const PcrValue& v : values) {
    if (out.empty() || out.back().alg != v.alg) out.push_back(PcrBank{v.alg, {}});
    out.back().indices.push_back(v.index);
  }
  return out;
}

bool Covers(const PcrSelection& selection, const PcrSelection& required) {
  for (const PcrBank& need : required) {
    auto bank = std::find_if(selection.begin(), selection.end(),
                             [&](const PcrBank& b) { return b.alg == need.alg; });
    if (bank == selection.end()) return false;
    for (uint32_t index : need.indices) {
      if (!std::binary_search(bank->indices.begin(), bank->indices.end(), index)) return false;
    }
  }
  return true;
}

Result<Bytes> ComputePcrDigest(HashAlgorithm alg, const PcrValues& values) {
  return Digest(alg, ConcatPcrValues(values));
}

Bytes ConcatPcrValues(const PcrValues& values) {
  Bytes all;
  for (const PcrValue& v : values) all.insert(all.end(), v.digest.begin(), v.digest.end());
  return all;
}

}  // namespace edgetrust::attestation
