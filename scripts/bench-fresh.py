#!/usr/bin/env python3
"""Pages made fresh for a signed-in visitor on the national data set, next to Datasette.

    cargo build --release --no-default-features
    cargo bench --no-default-features --bench fresh --no-run
    scripts/bench-fresh.py [--database sqlite|postgres] [--data national|demo]
                           [--seconds 10] [--connections 16]
                           [--observations 10000000] [--work target/bench-fresh]
                           [--paths /,/gemeenten/GM0100] [--no-datasette]

The data set is `generate --scale national` with its observations imported through the real
path; it is made once in --work and reused (SQLite: `n.db`; PostgreSQL: the database
`rm_fresh`). The server (`serve`) runs on core 0, the load generator (`benches/fresh.rs`) on
core 1. Measured per page, with --connections keep-alive connections for --seconds seconds:

- fresh: signed in as a lezer (signed-in pages are never kept, so every answer is made
  fresh): p50, p99, requests per second, the page's size;
- kept: the same page for an anonymous visitor (served from the kept pages where it is kept);
- after a write: an editor saves an organisation, then 64 signed-in readers ask for `/` at
  the same moment: their p50/p99 and how many times the start page's counts were made (the
  server's log, `regiomonitor::web::shared` at debug);
- memory: the server's resident size when idle and its peak during all of the above;
- Datasette (SQLite only, installed from PyPI into a venv in --work): the canned queries that
  answer the start page's per-gemeente counts and a gemeente's plan list, as HTML pages, with
  the same load; the ratio is regiomonitor's fresh requests per second over Datasette's.

Nothing leaves 127.0.0.1 except pip's download of Datasette (skipped with a message when it
cannot be installed).
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import HOST, Client, Form, Memory, free_port, rss_kb  # noqa: E402

READER = ("lezer@fresh.example", "lezer-proef-wachtwoord")
EDITOR = ("beheer@fresh.example", "beheer-proef-wachtwoord")
PAGES = [
    "/",
    "/gemeenten",
    "/gemeenten/GM0100",
    "/plannen",
    "/plannen/plan-00001",
    "/indicatoren",
    "/indicatoren/kpi-001",
    "/wijzigingen",
    "/werkagenda",
    "/financiering",
    "/zoeken?q=plan",
    "/api/v1/plans",
    "/api/v1/plans?pagina=25",
]
# The documents' data (`load-demo`): the same kinds of page.
DEMO_PAGES = [
    "/",
    "/gemeenten",
    "/gemeenten/GM0355",
    "/plannen",
    "/plannen/versterken-eerstelijn",
    "/indicatoren",
    "/indicatoren/mtvp-consultduur",
    "/wijzigingen",
    "/werkagenda?jaar=2025",
    "/financiering?jaar=2026",
    "/zoeken?q=huisarts",
    "/api/v1/plans",
]
DATASETTE_VERSION = "0.65.1"

# The start page's counts in SQL: every rollout's status per gemeente (the canned query).
COUNTS_SQL = """
SELECT a.id, a.name,
       sum(r.status = 'niet-gestart') AS niet_gestart, sum(r.status = 'gepland') AS gepland,
       sum(r.status = 'opstart') AS opstart, sum(r.status = 'loopt') AS loopt,
       sum(r.status = 'geborgd') AS geborgd, sum(r.status = 'nvt') AS nvt, count(*) AS alle
  FROM rollouts r JOIN areas a ON a.id = r.gemeente_id
 GROUP BY a.id ORDER BY a.id
"""
# The same with what a gemeente inherits: every plan whose working area holds the gemeente
# and that has no fact of the gemeente's own counts by its stage.
COUNTS_INHERITED_SQL = """
WITH wa AS (
  SELECT plan_id, area_id FROM plan_areas
  UNION SELECT id, area_id FROM plans WHERE id NOT IN (SELECT plan_id FROM plan_areas)),
cov AS (
  SELECT DISTINCT wa.plan_id, g.id AS gemeente_id
    FROM wa JOIN areas g ON g.kind = 'gemeente'
     AND (g.id = wa.area_id OR g.parent_id = wa.area_id
          OR wa.area_id IN (SELECT id FROM areas WHERE kind = 'regio'))),
