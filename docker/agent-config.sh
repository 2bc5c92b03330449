#!/bin/sh
# Writes /etc/keepwatch/agent.json from the container's environment (KEEPWATCH_SERVER,
# KEEPWATCH_AGENT_TOKEN, NODE_NAME, NODE_ROLE, CLUSTER_ID) for a monitor-only agent.
set -eu
mkdir -p /etc/keepwatch /var/lib/keepwatch-agent
umask 077
if [ "$NODE_ROLE" = lb ]; then
  PARTS='"keepalived": {"binary": "keepalived", "pidFile": "/run/keepalived.pid", "dumpDir": "/tmp",
    "fifo": "/run/keepalived.fifo", "configFile": "/etc/keepalived/keepalived.conf", "reconcileIntervalMs": 5000},
  "nginx": {"binary": "nginx", "configFile": "/etc/nginx/nginx.conf", "pidFile": "/run/nginx.pid",
    "probe": {"url": "http://127.0.0.1:8081/stub_status", "intervalMs": 1000, "timeoutMs": 400}},'
else
  PARTS='"tomcat": {"probe": {"url": "http://127.0.0.1:8080/health.html", "intervalMs": 1000, "timeoutMs": 400}},'
fi
cat > /etc/keepwatch/agent.json <<JSON
{
  "agentId": "compose-$NODE_NAME",
  "node": {"name": "$NODE_NAME", "role": "$NODE_ROLE", "cluster": {"id": "$CLUSTER_ID", "name": "$CLUSTER_ID"}},
  "server": {"url": "$KEEPWATCH_SERVER", "token": "$KEEPWATCH_AGENT_TOKEN", "allowInsecure": true},
  "stateDir": "/var/lib/keepwatch-agent",
  $PARTS
  "control": []
}
JSON
