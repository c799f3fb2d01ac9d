#!/usr/bin/env python3
"""Generate one synthetic site twice: as a flowc site and as aerleon inputs.

A neutral description of the site (the *model*: zones, firewalls, hosts, groups, services and
rules, all plain data) is built deterministically from a seed and a number of flows N (allow
rules). Two writers then render the same model:

* ``write_flowc``   -> ``OUT/flowc/**.flow``   (zones, firewalls, hosts, groups, services,
  allow and deny items, every firewall emitted with ``flowc emit --target nftables``);
* ``write_aerleon`` -> ``OUT/aerleon/def/*.yaml`` (networks and services) and
  ``OUT/aerleon/policies/pol/FW.yaml``, one policy per flowc firewall holding exactly the
  terms whose traffic crosses that firewall: every deny first, then every allow, then a final
  default deny (flowc's "deny overrides allow, whatever the order" as first-match).

Topology: a star. Zone ``zNN`` sits behind firewall ``fw-zNN``, which joins it to the zone
``core``; nothing lives in ``core``. A flow between zones A and B therefore crosses fw-A and
fw-B, a flow inside one zone crosses no firewall. Every zone has an IPv4 /20 from
198.18.0.0/15. With --ipv6 every other zone is dual-stack with a /64 from fd00:f10c::/48 and
its hosts get an IPv6 address too; the default is IPv4 only, because aerleon 1.18's nftables
generator prints every port-matching rule twice in a `mixed` (dual-stack) policy (see
README.md), which would make the rule counts meaningless.

Standard library only (Python 3.11). Usage:

    gen.py --flows 1000 --seed 1 --out DIR [--ipv6] [--model-out model.json]
    gen.py --model-in model.json --out DIR
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import os
import random
import sys
from collections import defaultdict

V4_BASE = ipaddress.IPv4Network("198.18.0.0/15")
V6_BASE = ipaddress.IPv6Network("fd00:f10c::/48")
CORE_V4 = "198.19.255.0/24"

# ---------------------------------------------------------------------------------------------
# The service catalogue. Each opening is (protocol, [(lo, hi), ...]).

BASE_SERVICES: dict[str, list[tuple[str, list[tuple[int, int]]]]] = {
    "s-web": [("tcp", [(80, 80), (443, 443)])],
    "s-http-alt": [("tcp", [(8000, 8000), (8008, 8008), (8443, 8443)])],
    "s-ssh": [("tcp", [(22, 22)])],
    "s-rdp": [("tcp", [(3389, 3389)])],
    "s-postgres": [("tcp", [(5432, 5432)])],
    "s-mysql": [("tcp", [(3306, 3306)])],
    "s-oracle": [("tcp", [(1521, 1522)])],
    "s-mongodb": [("tcp", [(27017, 27019)])],
    "s-redis": [("tcp", [(6379, 6379)])],
    "s-memcached": [("tcp", [(11211, 11211)]), ("udp", [(11211, 11211)])],
    "s-kafka": [("tcp", [(9092, 9093)])],
    "s-amqp": [("tcp", [(5671, 5672)])],
    "s-zookeeper": [("tcp", [(2181, 2181), (2888, 2888), (3888, 3888)])],
    "s-dns": [("tcp", [(53, 53)]), ("udp", [(53, 53)])],
    "s-ntp": [("udp", [(123, 123)])],
    "s-ldap": [("tcp", [(389, 389), (636, 636)])],
    "s-kerberos": [("tcp", [(88, 88)]), ("udp", [(88, 88)])],
    "s-syslog": [("udp", [(514, 514)]), ("tcp", [(6514, 6514)])],
    "s-radius": [("udp", [(1812, 1813)])],
    "s-prometheus": [("tcp", [(9100, 9110)])],
    "s-elastic": [("tcp", [(9200, 9300)])],
    "s-app-http": [("tcp", [(8080, 8089)])],
    "s-grpc": [("tcp", [(50051, 50051)])],
    "s-nfs4": [("tcp", [(2049, 2049)])],
    "s-backup": [("tcp", [(1500, 1501)])],
    "s-sip": [("udp", [(5060, 5060)]), ("tcp", [(5060, 5061)])],
    "s-rtp": [("udp", [(16384, 16484)])],
    "s-etcd": [("tcp", [(2379, 2380)])],
    "s-vault": [("tcp", [(8200, 8201)])],
    "s-consul": [("tcp", [(8300, 8302), (8500, 8500)]), ("udp", [(8301, 8302)])],
    # Used by denies only.
    "s-telnet": [("tcp", [(23, 23)])],
    "s-smb": [("tcp", [(139, 139), (445, 445)])],
    "s-msrpc": [("tcp", [(135, 135)])],
    "s-netbios": [("udp", [(137, 138)])],
}

# Host kinds: (weight, services offered as a destination).
KINDS: dict[str, tuple[int, list[str]]] = {
    "web": (15, ["s-web", "s-web", "s-web", "s-http-alt"]),
    "app": (25, ["s-app-http", "s-grpc"]),  # plus the generated s-appNNN services
    "db": (10, ["s-postgres", "s-mysql", "s-oracle", "s-mongodb"]),
    "cache": (5, ["s-redis", "s-memcached"]),
    "mq": (5, ["s-kafka", "s-amqp", "s-zookeeper"]),
    "infra": (3, ["s-dns", "s-ntp", "s-ldap", "s-kerberos", "s-radius", "s-etcd", "s-vault",
                  "s-consul"]),
    "mon": (3, ["s-syslog", "s-elastic"]),
    "backup": (2, ["s-backup", "s-nfs4"]),
    "voip": (2, ["s-sip", "s-rtp"]),
    "admin": (5, []),
    "ws": (25, []),  # workstations: sources only
}
# Who talks to a destination of each kind.
CLIENTS: dict[str, list[str]] = {
    "web": ["ws", "app", "web"],
    "app": ["web", "app"],
    "db": ["app", "backup"],
    "cache": ["app", "web"],
    "mq": ["app"],
    "infra": list(KINDS),
    "mon": list(KINDS),
    "backup": ["db", "app", "infra"],
    "voip": ["ws", "voip"],
}
# Destination kinds of ordinary service flows, weighted.
DST_WEIGHTS = {"app": 30, "web": 20, "db": 20, "cache": 8, "mq": 8, "infra": 6, "mon": 4,
               "backup": 2, "voip": 2}


def sizes_for(flows: int) -> dict[str, int]:
    zones = max(4, min(24, round(4 * math.log10(max(flows, 10))) - 4))
    hosts = max(60, flows // 4)
    return {
        "zones": zones,
        "hosts": hosts,
        "groups": max(6, hosts // 15),
        "app_services": 20 + flows // 1000,
        "denies": max(6, flows // 100),
    }


# ---------------------------------------------------------------------------------------------
# The model.


def build_model(flows: int, seed: int, ipv6: bool = False) -> dict:
    rng = random.Random(seed)
    size = sizes_for(flows)
    nz = size["zones"]

    zones = []
    v4_subnets = list(V4_BASE.subnets(new_prefix=20))
    v6_subnets = V6_BASE.subnets(new_prefix=64)
    v6_list = [next(v6_subnets) for _ in range(nz)]
    for k in range(nz):
        zones.append({
            "name": f"z{k:02d}",
            "v4": str(v4_subnets[k]),
            "v6": str(v6_list[k]) if ipv6 and k % 2 == 0 else None,
        })
    core = {"name": "core", "v4": CORE_V4, "v6": None}
    firewalls = [{"name": f"fw-{z['name']}", "zones": [z["name"], "core"]} for z in zones]

    # Hosts: zones of uneven sizes, each host of one kind.
    zone_weights = [1.0 + rng.random() * 2.0 for _ in range(nz)]
    kind_names = list(KINDS)
    kind_weights = [KINDS[k][0] for k in kind_names]
    per_zone_count = [0] * nz
    hosts = []
    for i in range(size["hosts"]):
        zk = rng.choices(range(nz), zone_weights)[0]
        if per_zone_count[zk] >= 4000:
            zk = min(range(nz), key=lambda j: per_zone_count[j])
        kind = rng.choices(kind_names, kind_weights)[0]
        n = per_zone_count[zk]
        per_zone_count[zk] += 1
        z = zones[zk]
        v4 = ipaddress.IPv4Network(z["v4"]).network_address + 16 + n
        v6 = (ipaddress.IPv6Network(z["v6"]).network_address + 16 + n) if z["v6"] else None
        hosts.append({
            "name": f"{z['name']}-{kind}-{n:04d}",
            "zone": z["name"],
            "kind": kind,
            "v4": str(v4),
            "v6": str(v6) if v6 else None,
        })

    by_kind_zone: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for h in hosts:
        by_kind_zone[(h["kind"], h["zone"])].append(h)

    # Groups: hosts of one kind, mostly in one zone, sometimes spanning two or three; a few
    # also include a smaller group of the same kind. Members are drawn without replacement
    # (separately for single- and multi-zone groups), so groups of one kind rarely overlap.
    groups = []
    free = {key: rng.sample(pool, len(pool)) for key, pool in by_kind_zone.items()}
    free_multi = {key: rng.sample(pool, len(pool)) for key, pool in by_kind_zone.items()}
    for gi in range(size["groups"]):
        kind = rng.choices(kind_names, kind_weights)[0]
        span = 1 if rng.random() < 0.8 else rng.choice([2, 3])
        gzones = rng.sample([z["name"] for z in zones], span)
        members: list[str] = []
        for zn in gzones:
            pool = (free if span == 1 else free_multi).get((kind, zn), [])
            take = min(len(pool), rng.randint(2, 10 if span == 1 else 5))
            members.extend(pool.pop()["name"] for _ in range(take))
        if not members:
            continue
        members = sorted(set(members))
        same_kind = [g for g in groups if g["kind"] == kind and not g["nested"]]
        nested = False
        if same_kind and rng.random() < 0.1:
            members.append(rng.choice(same_kind)["name"])
            nested = True
        label = gzones[0] if span == 1 else "multi"
        groups.append({"name": f"g-{kind}-{label}-{gi:04d}", "kind": kind, "members": members,
                       "nested": nested})

    # Services: the catalogue plus generated application services.
    services = {name: [list(o) for o in ops] for name, ops in BASE_SERVICES.items()}
    app_services = []
    used_ports = {p for ops in BASE_SERVICES.values() for _, rs in ops for lo, hi in rs
                  for p in range(lo, hi + 1)}
    for k in range(size["app_services"]):
        while True:
            base = rng.randrange(10000, 60000)
            shape = rng.random()
            if shape < 0.5:
                ports = [(base, base)]
            elif shape < 0.75:  # two ports, adjacent or not
                ports = [(base, base + 1)] if rng.random() < 0.5 else [(base, base), (base + 7, base + 7)]
            else:
                ports = [(base, base + rng.choice([4, 9, 19]))]
            span = {p for lo, hi in ports for p in range(lo, hi + 1)}
            if not span & used_ports:
                used_ports |= span
                break
        name = f"s-app{k:03d}"
        ops = [("tcp", ports)]
        if rng.random() < 0.1:
            ops.append(("udp", [ports[0]]))
        services[name] = [list(o) for o in ops]
        app_services.append(name)

    # Endpoints and their zones.
    host_by_name = {h["name"]: h for h in hosts}
    group_by_name = {g["name"]: g for g in groups}
    zone_names = {z["name"] for z in zones}

    def zones_of(name: str) -> set[str]:
        if name in host_by_name:
            return {host_by_name[name]["zone"]}
        if name in group_by_name:
            out: set[str] = set()
            for m in group_by_name[name]["members"]:
                out |= zones_of(m)
            return out
        if name in zone_names:
            return {name}
        raise KeyError(name)

    hosts_by_kind: dict[str, list[dict]] = defaultdict(list)
    for h in hosts:
        hosts_by_kind[h["kind"]].append(h)
    groups_by_kind: dict[str, list[dict]] = defaultdict(list)
    for g in groups:
        groups_by_kind[g["kind"]].append(g)
    group_zones = {g["name"]: zones_of(g["name"]) for g in groups}

    def pick_endpoint(kinds: list[str], group_share: float, skew: bool) -> str | None:
        kind = rng.choice(kinds)
        if rng.random() < group_share and groups_by_kind.get(kind):
            pool = groups_by_kind[kind]
        else:
            pool = hosts_by_kind.get(kind) or []
        if not pool:
            return None
        # Popularity: a few servers get most of the clients.
        idx = int(len(pool) * (rng.random() ** 2.5)) if skew else rng.randrange(len(pool))
        return pool[idx]["name"]

    def ep_zones(name: str) -> set[str]:
        return group_zones[name] if name in group_zones else zones_of(name)

    # Containment, to avoid allows that another allow obviously covers (flowc's `redundant`).
    parents: dict[str, set[str]] = defaultdict(set)
    for g in groups:
        for m in g["members"]:
            parents[m].add(g["name"])

    def ancestors(name: str) -> set[str]:
        out, stack = {name}, [name]
        while stack:
            for p in parents.get(stack.pop(), ()):
                if p not in out:
                    out.add(p)
                    stack.append(p)
        return out

    def descendants(name: str) -> set[str]:
        out, stack = {name}, [name]
        while stack:
            n = stack.pop()
            for m in group_by_name[n]["members"] if n in group_by_name else ():
                if m not in out:
                    out.add(m)
                    stack.append(m)
        return out

    def covered(src: str, dst: str, svc: str) -> bool:
        for s_ in ancestors(src):
            for d_ in ancestors(dst):
                if (s_, d_, svc) in seen:
                    return True
        for s_ in descendants(src):
            for d_ in descendants(dst):
                if (s_, d_, svc) in seen:
                    return True
        return False

    rules = []
    seen: set[tuple[str, str, str]] = set()
    dst_kinds = list(DST_WEIGHTS)
    dst_w = [DST_WEIGHTS[k] for k in dst_kinds]
    allows = 0
    attempts = 0
    while allows < flows:
        attempts += 1
        if attempts > flows * 50:
            raise SystemExit("generator: cannot find enough distinct flows")
        r = rng.random()
        if r < 0.85:
            dkind = rng.choices(dst_kinds, dst_w)[0]
            dst = pick_endpoint([dkind], 0.35, skew=True)
            svc_pool = KINDS[dkind][1] + (app_services if dkind == "app" else [])
            # Each application server runs one app service most of the time.
            svc = rng.choice(svc_pool)
            src_kinds = CLIENTS[dkind]
        elif r < 0.95:
            dst = pick_endpoint([k for k in DST_WEIGHTS], 0.3, skew=False)
            svc = "s-ssh" if rng.random() < 0.85 else "s-rdp"
            src_kinds = ["admin"]
        else:
            dst = pick_endpoint([k for k in DST_WEIGHTS], 0.3, skew=False)
            svc = "s-prometheus"
            src_kinds = ["mon"]
        if dst is None:
            continue
        dz = ep_zones(dst)
        want_cross = rng.random() < 0.9
        src = None
        for _ in range(20):
            cand = pick_endpoint(src_kinds, 0.45, skew=False)
            if cand is None or cand == dst:
                continue
            sz = ep_zones(cand)
            if want_cross and (sz & dz):
                continue
            if not want_cross and not (sz & dz):
                continue
            src = cand
            break
        if src is None or covered(src, dst, svc):
            continue
        seen.add((src, dst, svc))
        allows += 1
        rules.append({"action": "allow", "src": src, "dst": dst, "service": svc})

    # Denies, across zones only (a deny inside a zone crosses no firewall).
    allow_rules = list(rules)
    denies = []
    zone_list = [z["name"] for z in zones]
    while len(denies) < size["denies"]:
        r = rng.random()
        if r < 0.25:  # quarantine a host from a zone
            h = rng.choice(hosts)
            zn = rng.choice([z for z in zone_list if z != h["zone"]])
            d = {"action": "deny", "src": h["name"], "dst": zn, "service": "any"}
        elif r < 0.65:  # no insecure protocols from a zone or group to a zone
            if rng.random() < 0.5:
                src = rng.choice(zone_list)
            else:
                src = rng.choice(groups)["name"]
            dst_choices = [z for z in zone_list if z not in ep_zones(src)]
            if not dst_choices:
                continue
            d = {"action": "deny", "src": src, "dst": rng.choice(dst_choices),
                 "service": rng.choice(["s-telnet", "s-smb", "s-msrpc", "s-netbios"])}
        else:  # an exception to a group allow: one member may not
            a = rng.choice(allow_rules)
            if a["src"] not in group_by_name:
                continue
            dz = ep_zones(a["dst"])
            members = [m for m in group_by_name[a["src"]]["members"]
                       if m in host_by_name and host_by_name[m]["zone"] not in dz]
            if not members:
                continue
            d = {"action": "deny", "src": rng.choice(members), "dst": a["dst"],
                 "service": a["service"]}
        key = (d["src"], d["dst"], d["service"])
        if key in seen:
            continue
        seen.add(key)
        denies.append(d)

    # Interleave the denies among the allows (flowc: order never matters).
    for d in denies:
        rules.insert(rng.randrange(len(rules) + 1), d)
    for i, rule in enumerate(rules):
        rule["id"] = i

    # Keep only what the rules use (flowc warns about unused services and groups).
    used_services = {r["service"] for r in rules if r["service"] != "any"}
    services = {k: v for k, v in services.items() if k in used_services}
    used_groups: set[str] = set()
    stack = [n for r in rules for n in (r["src"], r["dst"]) if n in group_by_name]
    while stack:
        n = stack.pop()
        if n in used_groups:
            continue
        used_groups.add(n)
        stack.extend(m for m in group_by_name[n]["members"] if m in group_by_name)
    groups = [g for g in groups if g["name"] in used_groups]

    return {
        "generator": "benches/aerleon/gen.py",
        "seed": seed,
        "flows": flows,
        "ipv6": ipv6,
        "zones": zones,
        "core": core,
        "firewalls": firewalls,
        "hosts": hosts,
        "groups": [{"name": g["name"], "members": g["members"]} for g in groups],
        "services": [{"name": k, "openings": v} for k, v in services.items()],
        "rules": rules,
    }


# ---------------------------------------------------------------------------------------------
# Shared helpers on a model.


class Site:
    def __init__(self, model: dict):
        self.m = model
        self.hosts = {h["name"]: h for h in model["hosts"]}
        self.groups = {g["name"]: g for g in model["groups"]}
        self.zones = {z["name"]: z for z in model["zones"]}
        self.zones[model["core"]["name"]] = model["core"]
        # Star topology: the firewall of a zone (the one joining it to core).
        self.fw_of_zone: dict[str, str] = {}
        for fw in model["firewalls"]:
            for zn in fw["zones"]:
                if zn != model["core"]["name"]:
                    self.fw_of_zone[zn] = fw["name"]
        self._zcache: dict[str, frozenset[str]] = {}

    def zones_of(self, name: str) -> frozenset[str]:
        if name in self._zcache:
            return self._zcache[name]
        if name in self.hosts:
            out = frozenset([self.hosts[name]["zone"]])
        elif name in self.groups:
            acc: set[str] = set()
            for mem in self.groups[name]["members"]:
                acc |= self.zones_of(mem)
            out = frozenset(acc)
        elif name in self.zones:
            out = frozenset([name])
        else:
            raise KeyError(name)
        self._zcache[name] = out
        return out

    def firewalls_crossed(self, rule: dict) -> list[str]:
        """The firewalls the rule's traffic crosses: each (source zone, destination zone)
        piece between two different zones goes zone -> fw -> core -> fw -> zone."""
        out: set[str] = set()
        for a in self.zones_of(rule["src"]):
            for b in self.zones_of(rule["dst"]):
                if a != b:
                    out.add(self.fw_of_zone[a])
                    out.add(self.fw_of_zone[b])
        return sorted(out)


def ports_flow(ranges) -> str:
    parts = [str(lo) if lo == hi else f"{lo}..{hi}" for lo, hi in ranges]
    return parts[0] if len(parts) == 1 else "{" + ", ".join(parts) + "}"


# ---------------------------------------------------------------------------------------------
# flowc writer.


def write_flowc(model: dict, out: str) -> dict[int, tuple[str, int]]:
    """Write the site; returns rule id -> (file, line) for cross-references."""
    os.makedirs(os.path.join(out, "hosts"), exist_ok=True)
    os.makedirs(os.path.join(out, "rules"), exist_ok=True)

    def addrs(x: dict) -> str:
        return ", ".join(a for a in (x["v4"], x["v6"]) if a)

    lines = [
        f"# Generated by benches/aerleon/gen.py (seed {model['seed']}, {model['flows']} flows).",
        "# A star: each zone's firewall joins it to the core zone.",
        "",
    ]
    for z in model["zones"] + [model["core"]]:
        lines.append(f"zone {z['name']} = {addrs(z)}")
    lines.append("")
    for fw in model["firewalls"]:
        lines += [f"firewall {fw['name']} {{", f"  zones {', '.join(fw['zones'])}", "}", ""]
    write(os.path.join(out, "topology.flow"), lines)

    by_zone: dict[str, list[str]] = defaultdict(list)
    for h in model["hosts"]:
        by_zone[h["zone"]].append(f"host {h['name']} = {addrs(h)}")
    for zn, hl in sorted(by_zone.items()):
        write(os.path.join(out, "hosts", f"{zn}.flow"), hl)

    write(os.path.join(out, "groups.flow"),
          [f"group {g['name']} = {', '.join(g['members'])}" for g in model["groups"]])

    svc_lines = []
    for s in model["services"]:
        specs = ", ".join(f"{proto} {ports_flow(r)}" for proto, r in s["openings"])
        svc_lines.append(f"service {s['name']} = {specs}")
    write(os.path.join(out, "services.flow"), svc_lines)

    where: dict[int, tuple[str, int]] = {}
    chunk = 5000
    rules = model["rules"]
    for start in range(0, len(rules), chunk):
        fname = f"rules/r{start // chunk:04d}.flow"
        body = []
        for rule in rules[start:start + chunk]:
            body.append(f"{rule['action']} {rule['src']} -> {rule['dst']} : {rule['service']}")
            where[rule["id"]] = (fname, len(body))
        write(os.path.join(out, fname), body)
    return where


# ---------------------------------------------------------------------------------------------
# aerleon writer.


def tok(name: str) -> str:
    """An aerleon naming token for a flowc name."""
    return name.upper().replace("-", "_")


def q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_aerleon(model: dict, out: str, where: dict[int, tuple[str, int]]) -> dict[str, int]:
    """Write def/ and policies/pol/; returns terms per firewall."""
    site = Site(model)
    os.makedirs(os.path.join(out, "def"), exist_ok=True)
    os.makedirs(os.path.join(out, "policies", "pol"), exist_ok=True)

    net = ["networks:"]

    def ip_values(x: dict, host: bool) -> list[str]:
        out_l = []
        for a, plen in ((x["v4"], 32), (x["v6"], 128)):
            if a:
                out_l.append(f"      - address: {a}/{plen}" if host else f"      - address: {a}")
        return out_l

    for z in model["zones"] + [model["core"]]:
        net += [f"  {tok(z['name'])}:", "    values:"] + ip_values(z, False)
    for h in model["hosts"]:
        net += [f"  {tok(h['name'])}:", "    values:"] + ip_values(h, True)
    for g in model["groups"]:
        net += [f"  {tok(g['name'])}:", "    values:"]
        net += [f"      - name: {tok(m)}" for m in g["members"]]
    write(os.path.join(out, "def", "networks.yaml"), net)

    svc = ["services:"]
    for s in model["services"]:
        svc.append(f"  {tok(s['name'])}:")
        for proto, ranges in s["openings"]:
            for lo, hi in ranges:
                port = str(lo) if lo == hi else f"{lo}-{hi}"
                svc += [f"    - port: {port}", f"      protocol: {proto}"]
    write(os.path.join(out, "def", "services.yaml"), svc)

    openings = {s["name"]: s["openings"] for s in model["services"]}

    def terms_for(rule: dict) -> list[list[str]]:
        """One term, or one per protocol when the service's protocols have different ports
        (aerleon applies a term's port list to every protocol of the term)."""
        fname, line = where[rule["id"]]
        action = "accept" if rule["action"] == "allow" else "deny"
        name = f"{rule['action']}-{rule['id']:06d}"
        head = [
            f"      - name: {name}",
            f"        comment: {q(f'{fname}:{line}')}",
            f"        source-address: {tok(rule['src'])}",
            f"        destination-address: {tok(rule['dst'])}",
        ]
        if rule["service"] == "any":
            return [head + [f"        action: {action}"]]
        ops = openings[rule["service"]]
        by_ports: dict[tuple, list[str]] = defaultdict(list)
        for proto, ranges in ops:
            by_ports[tuple(map(tuple, ranges))].append(proto)
        if len(by_ports) == 1:
            protos = next(iter(by_ports.values()))
            return [head + [f"        protocol: {' '.join(protos)}",
                            f"        destination-port: {tok(rule['service'])}",
                            f"        action: {action}"]]
        out_t = []
        for proto, _ in ops:
            t = list(head)
            t[0] = f"      - name: {name}-{proto}"
            out_t.append(t + [f"        protocol: {proto}",
                              f"        destination-port: {tok(rule['service'])}",
                              f"        action: {action}"])
        return out_t

    per_fw: dict[str, list[list[str]]] = {fw["name"]: [] for fw in model["firewalls"]}
    # Deny overrides allow in flowc: in first-match order, every deny comes first.
    for action in ("deny", "allow"):
        for rule in model["rules"]:
            if rule["action"] != action:
                continue
            fws = site.firewalls_crossed(rule)
            if not fws:
                continue
            ts = terms_for(rule)
            for fw in fws:
                per_fw[fw].extend(ts)

    counts = {}
    for fw in model["firewalls"]:
        body = [
            "filters:",
            "  - header:",
            f"      comment: {q('forward policy of ' + fw['name'] + ', generated by benches/aerleon/gen.py')}",
            "      targets:",
            f"        nftables: {'mixed' if model['ipv6'] else 'inet'} forward",
            "    terms:",
        ]
        for t in per_fw[fw["name"]]:
            body += t
        body += ["      - name: default-deny", "        action: deny"]
        write(os.path.join(out, "policies", "pol", f"{fw['name']}.yaml"), body)
        counts[fw["name"]] = len(per_fw[fw["name"]]) + 1
    return counts


def write(path: str, lines: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
        f.write("\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flows", type=int, help="number of allow rules (N)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="output directory (flowc/ and aerleon/)")
    ap.add_argument("--ipv6", action="store_true",
                    help="dual-stack zones (aerleon's mixed nftables output then repeats rules)")
    ap.add_argument("--model-out", help="also write the neutral description as JSON")
    ap.add_argument("--model-in", help="read the neutral description instead of generating")
    args = ap.parse_args()
    if args.model_in:
        with open(args.model_in, encoding="utf-8") as f:
            model = json.load(f)
    else:
        if not args.flows:
            ap.error("--flows or --model-in is required")
        model = build_model(args.flows, args.seed, args.ipv6)
    os.makedirs(args.out, exist_ok=True)
    if args.model_out:
        with open(args.model_out, "w", encoding="utf-8") as f:
            json.dump(model, f, indent=1)
    where = write_flowc(model, os.path.join(args.out, "flowc"))
    counts = write_aerleon(model, os.path.join(args.out, "aerleon"), where)
    allows = sum(1 for r in model["rules"] if r["action"] == "allow")
    summary = {
        "seed": model["seed"],
        "ipv6": model["ipv6"],
        "flows": allows,
        "denies": len(model["rules"]) - allows,
        "zones": len(model["zones"]),
        "firewalls": len(model["firewalls"]),
        "hosts": len(model["hosts"]),
        "groups": len(model["groups"]),
        "services": len(model["services"]),
        "aerleon_terms": sum(counts.values()),
        "aerleon_terms_per_firewall": counts,
    }
    with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != "aerleon_terms_per_firewall"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
