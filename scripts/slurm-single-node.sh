#!/usr/bin/env bash
# Stand up (or stop) a one-node SLURM cluster on this machine, as root, without systemd.
#
#   scripts/slurm-single-node.sh start    install slurm-wlm and munge if missing, write slurm.conf, start the daemons
#   scripts/slurm-single-node.sh stop     stop the daemons this script started (by the PIDs in their pid files)
#   scripts/slurm-single-node.sh status   say whether a controller answers
#
# What it does, so it can be followed by hand on a Debian 12 container (slurm-wlm 22.05):
# munged runs as the munge user; slurm.conf is written from `slurmd -C` (this machine's CPUs and memory) with
# one partition `debug` holding the node; slurmctld and slurmd are started directly (no systemd, and apt's
# policy-rc.d keeps the packages from starting them). Accounting (slurmdbd, sacct) is left out: the sweeps
# work without it (they watch squeue). `start` is idempotent: if a controller already answers it does nothing.
# KillWait is 5 s (default 30 s) so a cancelled or timed-out job is gone soon: this cluster exists for tests.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
RUN=/run/slurm

die() { echo "slurm-single-node: $*" >&2; exit 1; }

controller_answers() { command -v scontrol >/dev/null 2>&1 && timeout 10 scontrol ping 2>/dev/null | grep -q "is UP"; }

install_packages() {
  command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 && return
  [ "$(id -u)" = 0 ] || die "installing slurm-wlm and munge needs root (or install them first: apt-get install slurm-wlm munge)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
}

write_conf() {
  local host node mem
  host=$(hostname -s)
  # `slurmd -C` prints this machine's NodeName line; keep a tenth of the memory for the system.
  node=$(slurmd -C | head -1)
  mem=$(echo "$node" | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  node=$(echo "$node" | sed "s/RealMemory=[0-9]*/RealMemory=$((mem * 9 / 10))/")
  mkdir -p /etc/slurm
  cat >"$CONF" <<EOF
# Written by scripts/slurm-single-node.sh: one node, one partition, no accounting.
ClusterName=ci
SlurmctldHost=$host
SlurmUser=slurm
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
KillWait=5
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
MaxArraySize=10001
$node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  if controller_answers; then
    echo "slurm-single-node: a controller already answers"; sinfo; return
  fi
  [ "$(id -u)" = 0 ] || die "start needs root"
  install_packages
  mkdir -p /run/munge "$RUN" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  chown munge: /run/munge
  chown slurm: "$RUN" /var/spool/slurmctld /var/log/slurm
  [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
                                   chown munge: /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  [ -S /run/munge/munge.socket.2 ] && munge -n >/dev/null 2>&1 || su -s /bin/sh munge -c munged
  write_conf
  slurmctld
  slurmd
  # The node registers within a few seconds; wait for it to accept work (bounded: 60 s).
  for _ in $(seq 60); do
    if controller_answers && sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      sinfo; return
    fi
    sleep 1
  done
  die "the controller or the node did not come up in 60 s; see /var/log/slurm/*.log"
}

stop() {
  local f
  for f in "$RUN/slurmd.pid" "$RUN/slurmctld.pid" /run/munge/munged.pid; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  echo "slurm-single-node: stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) if controller_answers; then sinfo; else echo "no SLURM controller answers"; exit 1; fi ;;
  *) die "usage: $0 start|stop|status" ;;
esac