via AS (
  SELECT c.gemeente_id, p.stage FROM cov c JOIN plans p ON p.id = c.plan_id
   WHERE p.archived = 0
     AND NOT EXISTS (SELECT 1 FROM rollouts r WHERE r.plan_id = c.plan_id
                                                AND r.gemeente_id = c.gemeente_id))
SELECT a.id, a.name, o.loopt, o.gepland, o.alle, v.via_loopt, v.via_gepland, v.via_alle
  FROM areas a
  LEFT JOIN (SELECT gemeente_id, sum(status IN ('opstart', 'loopt', 'geborgd')) AS loopt,
                    sum(status = 'gepland') AS gepland, count(*) AS alle
               FROM rollouts GROUP BY gemeente_id) o ON o.gemeente_id = a.id
  LEFT JOIN (SELECT gemeente_id,
                    sum(stage IN ('opstartfase', 'implementatiefase', 'loopt', 'geborgd'))
                      AS via_loopt,
                    sum(stage IN ('planvorming', 'snelle-toets-ingediend',
                                  'snelle-toets-goedgekeurd', 'tp-ingediend', 'tp-goedgekeurd'))
                      AS via_gepland,
                    count(*) AS via_alle
               FROM via GROUP BY gemeente_id) v ON v.gemeente_id = a.id
 WHERE a.kind = 'gemeente' ORDER BY a.id
"""
# A gemeente's plans with their rollout status there.
GEMEENTE_SQL = """
SELECT p.id, p.name, p.stage, r.status, r.date
  FROM plans p JOIN rollouts r ON r.plan_id = p.id
 WHERE r.gemeente_id = :code ORDER BY p.position
