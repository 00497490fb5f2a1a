"""Two network namespaces joined by a veth pair, for the pinger e2e tests
(198.18.0.0/15 only). `a` holds <prefix>.1, `b` holds <prefix>.2 (live) and
<prefix>.3 (blackholed by an nft rule when asked); everything is removed even
on failure."""
import contextlib
import os
import subprocess


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True)


@contextlib.contextmanager
def veth_pair(letter, prefix, table, drop=()):
    """Yields (a, b). `letter` keeps names apart between test files; `table`
    is an inet nft table with an `input` chain in b; `drop` lists addresses
    whose packets b drops from the start."""
    tag = str(os.getpid() % 100000)
    a, b = f"kc{letter}a{tag}", f"kc{letter}b{tag}"
    va, vb = f"kc{letter}va{tag}", f"kc{letter}vb{tag}"
    try:
        sh("ip", "netns", "add", a)
        sh("ip", "netns", "add", b)
        sh("ip", "link", "add", va, "type", "veth", "peer", "name", vb)
        sh("ip", "link", "set", va, "netns", a)
        sh("ip", "link", "set", vb, "netns", b)
        sh("ip", "-n", a, "addr", "add", prefix + ".1/24", "dev", va)
        sh("ip", "-n", b, "addr", "add", prefix + ".2/24", "dev", vb)
        sh("ip", "-n", b, "addr", "add", prefix + ".3/24", "dev", vb)
        for ns, dev in ((a, va), (b, vb)):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "link", "set", dev, "up")
        nft = ("ip", "netns", "exec", b, "nft")
        sh(*nft, "add", "table", "inet", table)
        sh(*nft, "add", "chain", "inet", table, "input",
           "{ type filter hook input priority 0; }")
        for addr in drop:
            sh(*nft, "add", "rule", "inet", table, "input", "ip", "daddr", addr,
               "drop")
        yield a, b
    finally:
        sh("ip", "netns", "exec", b, "nft", "delete", "table", "inet", table,
           check=False)
        sh("ip", "netns", "del", a, check=False)
        sh("ip", "netns", "del", b, check=False)
        sh("ip", "link", "del", va, check=False)
