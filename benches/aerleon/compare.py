#!/usr/bin/env python3
"""Time flowc and aerleon's aclgen on the same generated site, and compare their nftables.

Normally run through compare.sh, which installs what is missing and builds flowc. For each
size N (flows), gen.py writes the site both ways into a temporary directory; then:

* ``flowc check SITE`` and ``flowc emit --target nftables -o OUT SITE`` are timed, and
* ``aclgen --base_directory A/policies --definitions_directory A/def --output_directory OUT``.

Peak RSS and CPU time (user + sys) come from a first run under ``/usr/bin/time -v``; wall time
is the median of further runs (hyperfine when installed, else a loop), fewer when they would
exceed a time budget (``--budget``), down to that first run alone. The firewall rulesets
of both sides are then checked with ``nft -c -f`` and loaded, one file per fresh network
namespace (``unshare -n``), and the ``rule`` objects of ``nft -j list ruleset`` counted.

Standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import gen  # noqa: E402


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, **kw)


def parse_time_v(path: str) -> dict:
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("Maximum resident set size"):
                out["rss_kib"] = int(line.rsplit(":", 1)[1])
            elif line.startswith("User time (seconds)"):
                out["user_s"] = float(line.rsplit(":", 1)[1])
            elif line.startswith("System time (seconds)"):
                out["sys_s"] = float(line.rsplit(":", 1)[1])
            elif line.startswith("Exit status"):
                out["status"] = int(line.rsplit(":", 1)[1])
    return out


def measure(name: str, cmd: list[str], out_dir: str | None, runs: int, budget: float,
            workdir: str, use_hyperfine: bool) -> dict:
    """Peak RSS and CPU time from one run under /usr/bin/time -v (which also serves as the
    warm-up), then the median wall time of `runs` more runs, fewer if they would take longer
    than `budget` seconds (down to the first run alone). `out_dir` (if any) is removed before
    every run, so every run writes everything."""

    def prepare():
        if out_dir:
            shutil.rmtree(out_dir, ignore_errors=True)

    res: dict = {"cmd": " ".join(cmd)}
    prepare()
    tpath = os.path.join(workdir, f"time-{name}.txt")
    t0 = time.perf_counter()
    p = sh(["/usr/bin/time", "-v", "-o", tpath] + cmd, stdout=subprocess.DEVNULL,
           stderr=subprocess.DEVNULL)
    first = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"{name}: exit {p.returncode}: {' '.join(cmd)}")
    res.update(parse_time_v(tpath))
    runs = max(1, min(runs, int(budget / max(first, 1e-3))))
    if runs == 1:
        res.update(wall_s=first, wall_min_s=first, wall_max_s=first, runs=1,
                   timer="/usr/bin/time run")
        return res
    res["runs"] = runs
    if use_hyperfine:
        jpath = os.path.join(workdir, f"hf-{name}.json")
        hf = ["hyperfine", "-N", "--style", "basic", "--runs", str(runs), "--export-json", jpath]
        if out_dir:
            hf += ["--prepare", f"rm -rf {out_dir}"]
        hf += ["--", " ".join(cmd)]
        p = sh(hf, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            print(p.stdout, file=sys.stderr)
            raise SystemExit(f"{name}: hyperfine failed")
        with open(jpath, encoding="utf-8") as f:
            r = json.load(f)["results"][0]
        res.update(wall_s=r["median"], wall_min_s=r["min"], wall_max_s=r["max"],
                   timer="hyperfine")
    else:
        walls = []
        for _ in range(runs):
            prepare()
            t0 = time.perf_counter()
            p = sh(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t0)
            if p.returncode != 0:
                raise SystemExit(f"{name}: exit {p.returncode}: {' '.join(cmd)}")
        res.update(wall_s=statistics.median(walls), wall_min_s=min(walls),
                   wall_max_s=max(walls), timer="loop")
    return res


def nft_count(path: str) -> dict:
    """`nft -c` and the kernel's rule count of one file, in a fresh network namespace."""
    c = sh(["unshare", "-n", "nft", "-c", "-f", path], stdout=subprocess.PIPE,
           stderr=subprocess.PIPE, text=True)
    p = sh(["unshare", "-n", "sh", "-c", 'nft -f "$1" && nft -j list ruleset', "sh", path],
           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        return {"check_ok": c.returncode == 0, "load_ok": False, "rules": 0, "unique": 0,
                "jumps": 0, "chains": 0, "sets": 0, "error": (p.stderr or c.stderr)[:500]}
    objs = json.loads(p.stdout)["nftables"]
    rules = [o["rule"] for o in objs if "rule" in o]
    chains = sum(1 for o in objs if "chain" in o)
    sets = sum(1 for o in objs if "set" in o or "map" in o)
    unique = {(r["table"], r["chain"], json.dumps(r["expr"], sort_keys=True)) for r in rules}
    jumps = sum(1 for r in rules if len(r["expr"]) == 1 and "jump" in r["expr"][0])
    return {"check_ok": c.returncode == 0, "load_ok": True, "rules": len(rules),
            "unique": len(unique), "jumps": jumps, "chains": chains, "sets": sets}


def count_dir(files: list[str]) -> dict:
    tot = {"files": len(files), "check_ok": True, "load_ok": True, "rules": 0, "unique": 0,
           "jumps": 0, "chains": 0, "sets": 0, "errors": []}
    for f in files:
        r = nft_count(f)
        for k in ("rules", "unique", "jumps", "chains", "sets"):
            tot[k] += r[k]
        tot["check_ok"] &= r["check_ok"]
        tot["load_ok"] &= r["load_ok"]
        if "error" in r:
            tot["errors"].append(f"{os.path.basename(f)}: {r['error']}")
    return tot


def dir_bytes(d: str, pred=lambda name: True) -> tuple[int, int]:
    total = n = 0
    for root, _, names in os.walk(d):
        for name in names:
            if pred(name):
                total += os.path.getsize(os.path.join(root, name))
                n += 1
    return total, n


def run_size(flows: int, args, workdir: str) -> dict:
    sdir = os.path.join(workdir, f"n{flows}")
    os.makedirs(sdir, exist_ok=True)
    t0 = time.perf_counter()
    model = gen.build_model(flows, args.seed, args.ipv6)
    where = gen.write_flowc(model, os.path.join(sdir, "flowc"))
    terms = gen.write_aerleon(model, os.path.join(sdir, "aerleon"), where)
    gen_s = time.perf_counter() - t0
    site = os.path.join(sdir, "flowc")
    aer = os.path.join(sdir, "aerleon")
    fw_names = [fw["name"] for fw in model["firewalls"]]
    allows = sum(1 for r in model["rules"] if r["action"] == "allow")
    info = {
        "flows": allows, "denies": len(model["rules"]) - allows, "zones": len(model["zones"]),
        "firewalls": len(fw_names), "hosts": len(model["hosts"]),
        "groups": len(model["groups"]), "services": len(model["services"]),
        "aerleon_terms": sum(terms.values()), "gen_s": round(gen_s, 2),
        "flowc_input_bytes": dir_bytes(site)[0], "aerleon_input_bytes": dir_bytes(aer)[0],
    }
    print(f"\n== {flows} flows: {json.dumps(info)}", flush=True)

    # The site must be free of errors; count the warnings (outside the timing).
    p = sh([args.flowc, "check", site, "--format", "json"], stdout=subprocess.PIPE,
           stderr=subprocess.PIPE, text=True)
    diags = json.loads(p.stdout or "[]")
    info["flowc_check_status"] = p.returncode
    info["flowc_errors"] = sum(1 for d in diags if d["severity"] == "error")
    info["flowc_warnings"] = sum(1 for d in diags if d["severity"] == "warning")
    codes: dict[str, int] = {}
    for d in diags:
        codes[d["code"]] = codes.get(d["code"], 0) + 1
    info["flowc_diagnostics"] = codes
    if p.returncode != 0 or info["flowc_errors"]:
        raise SystemExit(f"flowc check found errors at {flows} flows: {codes}")

    fr, ar, budget = args.runs_flowc, args.runs_aerleon, args.budget
    res = {"info": info}
    fout = os.path.join(sdir, "out-flowc")
    aout = os.path.join(sdir, "out-aerleon")
    res["check"] = measure(f"check-{flows}", [args.flowc, "check", site], None, fr, budget, sdir,
                           args.hyperfine)
    print(f"   flowc check   {res['check']['wall_s']:.3f} s", flush=True)
    res["emit"] = measure(f"emit-{flows}", [args.flowc, "emit", "--target", "nftables", "-o",
                                            fout, site], fout, fr, budget, sdir, args.hyperfine)
    print(f"   flowc emit    {res['emit']['wall_s']:.3f} s", flush=True)
    # What aclgen writes, and no more: the firewalls' rulesets alone.
    fwout = os.path.join(sdir, "out-flowc-firewalls")
    res["emit_firewalls"] = measure(f"emit-firewalls-{flows}",
                                    [args.flowc, "emit", "--target", "nftables", "--only",
                                     "firewalls", "-o", fwout, site],
                                    fwout, fr, budget, sdir, args.hyperfine)
    print(f"   flowc emit --only firewalls {res['emit_firewalls']['wall_s']:.3f} s", flush=True)
    # flowc writes every file atomically with an fsync; on a slow disk that dominates small
    # sizes. The same command with the output on tmpfs shows the share (not at 100k, where
    # the CPU dominates and a run takes minutes).
    if os.path.isdir("/dev/shm") and flows < args.tmpfs_below:
        sout = tempfile.mkdtemp(prefix="flowc-emit-", dir="/dev/shm")
        res["emit_tmpfs"] = measure(f"emit-tmpfs-{flows}", [args.flowc, "emit", "--target",
                                    "nftables", "-o", sout, site], sout, fr, budget, sdir,
                                    args.hyperfine)
        shutil.rmtree(sout, ignore_errors=True)
        print(f"   flowc emit, output on tmpfs {res['emit_tmpfs']['wall_s']:.3f} s", flush=True)
    acmd = [args.aclgen, "--base_directory", os.path.join(aer, "policies"),
            "--definitions_directory", os.path.join(aer, "def"), "--output_directory", aout]
    if args.max_renderers:
        acmd += ["--max_renderers", str(args.max_renderers)]
    res["aclgen"] = measure(f"aclgen-{flows}", acmd, aout, ar, budget, sdir, args.hyperfine)
    print(f"   aclgen        {res['aclgen']['wall_s']:.3f} s", flush=True)

    # Outputs of the last (/usr/bin/time) runs.
    res["emit"]["out_bytes"], res["emit"]["out_files"] = dir_bytes(fout)
    res["emit"]["fw_bytes"], _ = dir_bytes(fout, lambda n: n[:-4] in fw_names)
    res["aclgen"]["out_bytes"], res["aclgen"]["out_files"] = dir_bytes(aout)
    res["aclgen"]["fw_bytes"] = res["aclgen"]["out_bytes"]
    res["nft_flowc"] = count_dir([os.path.join(fout, f"{n}.nft") for n in fw_names])
    res["nft_aerleon"] = count_dir([os.path.join(aout, f"{n}.nft") for n in fw_names])
    # A sample of flowc's per-host rulesets must pass `nft -c` too.
    hosts = sorted(n for n in os.listdir(fout) if n.endswith(".nft") and n[:-4] not in fw_names)
    sample = hosts[:: max(1, len(hosts) // 10)][:10]
    res["nft_flowc_hosts_sample"] = count_dir([os.path.join(fout, n) for n in sample])
    for k in ("nft_flowc", "nft_aerleon", "nft_flowc_hosts_sample"):
        r = res[k]
        print(f"   {k:24} files {r['files']:5}  nft -c {'ok' if r['check_ok'] else 'FAIL'}  "
              f"rules {r['rules']}  unique {r['unique']}  jumps {r['jumps']}  sets {r['sets']}",
              flush=True)
        if r["errors"]:
            print("     " + "\n     ".join(r["errors"][:3]), flush=True)
    if not args.keep:
        shutil.rmtree(sdir, ignore_errors=True)
    return res


def fmt_s(x: float) -> str:
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def fmt_mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def fmt_b(b: int) -> str:
    return f"{b / 1e6:.2f} MB" if b >= 1e5 else f"{b / 1e3:.1f} kB"


def table(results: dict) -> str:
    rows = [
        "| flows | tool | command | wall (median) | runs | CPU (user+sys) | peak RSS | output | nftables rules (kernel) | `nft -c` |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    ratio = [
        "| flows | aerleon / flowc emit (every target), wall | same, flowc output on tmpfs | aerleon / flowc emit, CPU | aerleon / flowc emit --only firewalls (the same files), wall | aerleon / flowc rules | same, without aerleon's jumps | same, duplicates removed |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in results.items():
        i = r["info"]
        c, e, a = r["check"], r["emit"], r["aclgen"]
        nf, na = r["nft_flowc"], r["nft_aerleon"]
        ok = lambda x: "ok" if x["check_ok"] and x["load_ok"] else "FAIL"  # noqa: E731

        def timed(tool: str, command: str, m: dict, rest: str) -> str:
            """One row: wall, runs, CPU and peak memory of a measurement, then `rest`."""
            return (f"| {n:,} | {tool} | {command} | {fmt_s(m['wall_s'])} | {m['runs']} | "
                    f"{fmt_s(m['user_s'] + m['sys_s'])} | {fmt_mib(m['rss_kib'])} | {rest} |")

        rows.append(timed("flowc", "`check`", c, "— | — | —"))
        rows.append(timed("flowc", "`emit --target nftables`", e,
                          f"{fmt_b(e['fw_bytes'])} firewalls, {fmt_b(e['out_bytes'])} in "
                          f"{e['out_files']:,} files | {nf['rules']:,} | {ok(nf)}"))
        if "emit_firewalls" in r:
            rows.append(timed("flowc", "`emit --target nftables --only firewalls`",
                              r["emit_firewalls"],
                              f"{fmt_b(e['fw_bytes'])} in {i['firewalls']} files | same | same"))
        if "emit_tmpfs" in r:
            rows.append(timed("flowc", "`emit --target nftables`, output on tmpfs",
                              r["emit_tmpfs"], "same | same | —"))
        rows.append(timed("aerleon", "`aclgen`", a,
                          f"{fmt_b(a['out_bytes'])} in {a['out_files']} files | {na['rules']:,} "
                          f"({na['jumps']:,} jumps) | {ok(na)}"))
        ratio.append(
            f"| {n:,} | {a['wall_s'] / e['wall_s']:.1f}× | "
            + (f"{a['wall_s'] / r['emit_tmpfs']['wall_s']:.1f}× | " if "emit_tmpfs" in r else "— | ")
            + f"{(a['user_s'] + a['sys_s']) / max(e['user_s'] + e['sys_s'], 0.005):.1f}× | "
            + (f"{a['wall_s'] / r['emit_firewalls']['wall_s']:.1f}× | " if "emit_firewalls" in r else "— | ")
            + f"{na['rules'] / max(nf['rules'], 1):.2f}× | "
            f"{(na['rules'] - na['jumps']) / max(nf['rules'], 1):.2f}× | "
            f"{na['unique'] / max(nf['unique'], 1):.2f}× |")
    return "\n".join(rows) + "\n\n" + "\n".join(ratio)


def targets(results: dict) -> str:
    out = []
    big = results.get(100_000) or results[max(results)]
    n = max(k for k in results if results[k] is big)
    c, e = big["check"], big["emit"]
    peak = max(c["rss_kib"], e["rss_kib"])
    speed = min(r["aclgen"]["wall_s"] / r["emit"]["wall_s"] for r in results.values())
    same = [r["aclgen"]["wall_s"] / r["emit_firewalls"]["wall_s"]
            for r in results.values() if "emit_firewalls" in r]
    rules_ok = all(r["nft_flowc"]["rules"] <= r["nft_aerleon"]["unique"] for r in results.values())
    out.append(f"- `flowc check` on {n:,} flows < 1 s: {fmt_s(c['wall_s'])} — "
               f"{'met' if c['wall_s'] < 1 else 'MISSED'}")
    out.append(f"- `flowc emit --target nftables` on {n:,} flows < 2 s: {fmt_s(e['wall_s'])} — "
               f"{'met' if e['wall_s'] < 2 else 'MISSED'} (every firewall, host and group)")
    if "emit_firewalls" in big:
        f = big["emit_firewalls"]
        out.append(f"- the same, `--only firewalls` (what aclgen writes): {fmt_s(f['wall_s'])} — "
                   f"{'met' if f['wall_s'] < 2 else 'MISSED'}")
    out.append(f"- peak memory < 1 GiB at {n:,}: {fmt_mib(peak)} — "
               f"{'met' if peak < 1024 * 1024 else 'MISSED'}")
    out.append(f"- flowc ≥ 50× faster than aerleon (emit vs aclgen, wall, worst size): {speed:.1f}× — "
               f"{'met' if speed >= 50 else 'MISSED'} (flowc writing every target)")
    if same:
        out.append(f"- the same on the same files (`--only firewalls` vs aclgen, worst size): "
                   f"{min(same):.1f}× — {'met' if min(same) >= 50 else 'MISSED'}")
    out.append(f"- flowc emits no more nftables rules than aerleon (duplicates removed): "
               f"{'met' if rules_ok else 'MISSED'}")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flowc", required=True)
    ap.add_argument("--aclgen", required=True)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ipv6", action="store_true", help="dual-stack sites (see gen.py)")
    ap.add_argument("--runs-flowc", type=int, default=10, help="timed runs of each flowc command")
    ap.add_argument("--runs-aerleon", type=int, default=5, help="timed runs of aclgen")
    ap.add_argument("--budget", type=float, default=300,
                    help="seconds the timed runs of one command may take; fewer runs beyond")
    ap.add_argument("--max-renderers", type=int, default=0,
                    help="aclgen --max_renderers (default: aclgen's own, 10)")
    ap.add_argument("--tmpfs-below", type=int, default=100_000,
                    help="also time emit into /dev/shm for sizes below this")
    ap.add_argument("--no-hyperfine", dest="hyperfine", action="store_false")
    ap.add_argument("--workdir", help="where the sites go (default: a new temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the generated sites and outputs")
    ap.add_argument("--json", help="also write every measurement here")
    args = ap.parse_args()
    if args.hyperfine and not shutil.which("hyperfine"):
        args.hyperfine = False
    workdir = args.workdir or tempfile.mkdtemp(prefix="flowc-aerleon-")
    os.makedirs(workdir, exist_ok=True)
    print(f"work directory: {workdir}")
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for n in sizes:
        results[n] = run_size(n, args, workdir)
    py = os.path.join(os.path.dirname(args.aclgen), "python")
    ver = sh([py, "-c", "import importlib.metadata as m; print(m.version('aerleon'))"],
             stdout=subprocess.PIPE, text=True).stdout.strip()
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "flowc": sh([args.flowc, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip(),
        "flowc_binary": args.flowc,
        "repo_commit": sh(["git", "-C", HERE, "describe", "--always", "--dirty"],
                          stdout=subprocess.PIPE, text=True).stdout.strip(),
        "aerleon": ver or "?",
        "python": platform.python_version(),
        "nft": sh(["nft", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip(),
        "timer": "hyperfine" if args.hyperfine else "loop",
        "ipv6": args.ipv6,
        "seed": args.seed,
    }
    print("\n" + json.dumps(meta))
    print("\n" + table(results))
    print("\n" + targets(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"meta": meta, "results": results}, f, indent=1)
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
