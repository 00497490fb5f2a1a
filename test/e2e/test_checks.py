# The check library (checks/) against prepared host-root trees: each check
# finds exactly the problem planted in its tree and nothing on a healthy one.
# Runs every script under dash (and busybox sh when installed).
# kc-test-labels: e2e
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

SRC = Path(os.environ.get("KC_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CHECKS = SRC / "checks"
ALL = sorted(p.relative_to(CHECKS).as_posix() for p in CHECKS.glob("*/*")
             if p.is_file() and p.suffix != ".md")

MEMINFO_OK = """MemTotal:       16000000 kB
MemFree:         8000000 kB
MemAvailable:   12000000 kB
Buffers:          100000 kB
Cached:          2000000 kB
SwapTotal:             0 kB
SwapFree:              0 kB
HugePages_Total:       0
HugePages_Free:        0
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       2048 kB
"""

ROUTE_OK = ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
            "eth0\t00000000\t010012C6\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
            "eth0\t000012C6\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n")
ARP_OK = ("IP address       HW type     Flags       HW address            Mask     Device\n"
          "198.18.0.1       0x1         0x2         52:54:00:12:34:56     *        eth0\n")


def write(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def add_iface(root: Path, name, oper="up", carrier="1", flags="0x1003", mtu=1500,
              stats=None, master=None):
    d = root / "sys/class/net" / name
    write(d / "operstate", oper + "\n")
    write(d / "carrier", carrier + "\n")
    write(d / "flags", flags + "\n")
    write(d / "mtu", f"{mtu}\n")
    s = {"rx_packets": 100000, "tx_packets": 100000, "rx_errors": 0, "tx_errors": 0,
         "rx_dropped": 0, "tx_dropped": 0}
    s.update(stats or {})
    for k, v in s.items():
        write(d / "statistics" / k, f"{v}\n")
    if master:
        (d / "master").symlink_to(f"../{master}")


def make_tree(root: Path, mounts="", procs=("systemd", "kubelet", "containerd"),
              meminfo=MEMINFO_OK, kern_log="", route=ROUTE_OK, arp=ARP_OK,
              resolv="nameserver 198.18.0.53\n", nr_hugepages="0"):
    """A healthy host root; keyword arguments plant problems."""
    root.mkdir(parents=True, exist_ok=True)
    write(root / "proc/mounts", mounts)
    write(root / "proc/meminfo", meminfo)
    write(root / "proc/sys/vm/nr_hugepages", nr_hugepages + "\n")
    write(root / "proc/net/route", route)
    write(root / "proc/net/arp", arp)
    for pid, comm in enumerate(procs, start=1):
        write(root / f"proc/{pid}/comm", comm + "\n")
    write(root / "etc/resolv.conf", resolv)
    write(root / "var/log/kern.log", kern_log)
    add_iface(root, "lo", oper="unknown", flags="0x9")
    add_iface(root, "eth0")
    return root


def shells():
    out = ["dash"]
    if shutil.which("busybox"):
        out.append("busybox sh")
    return out


def run_check(name, root: Path, shell="dash", **env):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOST_ROOT": str(root),
         "NODE_NAME": "n1", "RUN_ID": "20261128-160000", "CHECK_TIMEOUT": "30",
         "KC_NET_PING": "0"}
    e.update(env)
    start = time.monotonic()
    p = subprocess.run(shell.split() + [str(CHECKS / name)], env=e, capture_output=True,
                       text=True, timeout=30)
    took = time.monotonic() - start
    print(f"{name} ({shell}): rc={p.returncode} {took:.2f}s\n{p.stdout}{p.stderr}")
    return p


def items(stdout):
    out = {}
    for line in stdout.splitlines():
        if ": " in line:
            k, v = line.split(": ", 1)
            if " " not in k:
                out[k] = v
    return out


def errors(stdout):
    return {k: v for k, v in items(stdout).items() if v != "ok"}


@pytest.fixture
def tree(tmp_path):
    return make_tree(tmp_path / "host")


@pytest.mark.parametrize("shell", shells())
@pytest.mark.parametrize("name", ALL)
def test_healthy_tree_is_ok(tmp_path, name, shell):
    root = make_tree(tmp_path / "host")
    p = run_check(name, root, shell)
    assert p.returncode == 0, p.stdout + p.stderr
    assert errors(p.stdout) == {}


def test_every_check_is_executable_posix_sh():
    for name in ALL:
        path = CHECKS / name
        assert os.access(path, os.X_OK), name
        assert path.read_bytes().startswith(b"#!/bin/sh\n"), name
        assert b"\r" not in path.read_bytes(), name
        subprocess.run(["dash", "-n", str(path)], check=True)


def test_disk_usage_threshold(tmp_path):
    # Without root we cannot fill a real filesystem here (test_debugger does,
    # in a private mount namespace); a 0 % limit proves the comparison.
    root = make_tree(tmp_path / "host", mounts="/dev/sdz9 / ext4 rw 0 0\nproc /proc proc rw 0 0\n")
    p = run_check("disk/usage", root, KC_DISK_USAGE_MAX="0")
    assert p.returncode == 1
    assert list(errors(p.stdout)) == ["sdz9"]
    assert errors(p.stdout)["sdz9"].startswith("disk full (")
    p = run_check("disk/usage", root, KC_DISK_USAGE_MAX="101", KC_DISK_INODES_MAX="101")
    assert p.returncode == 0 and items(p.stdout) == {"sdz9": "ok"}


def test_disk_readonly(tmp_path):
    root = make_tree(tmp_path / "host", mounts=(
        "/dev/sda1 / ext4 rw,relatime 0 0\n"
        "/dev/sdc1 /data ext4 ro,relatime 0 0\n"
        "/dev/sda2 /boot/efi vfat ro 0 0\n"
        "/dev/loop3 /snap/core/1 squashfs ro 0 0\n"
        "tmpfs /run tmpfs ro 0 0\n"))
    p = run_check("disk/readonly", root)
    assert p.returncode == 1
    assert items(p.stdout) == {"sda1": "ok", "sdc1": "read-only filesystem (mounted ro on /data)",
                               "sda2": "ok"}


def test_disk_kernel_errors(tmp_path):
    log = ("Nov 28 10:00:00 n1 kernel: [  12.0] eth0: link up\n"
           "Nov 28 10:00:01 n1 kernel: [  13.0] blk_update_request: I/O error, dev sdb, sector 2048 op 0x0:(READ)\n"
           "Nov 28 10:00:02 n1 kernel: [  13.1] Buffer I/O error on dev sdb1, logical block 0, async page read\n"
           "Nov 28 10:00:03 n1 kernel: [  13.2] EXT4-fs error (device sdc1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0\n"
           "Nov 28 10:00:04 n1 kernel: [  13.3] I/O error, dev sdb, sector 4096 op 0x1:(WRITE)\n")
    root = make_tree(tmp_path / "host", kern_log=log)
    p = run_check("disk/kernel-errors", root)
    assert p.returncode == 1
    errs = errors(p.stdout)
    assert set(errs) == {"sdb", "sdb1", "sdc1"}
    assert errs["sdb"].startswith("2 block-device error(s) in kernel log (last: I/O error, dev sdb, sector 4096")
    # No kernel log at all: skipped, not failed.
    (root / "var/log/kern.log").unlink()
    p = run_check("disk/kernel-errors", root)
    assert p.returncode == 0 and "no kernel log" in p.stderr


def test_net_link(tree):
    add_iface(tree, "eth2", oper="down", carrier="0")
    add_iface(tree, "eth3", oper="down", carrier="0", flags="0x1002")  # set down on purpose
    add_iface(tree, "veth12ab", oper="down", carrier="0")
    add_iface(tree, "bond0", oper="lowerlayerdown")
    p = run_check("net/link", tree)
    assert p.returncode == 1
    assert items(p.stdout) == {"eth0": "ok", "eth2": "link down (no carrier)",
                               "bond0": "link down (lower layer down)"}
    p = run_check("net/link", tree, KC_NET_IFACES="eth0 eth3 eth9")
    assert errors(p.stdout) == {"eth3": "administratively down", "eth9": "interface missing"}


def test_net_counters(tree):
    add_iface(tree, "eth1", stats={"rx_errors": 5000, "tx_dropped": 50})
    add_iface(tree, "eth4", stats={"rx_dropped": 2000})
    p = run_check("net/counters", tree)
    assert p.returncode == 1
    assert errors(p.stdout) == {"eth1": "rx_errors 5000 of 100000 packets (5.00%)",
                                "eth4": "rx_dropped 2000 of 100000 packets (2.00%)"}


def test_net_mtu(tree):
    add_iface(tree, "bond0", mtu=9000)
    add_iface(tree, "eth1", mtu=1500, master="bond0")
    add_iface(tree, "eth2", mtu=9000, master="bond0")
    p = run_check("net/mtu", tree)
    assert p.returncode == 1
    assert errors(p.stdout) == {"eth1": "MTU 1500 below its master bond0's 9000"}
    p = run_check("net/mtu", tree, KC_NET_IFACES="eth2 bond0", KC_NET_MTU_GROUP="eth0 eth2")
    assert errors(p.stdout) == {"mtu-group": "MTUs differ: eth0=1500 eth2=9000"}


def test_net_route(tmp_path):
    ok = make_tree(tmp_path / "ok")
    p = run_check("net/route", ok)
    assert p.returncode == 0 and items(p.stdout) == {"default-route": "ok", "gateway-198.18.0.1": "ok"}
    none = make_tree(tmp_path / "none", route=ROUTE_OK.splitlines()[0] + "\n")
    p = run_check("net/route", none)
    assert p.returncode == 1 and errors(p.stdout) == {"default-route": "no default route"}
    incomplete = make_tree(tmp_path / "inc", arp=ARP_OK.replace("0x2 ", "0x0 "))
    p = run_check("net/route", incomplete)
    assert p.returncode == 1
    assert errors(p.stdout) == {"gateway-198.18.0.1": "gateway unreachable via eth0 (neighbour entry incomplete)"}
    # No neighbour entry and ping off (the default): reported ok, said on stderr.
    unseen = make_tree(tmp_path / "unseen", arp=ARP_OK.splitlines()[0] + "\n")
    p = run_check("net/route", unseen, KC_NET_PING="")
    assert p.returncode == 0 and "not verified" in p.stderr


def test_net_dns(tmp_path):
    p = run_check("net/dns", make_tree(tmp_path / "a"), KC_DNS_NAME="localhost")
    assert p.returncode == 0 and items(p.stdout) == {"resolv.conf": "ok", "dns-localhost": "ok"}
    p = run_check("net/dns", make_tree(tmp_path / "b", resolv="search example\n"))
    assert p.returncode == 1 and errors(p.stdout) == {"resolv.conf": "no nameserver configured"}


def test_mem_usage(tmp_path):
    info = MEMINFO_OK.replace("MemAvailable:   12000000", "MemAvailable:     800000")
    info = info.replace("SwapTotal:             0", "SwapTotal:       1000000").replace(
        "SwapFree:              0", "SwapFree:         100000")
    p = run_check("mem/usage", make_tree(tmp_path / "h", meminfo=info))
    assert p.returncode == 1
    assert errors(p.stdout) == {"memory": "usage 95% (781 MiB available of 15625 MiB)",
                                "swap": "usage 90% (97 MiB free of 976 MiB)"}


def test_mem_oom(tmp_path):
    log = ("Nov 28 10:00:00 n1 kernel: [99.1] Out of memory: Killed process 4242 (java) total-vm:123kB\n"
           "Nov 28 10:00:01 n1 kernel: [99.2] Memory cgroup out of memory: Killed process 77 (nginx) total-vm:1kB\n")
    p = run_check("mem/oom", make_tree(tmp_path / "h", kern_log=log))
    assert p.returncode == 1
    assert items(p.stdout) == {"oom-system": "1 system OOM kill(s) in kernel log (last: 4242 (java))",
                               "oom-cgroup": "ok"}


def test_mem_hugepages(tmp_path):
    info = MEMINFO_OK.replace("HugePages_Total:       0", "HugePages_Total:     100")
    p = run_check("mem/hugepages", make_tree(tmp_path / "h", meminfo=info, nr_hugepages="512"))
    assert p.returncode == 1
    assert errors(p.stdout) == {"hugepages": "only 100 of 512 requested huge pages allocated"}


def test_svc_processes(tmp_path):
    p = run_check("svc/processes", make_tree(tmp_path / "h", procs=("systemd", "kubelet")))
    assert p.returncode == 1
    assert items(p.stdout) == {"kubelet": "ok", "containerd": "process not running"}
    p = run_check("svc/processes", make_tree(tmp_path / "g", procs=("kubelet", "crio")),
                  KC_SVC_PROCESSES="kubelet crio|containerd")
    assert p.returncode == 0


def test_svc_without_systemd_or_time_sync_is_skipped(tree):
    for name in ("svc/services", "svc/clock"):
        p = run_check(name, tree)
        assert p.returncode == 0 and p.stdout == "" and "skipped" in p.stderr
    write(tree / "run/systemd/timesync/synchronized", "")
    p = run_check("svc/clock", tree)
    assert p.returncode == 0 and items(p.stdout) == {"clock": "ok"}


def test_unreadable_host_root_is_unknown(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for name in ("disk/usage", "disk/readonly", "net/link", "mem/usage", "svc/processes"):
        assert run_check(name, empty).returncode == 2, name
