#!/bin/sh
# The demos' smoke test (edgetrust-agent runs it in its work directory, docs/agent.md): passes
# once the ticker module has logged two lines while every module of the plan runs.
for _ in $(seq 50); do
  [ -f logs/ticker.log ] && [ "$(wc -l <logs/ticker.log)" -ge 2 ] && break
  sleep 0.1
done
[ -f logs/ticker.log ] && [ "$(wc -l <logs/ticker.log)" -ge 2 ] || exit 1
jq -e '[.modules[].state] | all(. == "running")' "$EDGETRUST_AGENT_STATUS" >/dev/null || exit 1
echo "smoke test of $EDGETRUST_DEPLOYMENT_ID v$EDGETRUST_DEPLOYMENT_VERSION passed:" \
  "ticker said \"$(tail -1 logs/ticker.log)\""
