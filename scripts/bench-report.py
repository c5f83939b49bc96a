#!/usr/bin/env python3
"""What the quarterly cycle costs: the round page, the kwartaalrapportage (page, PDF, CSV,
xlsx, snapshot) and closing a round, signed in (so every page is made fresh), on loopback only.

    cargo build --release
    scripts/bench-report.py --data demo|national [--database sqlite|postgres]
                            [--binary target/release/regiomonitor] [--updates 1000]

demo:      the documents' data (`load-demo`); its open round 2025-Q4 (38 plans, 3 updates).
national:  `generate --scale national` (10,000 plans, 100,000 rollout cells, 1,000
           observations); a round 2026-Q4 is opened over every active plan and `--updates`
           of them get a submitted update through the update form, lights mixed.

Measured, each page the median of five requests (the PDF of three), with its size: the round
page, the concept report of the open round; then the round is closed (the snapshot is made:
its time is the closing request's), and the report of the closed round is asked for as page,
PDF, the plans' CSV and xlsx, and the snapshot through the API. The server's peak memory is
reported per step (its peak resident size during the step). The server runs on core 0 and this script on core 1 when `taskset` exists.

Only Python's standard library is used (and scripts/load.py beside it).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import HOST, Client, Form, Memory, free_port, rss_kb  # noqa: E402

EMAIL = "beheer@rapportage.example"
PASSWORD = "rapportage-proef-wachtwoord"


MEMORY = None


def step_peak():
    """The server's peak memory since the last call, in MB (and starts a new step)."""
    if MEMORY is None:
        return 0
    peak, MEMORY.peak = MEMORY.peak, rss_kb(MEMORY.pid)
    return peak / 1024


def timed(client, path, runs):
    times, size, status = [], 0, 0
    for _ in range(runs):
        t = time.monotonic()
        status, _, body = client.request("GET", path)
        times.append(time.monotonic() - t)
        size = len(body)
    if status != 200:
        raise SystemExit(f"GET {path}: {status}")
    return statistics.median(times), size


def human(n):
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f} MB"
    return f"{n / 1000:.0f} KB" if n >= 1000 else f"{n} B"


def post_form(client, page_path, action, extra):
    """Posts the form whose action ends with `action` on `page_path` as a browser would."""
    _, _, page = client.request("GET", page_path)
    form = Form(action)
    form.feed(page.decode())
    fields = [(k, v) for k, v in form.fields if k not in dict(extra)] + list(extra)
    t = time.monotonic()
    status, headers, body = client.form(action if action.startswith("/") else page_path, fields)
    return status, time.monotonic() - t, headers, body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/regiomonitor")
    ap.add_argument("--data", choices=["demo", "national"], default="demo")
    ap.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    ap.add_argument("--updates", type=int, default=1000)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="regiomonitor-report-")
    env = dict(os.environ, REGIOMONITOR_LOG="warn", USER="rapportage")
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    if pin:
        os.sched_setaffinity(0, {1})
    if args.database == "sqlite":
        url = f"sqlite://{work}/bench.db"
    else:
        name = f"rm_report_{os.getpid()}"
        subprocess.run(["psql", f"{args.postgres}/postgres", "-qc", f"CREATE DATABASE {name}"],
                       check=True)
        url = f"{args.postgres}/{name}"
    run = lambda *a, **k: subprocess.run([binary, *a], env=env, check=True, **k)
    server = None
    try:
        if args.data == "demo":
            run("load-demo", "--database", url, stdout=subprocess.DEVNULL)
            period = "2025-Q4"
        else:
            run("generate", "--scale", "national", "--database", url, "--csv", os.devnull,
                "--observations", "1000", stdout=subprocess.DEVNULL)
            period = "2026-Q4"
        if args.database == "postgres":
            subprocess.run(["psql", url, "-qc", "ANALYZE"], check=True)
        run("user", "add", "--email", EMAIL, "--name", "Rapportage", "--role", "beheerder",
            "--database", url, input=f"{PASSWORD}\n".encode(), stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen(pin + [binary, "serve", "--database", url,
                                         "--addr", f"{HOST}:{port}"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                Client(port).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        global MEMORY
        memory = MEMORY = Memory(server.pid)
        memory.start()
        idle = rss_kb(server.pid)
        c = Client(port, timeout=600)
        assert c.sign_in(EMAIL, PASSWORD) == 303, "sign-in failed"
        rows = []

        if args.data == "national":
            status, took, _, _ = post_form(c, "/rondes", "/rondes", [
                ("period", period), ("deadline", "2027-01-15"), ("scope", "alle")])
            assert status == 303, f"opening the round: {status}"
            rows.append(("open the round (all active plans)", took, None, step_peak()))
            _, _, body = c.request("GET", f"/api/v1/rounds/{period}")
            plans = [p["plan_id"] for p in json.loads(body)["plans"]]
            plans = plans[: args.updates]
            lights = None
            saves = []
            for i, plan in enumerate(plans):
                path = f"/rondes/{period}/plannen/{plan}"
                if lights is None:
                    lights = re.findall(rb'name="light" value="([^"]+)"',
                                        c.request("GET", path)[2])
                    lights = [v.decode() for v in lights]
                status, took, _, _ = post_form(c, path, path, [
                    ("light", lights[i % len(lights)]),
                    ("done", f"Voorbeeld: gedaan in {period} voor {plan}."),
                    ("next_steps", "Voorbeeld: de volgende stap."),
                    ("needs", "Voorbeeld: niets."),
                    ("actie", "indienen")])
                assert status == 303, f"update of {plan}: {status}"
                saves.append(took)
            if saves:
                rows.append((f"submit an update (median of {len(saves)})",
                             statistics.median(saves), None, step_peak()))

        step_peak()
        took, size = timed(c, f"/rondes/{period}", 5)
        rows.append((f"/rondes/{period} (open)", took, size, step_peak()))
        took, size = timed(c, f"/rondes/{period}/rapportage", 5)
        rows.append((f"/rondes/{period}/rapportage (concept)", took, size, step_peak()))

        status, took, _, _ = post_form(c, f"/rondes/{period}", f"/rondes/{period}/sluiten",
                                       [("confirm", "ja"), ("as_of", "")])
        assert status == 303, f"closing the round: {status}"
        rows.append(("close the round (the snapshot)", took, None, step_peak()))

        for path, runs in [(f"/rondes/{period}", 5),
                           (f"/rondes/{period}/rapportage", 5),
                           (f"/rondes/{period}/rapportage.pdf", 3),
                           (f"/rondes/{period}/rapportage-plannen.csv", 3),
                           (f"/rondes/{period}/rapportage-plannen.xlsx", 3),
                           (f"/api/v1/rounds/{period}/snapshot", 5)]:
            took, size = timed(c, path, runs)
            rows.append((path + (" (closed)" if path.endswith(period) else ""), took, size,
                         step_peak()))

        memory.running = False
        print(f"\n{args.data} data set, {args.database}, signed in as a beheerder "
              f"(every page made fresh)\n")
        print("| step | time | size | server peak |\n|---|---|---|---|")
        for what, took, size, peak in rows:
            print(f"| {what} | {took * 1000:,.0f} ms | {human(size) if size else ''} "
                  f"| {peak:.0f} MB |")
        print(f"\nserver memory: {idle / 1024:.0f} MB idle, peak {memory.peak / 1024:.0f} MB")
    finally:
        if server:
            server.terminate()
            server.wait()
        if args.database == "postgres":
            subprocess.run(["psql", f"{args.postgres}/postgres", "-qc",
                            f"DROP DATABASE IF EXISTS {name}"], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
