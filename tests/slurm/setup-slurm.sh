#!/usr/bin/env bash
# A one-node Slurm cluster on this machine (Debian/Ubuntu, run as root), for the tests
# marked `slurm` (python -m pytest -m slurm).  Installs slurm-wlm and munge, writes a
# minimal slurm.conf for this host (its real CPUs and memory, no cgroups: process
# tracking by /proc, no task binding) and starts munged, slurmctld and slurmd.
# Idempotent: running it again restarts the daemons with a fresh configuration.
#   usage: sudo tests/slurm/setup-slurm.sh        (then: sinfo; sbatch --wrap hostname)
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-slurm.sh: run as root (it installs packages and starts daemons)" >&2
    exit 1
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends slurm-wlm munge
fi

host=$(hostname -s)
cpus=$(nproc)
# leave 512 MB to the system; Slurm counts memory in MB
memory=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 512 ))
conf_dir=/etc/slurm
mkdir -p "$conf_dir" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
cat > "$conf_dir/slurm.conf" <<CONF
ClusterName=fastspin-test
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
KillWait=5
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

# munge: a key (the package usually makes one), then the daemon as user munge
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
chmod 400 /etc/munge/munge.key
chmod 755 /run/munge
if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged
fi

# restart the Slurm daemons with this configuration (only the ones this script starts)
for daemon in slurmd slurmctld; do
    if [ -s "/run/$daemon.pid" ] && kill -0 "$(cat "/run/$daemon.pid")" 2>/dev/null; then
        kill "$(cat "/run/$daemon.pid")"
        sleep 1
    fi
done
/usr/sbin/slurmctld
/usr/sbin/slurmd

for _ in $(seq 60); do
    if sinfo -h -N -o "%T" 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
        sinfo
        exit 0
    fi
    sleep 1
done
echo "setup-slurm.sh: the node did not become idle; see /var/log/slurm/*.log" >&2
sinfo -N -l >&2 || true
exit 1
