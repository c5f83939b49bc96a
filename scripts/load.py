#!/usr/bin/env python3
"""Load check on the national data set, on loopback only, bounded in time and requests.

    cargo build --release
    scripts/load.py [--binary target/release/regiomonitor] [--database sqlite|postgres]

It makes the national data set (`regiomonitor generate --scale national`, with a CSV of
observations), starts `regiomonitor serve` on 127.0.0.1, and measures:

1. Reads and an import together: the kept dashboard `/` is asked for every 50 ms (one
   visitor), while two clients read `/api/v1/plans` (paged) over and over and
   `regiomonitor import observations` stores half the CSV (1a); then the same with a
   signed-in editor saving an organisation every half second while the other half is
   stored (1b). Every save makes the kept `/` stale, so in 1b `/` is also made fresh.
   Reported: p50/p99 of `/`, the answers the editor got (303 saved, 503 busy with
   Retry-After, never a 500), and the plans API's times.
2. Password bursts: 400 changes of one's password with a wrong current password, 200 at a
   time; then 400 sign-ins for made-up accounts, 200 at a time. Reported: the server's memory
   before, at its peak and 10 s after, and `/` while it happens.

Only Python's standard library is used. Nothing leaves 127.0.0.1.
"""

import argparse
import concurrent.futures as futures
import html.parser
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
PASSWORD = "belasting-proef-wachtwoord"
EMAIL = "beheer@belasting.example"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Form(html.parser.HTMLParser):
    """The fields a browser would send for the first form whose action ends with `action`."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self.select, self.textarea, self.text = None, None, ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("action") or "").endswith(self.action) and not self.fields:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") in ("submit", "button"):
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value") or ""))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, self.text.lstrip("\n")))
            self.textarea = None


class Client:
    def __init__(self, port, timeout=30):
        self.port, self.timeout, self.cookies = port, timeout, {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def form(self, path, fields):
        return self.request("POST", path, urllib.parse.urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def sign_in(self, email, password):
        _, _, page = self.request("GET", "/inloggen")
        token = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
        status, _, _ = self.form("/inloggen", [("email", email), ("password", password),
                                               ("csrf", token), ("terug", "/")])
        return status

    def csrf(self):
        _, _, page = self.request("GET", "/account")
        return re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Memory(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, rss_kb(self.pid))
            except OSError:
                return
            time.sleep(0.05)


class Probe(threading.Thread):
    """One visitor asking for the kept `/` every 50 ms."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.times, self.failures, self.running = port, [], 0, True

    def run(self):
        c = Client(self.port, timeout=10)
        while self.running:
            t = time.monotonic()
            try:
                status, _, _ = c.request("GET", "/")
                if status == 200:
                    self.times.append(time.monotonic() - t)
                else:
                    self.failures += 1
            except OSError:
                self.failures += 1
            time.sleep(max(0, 0.05 - (time.monotonic() - t)))