"""


def load_gen(bench, port, paths, cookie, seconds, connections, mode="load", burst=64):
    env = dict(os.environ, FRESH_ADDR=f"{HOST}:{port}", FRESH_PATHS=",".join(paths),
               FRESH_COOKIE=cookie or "", FRESH_MODE=mode, SECONDS=str(seconds),
               CONNECTIONS=str(connections), BURST=str(burst))
    pin = ["taskset", "-c", "1"] if shutil.which("taskset") else []
    out = subprocess.run(pin + [bench], env=env, capture_output=True, text=True)
    if out.stderr.strip():
        print(out.stderr.strip()[-300:], flush=True)
    if out.returncode != 0:
        raise SystemExit(f"load generator failed on {paths}: {out.stderr.strip()[-500:]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def wait_for(port, path="/api/openapi.json"):
    for _ in range(600):
        try:
            Client(port).request("GET", path)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not start")


def human(n):
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f} MB"
    return f"{n / 1000:.0f} KB" if n >= 1000 else f"{n} B"


def make_data(binary, env, url, work, observations, database, data):
    csv = os.path.join(work, "national.csv")
    run = lambda *a: subprocess.run([binary, *a], env=env, check=True,
                                    stdout=subprocess.DEVNULL)
    t = time.monotonic()
    if data == "demo":
        run("load-demo", "--database", url)
        observations = 0
    else:
        run("generate", "--scale", "national", "--database", url, "--csv", csv,
            "--observations", str(observations))
    if observations:
        run("import", "observations", csv, "--database", url)
    if database == "postgres":
        subprocess.run(["psql", url, "-qc", "ANALYZE"], check=True)
    for email, password in (READER, EDITOR):
        role = "lezer" if email == READER[0] else "beheerder"
        subprocess.run([binary, "user", "add", "--email", email, "--name", role.title(),
                        "--role", role, "--database", url], env=env, check=True,
                       input=f"{password}\n".encode(), stdout=subprocess.DEVNULL)
    print(f"{data} data set made in {time.monotonic() - t:.0f} s "
          f"({observations:,} observations imported)", flush=True)


def datasette(work, db, bench, seconds, connections, port_counts):
    """Datasette's requests per second on the canned queries, or a message why not."""
    venv = os.path.join(work, "venv")
    exe = os.path.join(venv, "bin", "datasette")
    if not os.path.exists(exe):
        made = subprocess.run([sys.executable, "-m", "venv", venv], capture_output=True)
        if made.returncode == 0:
            made = subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q",
                                   f"datasette=={DATASETTE_VERSION}"], capture_output=True)
        if made.returncode != 0 or not os.path.exists(exe):
            return None, f"Datasette could not be installed: {made.stderr.decode()[-300:]}"
    metadata = os.path.join(work, "datasette.json")
    name = os.path.splitext(os.path.basename(db))[0]
    with open(metadata, "w") as f:
        json.dump({"databases": {name: {"queries": {
            "telling": {"sql": COUNTS_SQL},
            "telling_met_plan": {"sql": COUNTS_INHERITED_SQL},
            "gemeente": {"sql": GEMEENTE_SQL},
        }}}}, f)
    port = free_port()
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    server = subprocess.Popen(pin + [exe, "serve", db, "--metadata", metadata, "-h", HOST,
                                     "-p", str(port), "--setting", "sql_time_limit_ms", "60000",
                                     "--setting", "num_sql_threads", "3"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, "/-/versions.json")
        paths = {f"/{name}/telling": "counts", f"/{name}/telling_met_plan": "counts_inherited",
                 f"/{name}/gemeente?code=GM0100": "gemeente"}
        results = {}
        for path, key in paths.items():
            status, _, _ = Client(port, timeout=600).request("GET", path)
            if status != 200:
                return None, f"Datasette answered {status} on {path}"
            results[key] = load_gen(bench, port, [path], None, seconds, connections)[0]
        return results, None
    finally:
        server.terminate()
        server.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/regiomonitor")
    ap.add_argument("--bench", default=None, help="the fresh bench binary (target/release/deps/fresh-*)")
    ap.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    ap.add_argument("--observations", type=int, default=10_000_000)
    ap.add_argument("--work", default="target/bench-fresh")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--data", choices=["national", "demo"], default="national")
    ap.add_argument("--paths", default=None, help="comma-separated; default: the data's pages")
    ap.add_argument("--no-datasette", action="store_true")
    ap.add_argument("--label", default="")
    ap.add_argument("--bursts", type=int, default=3, help="writes, each followed by 64 readers")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    bench = args.bench or max(
        (p for p in glob.glob("target/release/deps/fresh-*") if os.access(p, os.X_OK)
         and not p.endswith(".d")), key=os.path.getmtime, default=None)
    if not bench:
        raise SystemExit("no load generator: cargo bench --no-default-features --bench fresh --no-run")
    bench = os.path.abspath(bench)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, REGIOMONITOR_LOG="warn,regiomonitor::web::shared=debug",
               USER="fresh")
    if args.paths is None:
        args.paths = ",".join(DEMO_PAGES if args.data == "demo" else PAGES)
    if args.database == "sqlite":
        db = os.path.join(work, "n.db" if args.data == "national" else "demo.db")
        url = f"sqlite://{db}"
        fresh_data = not os.path.exists(db)
    else:
        name = "rm_fresh" if args.data == "national" else "rm_fresh_demo"
        url = f"{args.postgres}/{name}"
        exists = subprocess.run(["psql", f"{args.postgres}/postgres", "-tAc",
                                 f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                                capture_output=True, text=True).stdout.strip() == "1"
        if not exists:
            subprocess.run(["psql", f"{args.postgres}/postgres", "-qc",
                            f"CREATE DATABASE {name}"], check=True)
        fresh_data = not exists
    if fresh_data:
        make_data(binary, env, url, work, args.observations, args.database, args.data)

    port = free_port()
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    log = open(os.path.join(work, f"server-{args.database}.log"), "w+")
    server = subprocess.Popen(pin + [binary, "serve", "--database", url,
                                     "--addr", f"{HOST}:{port}"],
                              env=env, stdout=subprocess.DEVNULL, stderr=log)
    rows = []
    try:
        wait_for(port)
        time.sleep(1)
        idle = rss_kb(server.pid) / 1024
        memory = Memory(server.pid)
        memory.start()
        reader, editor = Client(port, timeout=600), Client(port, timeout=600)
        assert reader.sign_in(*READER) == 303, "the lezer could not sign in"
        assert editor.sign_in(*EDITOR) == 303, "the beheerder could not sign in"
        cookie = "; ".join(f"{k}={v}" for k, v in reader.cookies.items())
        paths = [p for p in args.paths.split(",") if p]
        for path in paths:
            # One request first, alone: it finds the database's pages cold after a start (the
            # operating system's cache), which the measured requests then do not.
            t = time.monotonic()
            reader.request("GET", path)
            print(f"{path}: first request alone {(time.monotonic() - t) * 1000:.0f} ms", flush=True)
            fresh = load_gen(bench, port, [path], cookie, args.seconds, args.connections)[0]
            kept = load_gen(bench, port, [path], None, args.seconds, args.connections)[0]
            rows.append((path, fresh, kept))
            print(f"{path}: fresh p50 {fresh['p50_ms']:.1f} ms p99 {fresh['p99_ms']:.1f} ms "
                  f"{fresh['per_second']:.1f} req/s ({human(fresh['bytes'])}); "
                  f"anonymous {kept['per_second']:.1f} req/s", flush=True)

        # A write, then 64 signed-in readers of the start page at once.
        _, _, orgs = Client(port).request("GET", "/api/v1/organisations?per_pagina=1")
        org = json.loads(orgs)[0]["id"]
        bursts = []
        for n in range(args.bursts):
            _, _, page = editor.request("GET", f"/organisaties/{org}/bewerken")
            form = Form("/bewerken")
            form.feed(page.decode())
            fields = [(k, v) for k, v in form.fields if k != "website"]
            fields.append(("website", f"https://fresh{n}.example"))
            log.flush()
            before = open(log.name).read().count("made a shared part")
            status, _, _ = editor.form(f"/organisaties/{org}/bewerken", fields)
            assert status == 303, f"the write failed: {status}"
            burst = load_gen(bench, port, ["/"], cookie, 0, 0, mode="burst", burst=64)[0]
            time.sleep(0.2)
            burst["renders"] = open(log.name).read().count("made a shared part") - before
            bursts.append(burst)
            print(f"after a write, 64 readers of /: p50 {burst['p50_ms']:.1f} ms "
                  f"p99 {burst['p99_ms']:.1f} ms, {burst['refused']} not answered with a 200, "
                  f"counts made {burst['renders']} time(s)", flush=True)
        memory.running = False
        peak = memory.peak / 1024
        print(f"server memory: idle {idle:.0f} MB, peak {peak:.0f} MB (+{peak - idle:.0f} MB)")
    finally:
        server.terminate()
        server.wait()

    ds, why = (None, "PostgreSQL: Datasette reads SQLite only") if args.database != "sqlite" \
        else (None, "--no-datasette") if args.no_datasette \
        else (None, "the demo: Datasette is compared on the national set") if args.data == "demo" \
        else datasette(work, db, bench, args.seconds, args.connections, None)
    if why:
        print(f"Datasette skipped: {why}")

    print(f"\n| page | backend | size | fresh p50 | fresh p99 | fresh req/s | anonymous req/s "
          f"| Datasette req/s | ratio |{args.label}")
    print("|---|---|---|---|---|---|---|---|---|")
    compare = {"/": ["counts", "counts_inherited"], "/gemeenten/GM0100": ["gemeente"]}
    if args.data == "demo":
        compare = {}
    for path, fresh, kept in rows:
        ds_cells = ("–", "–")
        if ds and path in compare:
            rates = [ds[k]["per_second"] for k in compare[path]]
            ds_cells = (" / ".join(f"{r:.1f}" for r in rates),
                        " / ".join(f"{fresh['per_second'] / r:.1f}×" for r in rates))
        print(f"| `{path}` | {args.database} | {human(fresh['bytes'])} | "
              f"{fresh['p50_ms']:.1f} ms | {fresh['p99_ms']:.1f} ms | "
              f"{fresh['per_second']:.1f} | {kept['per_second']:.1f} | {ds_cells[0]} | "
              f"{ds_cells[1]} |")
    for b in bursts:
        print(f"| `/` after a write, 64 at once | {args.database} | | {b['p50_ms']:.1f} ms | "
              f"{b['p99_ms']:.1f} ms | {b['refused']} not 200 | | counts made "
              f"{b['renders']}× | |")
    print(f"server memory idle {idle:.0f} MB, peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
