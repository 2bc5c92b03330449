#!/bin/bash
# A backend container: Tomcat 10 (as the tomcat user) and the Keepwatch agent.
set -euo pipefail
keepwatch-agent-config
export CATALINA_HOME=/usr/share/tomcat10 CATALINA_BASE=/var/lib/tomcat10
mkdir -p /var/lib/tomcat10/logs /var/lib/tomcat10/temp /var/lib/tomcat10/work
chown -R tomcat:tomcat /var/lib/tomcat10/logs /var/lib/tomcat10/temp /var/lib/tomcat10/work
su -s /bin/sh tomcat -c "$CATALINA_HOME/bin/catalina.sh run" &
node /opt/keepwatch/agent/keepwatch-agent.mjs run --config /etc/keepwatch/agent.json &
wait -n
exit 1