def percentiles(times):
    if not times:
        return "geen metingen"
    ms = sorted(t * 1000 for t in times)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
    return f"n={len(ms)}, p50 {p(0.50):.1f} ms, p99 {p(0.99):.1f} ms, max {ms[-1]:.1f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/regiomonitor")
    ap.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    ap.add_argument("--observations", type=int, default=3_000_000)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="regiomonitor-load-")
    env = dict(os.environ, REGIOMONITOR_LOG="warn", USER="belasting")
    csv = os.path.join(work, "metingen.csv")
    if args.database == "sqlite":
        url = f"sqlite://{work}/national.db"
    else:
        name = f"rm_load_{os.getpid()}"
        subprocess.run(["psql", f"{args.postgres}/postgres", "-qc", f"CREATE DATABASE {name}"],
                       check=True)
        url = f"{args.postgres}/{name}"
    run = lambda *a, **k: subprocess.run([binary, *a], env=env, check=True, **k)
    server = None
    try:
        t = time.monotonic()
        run("generate", "--scale", "national", "--database", url, "--csv", csv,
            "--observations", str(args.observations), stdout=subprocess.DEVNULL)
        print(f"national data set made in {time.monotonic() - t:.1f} s "
              f"({args.observations:,} observations in the CSV)")
        run("user", "add", "--email", EMAIL, "--name", "Belasting", "--role", "beheerder",
            "--database", url, input=f"{PASSWORD}\n".encode(), stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen([binary, "serve", "--database", url, "--addr", f"{HOST}:{port}"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                Client(port).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        memory = Memory(server.pid)
        memory.start()
        print(f"server memory after start and a first page: {rss_kb(server.pid) / 1024:.0f} MB")

        # 1. Reads and an import together: the CSV in two halves, one import each.
        halves = [os.path.join(work, f"helft-{i}.csv") for i in (1, 2)]
        with open(csv) as f:
            header = f.readline()
            lines = f.readlines()
        for i, path in enumerate(halves):
            with open(path, "w") as out:
                out.write(header)
                out.writelines(lines[i * len(lines) // 2:(i + 1) * len(lines) // 2])
        del lines
        editor = Client(port)
        assert editor.sign_in(EMAIL, PASSWORD) == 303, "sign-in failed"
        _, _, orgs = Client(port).request("GET", "/api/v1/organisations?per_pagina=1")
        org = json.loads(orgs)[0]["id"]
        ok = True
        for phase, (path, with_editor) in enumerate([(halves[0], False), (halves[1], True)]):
            probe = Probe(port)
            probe.start()
            stop = threading.Event()
            api_times, api_status = [], []

            def read_plans():
                c = Client(port, timeout=60)
                page = 1
                while not stop.is_set():
                    t = time.monotonic()
                    status, _, _ = c.request("GET", f"/api/v1/plans?pagina={page}")
                    api_times.append(time.monotonic() - t)
                    api_status.append(status)
                    page = page % 50 + 1

            saves = {}

            def edit():
                n = 0
                while not stop.is_set():
                    _, _, page = editor.request("GET", f"/organisaties/{org}/bewerken")
                    form = Form("/bewerken")
                    form.feed(page.decode())
                    fields = [(k, v) for k, v in form.fields if k != "website"]
                    fields.append(("website", f"https://belasting{n % 2}.example"))
                    status, headers, _ = editor.form(f"/organisaties/{org}/bewerken", fields)
                    key = f"{status}" + (f" (Retry-After {headers['retry-after']})"
                                         if "retry-after" in headers else "")
                    saves[key] = saves.get(key, 0) + 1
                    n += 1
                    time.sleep(0.5)

            workers = [threading.Thread(target=read_plans, daemon=True) for _ in range(2)]
            if with_editor:
                workers.append(threading.Thread(target=edit, daemon=True))
            for th in workers:
                th.start()
            time.sleep(2)
            t = time.monotonic()
            imported = subprocess.run([binary, "import", "observations", path, "--database", url],
                                      env=env, capture_output=True, text=True)
            import_seconds = time.monotonic() - t
            time.sleep(2)
            stop.set()
            for th in workers:
                th.join(timeout=120)
            probe.running = False
            probe.join()
            print(f"\n1{'ab'[phase]}. kept / while two clients read /api/v1/plans (paged)"
                  + (", an editor saves every 0.5 s" if with_editor else "")
                  + " and import observations stores half the CSV")
            last = imported.stderr.strip().splitlines()[-1:] or [""]
            print(f"   import: {'ok' if imported.returncode == 0 else 'FAILED'} in "
                  f"{import_seconds:.1f} s: {last[0][:100]}")
            print(f"   /: {percentiles(probe.times)}; failed or timed out: {probe.failures}")
            print(f"   /api/v1/plans: {percentiles(api_times)}; statuses "
                  f"{ {s: api_status.count(s) for s in set(api_status)} }")
            if with_editor:
                print(f"   editor's saves by status: {saves}")
            print(f"   server memory peak so far: {memory.peak / 1024:.0f} MB")
            ok = ok and imported.returncode == 0 and not any(k.startswith("500") for k in saves)

        # 2. Password bursts.
        probe = Probe(port)
        probe.start()
        before = rss_kb(server.pid)
        memory.peak = before
        csrf = editor.csrf()

        def wrong_current(_):
            s, _, _ = editor.form("/account/wachtwoord",
                                  [("csrf", csrf), ("current", "fout-wachtwoord-123"),
                                   ("new", "nieuw-wachtwoord-12345"),
                                   ("repeat", "nieuw-wachtwoord-12345")])
            return s

        def made_up(i):
            return Client(port, timeout=120).sign_in(f"gok{i}@belasting.example", "fout-ww-123")

        t = time.monotonic()
        with futures.ThreadPoolExecutor(200) as pool:
            first = list(pool.map(wrong_current, range(400)))
            second = list(pool.map(made_up, range(400)))
        burst_seconds = time.monotonic() - t
        time.sleep(10)
        after = rss_kb(server.pid)
        probe.running = False
        probe.join()
        count = lambda xs: {s: xs.count(s) for s in set(xs)}
        print("\n2. 400 wrong current passwords, then 400 sign-ins for made-up accounts, "
              "200 at a time")
        print(f"   answers: password change {count(first)}, sign-in {count(second)}; "
              f"{burst_seconds:.1f} s in all")
        print(f"   memory: before {before / 1024:.0f} MB, peak {memory.peak / 1024:.0f} MB, "
              f"10 s after {after / 1024:.0f} MB")
        print(f"   / meanwhile: {percentiles(probe.times)}; failed or timed out: {probe.failures}")
        sys.exit(0 if ok else 1)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
        if args.database == "postgres":
            subprocess.run(["psql", f"{args.postgres}/postgres", "-qc",
                            f"DROP DATABASE IF EXISTS rm_load_{os.getpid()}"])


if __name__ == "__main__":
    main()
