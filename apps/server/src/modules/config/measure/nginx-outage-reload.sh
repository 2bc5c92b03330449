#!/bin/bash
# usage: nginx-outage-reload.sh RESTORE_S DELAY_S RELOAD_HOST(lb1|lb2|none) TAG
# A drill-like nginx outage on the MASTER, restored after RESTORE s (the drills' dead-man switch is
# 4 s), then SIGHUP keepalived on lb1 DELAY s later (or none: the control run); samples the kernel VIP
# holder for RESTORE+13 s. Same lab as failback-reload.sh. Output in /tmp/kwcf-exp/TAG.
R=$1; D=$2; RH=$3; TAG=$4
B=/tmp/kwcf-lab; L=/tmp/kwcf-exp/$TAG; rm -rf $L; mkdir -p $L
cd "$(dirname "$0")/../../../../../.." # the repo root
holder() { for h in lb1 lb2; do ip netns exec kwcf-$h ip -4 -o addr show dev eth0 | grep -q '10.96.0.50/' && printf "%s " $h; done; echo; }
now() { date +%s.%N; }
for i in $(seq 1 100); do [ "$(holder)" = "lb1 " ] && break; sleep 0.2; done
sleep 6
for h in lb1 lb2; do wc -l < $B/$h/keepalived.log > $L/logstart-$h; done
T0=$(now); echo "start $T0 holder=$(holder)" > $L/events
ip netns exec kwcf-lb1 kill -TERM $(cat $B/lb1/nginx.pid)
( for i in $(seq 1 $(( (R+13)*10 ))); do echo "s $(now) $(holder)" >> $L/samples; sleep 0.1; done ) & SP=$!
sleep $R
ip netns exec kwcf-lb1 nginx -e $B/lb1/nginx_error.log -c $B/lb1/nginx.conf
echo "nginx-started $(now) holder=$(holder)" >> $L/events
sleep $D
if [ $RH != none ]; then kill -HUP $(cat $B/$RH/keepalived.pid); echo "sighup-$RH $(now) holder=$(holder)" >> $L/events; fi
wait $SP
for h in lb1 lb2; do tail -n +$(( $(cat $L/logstart-$h) + 1 )) $B/$h/keepalived.log > $L/ka-$h.log; done
first_off=$(awk -v t=$T0 '$3!="lb1"{printf "%.2f %s %s", $2-t, $3, $4; exit}' $L/samples)
last_off=$(awk -v t=$T0 '$3!="lb1"{x=sprintf("%.2f", $2-t)} END{print x}' $L/samples)
echo "$TAG R=$R D=$D reload=$RH first_off=[$first_off] last_off=$last_off final=$(holder)"
