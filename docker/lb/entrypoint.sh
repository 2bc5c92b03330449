#!/bin/bash
# A load balancer container: nginx, keepalived (VRRP for the VIP) and the Keepwatch agent.
# Exits (and Docker restarts it) when any of the three does.
set -euo pipefail
sed -e "s/@NAME@/$NODE_NAME/" -e "s/@STATE@/$VRRP_STATE/" -e "s/@PRIORITY@/$VRRP_PRIORITY/" \
    -e "s/@SELF@/$SELF_IP/" -e "s/@PEER@/$PEER_IP/" -e "s/@VIP@/$VIP/" \
    /etc/keepalived/keepalived.conf.in > /etc/keepalived/keepalived.conf
keepwatch-agent-config
nginx
keepalived --dont-fork --log-console --pid /run/keepalived.pid &
node /opt/keepwatch/agent/keepwatch-agent.mjs run --config /etc/keepwatch/agent.json &
wait -n
exit 1
