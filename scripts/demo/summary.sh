# summary.sh: the end of demo.sh (sourced once the agents and daemons have stopped): checks
# each device's certificate chain, its attestation in the service's audit log and its gate's PCR
# event log against the TPM, then prints the summary and writes summary.txt and summary.json.
# Uses demo.sh's variables (names, ids, serials, ek_sources, bundles, tctis, svc, work, logs).
# shellcheck shell=bash disable=SC2154

# shellcheck source-path=SCRIPTDIR source=pcr.sh
source "$root/scripts/demo/pcr.sh"
devices_json="[]"
{
  echo "== summary: two devices from the factory floor to running modules"
  for i in 0 1; do
    id=${ids[$i]}
    status="$work/status-$i.json"
    verified=false
    openssl verify -CAfile "$svc/ca.pem" "$work/chain-$i.pem" >/dev/null 2>&1 && verified=true
    # The service's verdicts on this device, from its audit log (one JSON line per decision).
    attestation=$(jq -c --arg id "$id" -s 'map(select(.subject == $id)
      | {action, outcome, reason})' "$svc/audit.jsonl")
    events="${bundles[$i]}/state/gate/events.log"
    pcr=$(event_log_pcr "$events")
    replayed=$(replay_event_log "$events")
    in_tpm=$(read_pcr "${tctis[$i]}" "$pcr")
    floor=$(read_floor "${tctis[$i]}")
    match=false
    [ -n "$in_tpm" ] && [ "$replayed" = "$in_tpm" ] && match=true
    agent_status="$work/agent-$i.json"
    all_pids+=" $(jq -r '[.modules[].pid] | join(" ")' "$agent_status")"
    echo
    echo "device ${names[$i]}  serial ${serials[$i]}  registration id $id"
    case ${ek_sources[$i]} in
      issued) ek_text="issued at the station by the factory EK CA (HSM), written to the TPM's NV" ;;
      present) ek_text="from the TPM's manufacturer, in the TPM's NV" ;;
      *) ek_text=${ek_sources[$i]} ;;
    esac
    echo "  EK certificate  $ek_text"
    echo "  certificate     $(jq -r .certificate.subject "$status"), serial" \
      "$(jq -r .certificate.serial "$status" | cut -c1-16)..., expires" \
      "$(jq -r .certificate.not_after "$status"), openssl verify: $($verified && echo OK || echo FAILED)"
    echo "  attestation     the service's audit log: $(jq -r 'map("\(.action) \(.outcome)") |
      join(", ")' <<<"$attestation") (EK, credential activation, quote, TPM-resident key)"
    echo "  PCR event log   $(jq -s length "$events") entries, PCR $pcr replayed ${replayed:0:16}..." \
      "TPM ${in_tpm:0:16}...: $($match && echo MATCH || echo MISMATCH); rollback floor $floor"
    jq -r '.[] | select(.type != "boot") |
      "                    \(.seq) \(.type) \(.deployment_id // "") v\(.version // "-")" +
      " \(.module // "manifest") \(.digest[0:16])..."' -s "$events"
    echo "  modules         $(jq -r '.modules | map("\(.name) \(.state) (pid \(.pid))") |
      join(", ")' "$agent_status"); ticker said \"$(tail -1 "${bundles[$i]}/agent/logs/ticker.log")\""
    devices_json=$(jq -c --arg name "${names[$i]}" --arg id "$id" --arg serial "${serials[$i]}" \
      --arg ek "${ek_sources[$i]}" --argjson verified "$verified" \
      --argjson attestation "$attestation" --argjson pcr "$pcr" --arg replayed "$replayed" \
      --arg tpm "$in_tpm" --argjson match "$match" --argjson floor "$floor" \
      --argjson entries "$(jq -s length "$events")" \
      --slurpfile status "$status" --slurpfile agent "$agent_status" \
      '. + [{name: $name, registration_id: $id, serial: $serial, ek_certificate: $ek,
             state: $status[0].state, certificate: ($status[0].certificate + {verified: $verified}),
             attestation: $attestation,
             deployment: {id: $agent[0].deployment_id, version: $agent[0].version,
                          state: $agent[0].state, health: $agent[0].health},
             modules: [$agent[0].modules[] | {name, state, pid}],
             event_log: {entries: $entries, pcr: $pcr, replayed: $replayed, tpm: $tpm,
                         match: $match},
             rollback_floor: $floor}]' <<<"$devices_json")
  done
  echo
  echo "logs: $logs (service, station records, and per device: daemon, gate event log, agent," \
    "modules)"
  echo "the demo took $(elapsed) after the build"
} >"$work/summary.txt"  # not a pipeline: devices_json must outlive the block
cat "$work/summary.txt"
jq -n --argjson devices "$devices_json" --arg logs "$logs" \
  '{devices: $devices, logs: $logs}' >"$work/summary.json"
