#!/bin/bash
# usage: failback-reload.sh DELAY_S RELOAD_HOST(lb1|lb2) TAG [ka|nginx]
# Reload right after a fail-back (config README "reload after a fail-back"). Needs root and the
# lab: pnpm lab --prefix kwcf --subnet 10.96.0 --base-dir /tmp/kwcf-lab up (run under the lab lock).
# Fail over by SIGTERM to lb1 keepalived, start it again (preempting fail-back), SIGHUP keepalived on
# RELOAD_HOST DELAY s after the kernel shows lb1 holding the VIP again, sample the holder for ~8 s.
# Output in /tmp/kwcf-exp/TAG (events, samples, keepalived logs of the trial).
D=$1; RH=$2; TAG=$3; MODE=${4:-ka}
B=/tmp/kwcf-lab; L=/tmp/kwcf-exp/$TAG; mkdir -p $L
cd "$(dirname "$0")/../../../../../.." # the repo root
holder() { for h in lb1 lb2; do ip netns exec kwcf-$h ip -4 -o addr show dev eth0 | grep -q '10.96.0.50/' && printf "%s " $h; done; echo; }
now() { date +%s.%N; }
MP=""; for h in lb1 lb2; do ip netns exec kwcf-$h ip -ts -o monitor address > $L/mon-$h.txt 2>&1 & MP="$MP $!"; done
for h in lb1 lb2; do wc -l < $B/$h/keepalived.log > $L/logstart-$h; done
echo "start $(now) holder=$(holder)" > $L/events
if [ $MODE = ka ]; then
  kill -TERM $(cat $B/lb1/keepalived.pid)
else
  ip netns exec kwcf-lb1 kill -TERM $(cat $B/lb1/nginx.pid)
fi
echo "failover-cmd $(now)" >> $L/events
for i in $(seq 1 100); do [ "$(holder)" = "lb2 " ] && break; sleep 0.1; done
echo "lb2-holds $(now) holder=$(holder)" >> $L/events
sleep 1
if [ $MODE = ka ]; then
  pnpm -s lab --prefix kwcf --base-dir $B service lb1 keepalived start >/dev/null 2>&1
else
  pnpm -s lab --prefix kwcf --base-dir $B service lb1 nginx start >/dev/null 2>&1
fi
echo "restart-done $(now)" >> $L/events
for i in $(seq 1 200); do [ "$(holder)" = "lb1 " ] && break; sleep 0.05; done
echo "failback $(now) holder=$(holder)" >> $L/events
sleep $D
kill -HUP $(cat $B/$RH/keepalived.pid)
echo "sighup-$RH $(now)" >> $L/events
for i in $(seq 1 80); do echo "s $(now) $(holder)" >> $L/samples; sleep 0.1; done
kill $MP 2>/dev/null
for h in lb1 lb2; do tail -n +$(( $(cat $L/logstart-$h) + 1 )) $B/$h/keepalived.log > $L/ka-$h.log; done
off=$(grep -v ' lb1 $' $L/samples | wc -l)
echo "$TAG D=$D reload=$RH mode=$MODE samples_not_lb1=$off first_off=$(grep -v ' lb1 $' $L/samples | head -1)"
