"""`mmret demo` as a new user runs it on a fresh machine, timed: the 600 s budget of the pipeline issue.

Each round is a fresh process running `mmret demo --out <tmp> --force` with EMPTY caches: `MMRET_CACHE` (so the toy KB
is built and every model trained), `NUMBA_CACHE_DIR` (so numba compiles ranx's kernels from scratch), `MPLCONFIGDIR`
(matplotlib's font cache) and `HF_HOME` (nothing may come from a Hugging Face cache). Measured per round: the wall
clock of the whole process (interpreter start and imports included), the seconds of each stage (from the stage log
that `mmret demo` prints, one line per stage: the time between consecutive lines), the start-up before the first stage,
the CPU seconds and the peak RSS of the process (`ru_maxrss` from `wait4`: the largest resident set of the process and
of any child it waited for), the load average before and after. The median over the rounds is the figure.

    python benchmarks/demo.py [--rounds 3] [--json benchmarks/demo.json]

Writes the rounds, their medians and the machine to `--json` (default benchmarks/demo.json), which README.md points to.
"""
import argparse, json, os, platform, re, shutil, statistics, subprocess, sys, tempfile, time
from datetime import datetime, timezone
from pathlib import Path

BUDGET_S = 600
STAGE = re.compile(r"^\[\s*(?P<t>[\d.]+)s\] (?P<name>\S+)\s+(?P<how>done|reused)\s")  # a progress line of run_pipeline


def machine()->dict:
    "The machine the rounds ran on."
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")),
               platform.processor() or platform.machine()) if Path("/proc/cpuinfo").exists() else platform.processor()
    mem = next((int(l.split()[1]) * 1024 for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")), None) \
          if Path("/proc/meminfo").exists() else None
    import torch
    return {"platform": platform.platform(), "cpu": cpu, "cpu_count": os.cpu_count(),
            "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "memory_bytes": mem, "python": platform.python_version(), "torch": torch.__version__,
            "torch_threads": torch.get_num_threads()}


def command()->list:
    "The `mmret` console script beside this interpreter (what a user types), else the same entry point through python -c."
    script = Path(sys.executable).parent/"mmret"
    return [str(script)] if script.exists() else [sys.executable, "-c", "import sys; from mmret.cli import main; sys.exit(main(sys.argv[1:]))"]


def one_round(i:int)->dict:
    "One fresh-process `mmret demo --force` with empty caches."
    with tempfile.TemporaryDirectory(prefix="mmret-demo-bench-") as tmp:
        tmp = Path(tmp)
        caches = {"MMRET_CACHE": tmp/"mmret-cache", "NUMBA_CACHE_DIR": tmp/"numba-cache", "MPLCONFIGDIR": tmp/"matplotlib",
                  "HF_HOME": tmp/"huggingface"}
        for p in caches.values(): p.mkdir()
        env = {**os.environ, **{k: str(v) for k, v in caches.items()}, "PYTHONUNBUFFERED": "1"}
        out = tmp/"mmret-demo"
        load_before = os.getloadavg()
        t0 = time.perf_counter()
        errf = open(tmp/"stderr.txt", "w+")   # a file, not a pipe: a full stderr pipe would block the demo
        proc = subprocess.Popen([*command(), "demo", "--out", str(out), "--force"], env=env, stdout=subprocess.PIPE,
                                stderr=errf, text=True)
        lines = []   # (seconds since the start of the process, line)
        for line in proc.stdout: lines.append((time.perf_counter() - t0, line.rstrip("\n")))
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        errf.seek(0); err = errf.read(); errf.close(); proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0: raise SystemExit(f"round {i}: mmret demo failed (exit {proc.returncode}):\n{err[-3000:]}")
        stages, prev, first = {}, 0.0, None
        for at, l in lines:
            m = STAGE.match(l)
            if not m: continue
            if m["how"] != "done": raise SystemExit(f"round {i}: stage {m['name']} was reused from an empty cache: {l}")
            t = float(m["t"])
            if first is None: first = at - t   # process start -> the pipeline's clock started
            stages[m["name"]] = round(t - prev, 2); prev = t
        missing = [f for f in ("report.md", "report.tex", "qrels-test.trec", "viewer/index.html", "config.yaml") if not (out/f).is_file()]
        if missing: raise SystemExit(f"round {i}: the demo wrote no {missing}")
        return {"wall_s": round(wall, 2), "startup_s": round(first, 2), "pipeline_s": round(prev, 2), "stages_s": stages,
                "cpu_s": round(ru.ru_utime + ru.ru_stime, 1), "peak_rss_bytes": ru.ru_maxrss * 1024,
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
                "runs": sorted(p.stem for p in (out/"runs").glob("*.trec")),
                "numba_kernels_compiled": sum(1 for _ in (tmp/"numba-cache").rglob("*.nbc"))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="fresh-process rounds (median reported)")
    ap.add_argument("--json", type=Path, default=Path(__file__).resolve().parent/"demo.json", help="where to write the results")
    a = ap.parse_args()
    mach = machine()
    print(f"mmret demo benchmark, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {mach['cpu']}, {mach['cpus_usable']} usable "
          f"of {mach['cpu_count']} CPU cores, torch {mach['torch']} ({mach['torch_threads']} threads); load average "
          f"{os.getloadavg()[0]:.1f}; command: {' '.join(command()[:1])} demo --out TMP --force, empty caches")
    rounds = []
    for i in range(a.rounds):
        r = one_round(i); rounds.append(r)
        print(f"round {i + 1}: {r['wall_s']:.1f} s wall (start-up {r['startup_s']:.1f} s, pipeline {r['pipeline_s']:.1f} s), "
              f"{r['cpu_s']:.0f} CPU s, peak RSS {r['peak_rss_bytes'] / 2**30:.2f} GiB, load average "
              f"{r['load_average_before'][0]:.1f} -> {r['load_average_after'][0]:.1f}, {r['numba_kernels_compiled']} numba kernels compiled")
    med = lambda xs: round(statistics.median(xs), 2)
    names = list(rounds[0]["stages_s"])
    median = {"wall_s": med([r["wall_s"] for r in rounds]), "startup_s": med([r["startup_s"] for r in rounds]),
              "stages_s": {n: med([r["stages_s"].get(n, 0.0) for r in rounds]) for n in names},
              "cpu_s": med([r["cpu_s"] for r in rounds]), "peak_rss_bytes": int(statistics.median(r["peak_rss_bytes"] for r in rounds))}
    print(f"\n{'stage':<20} " + " ".join(f"{'round ' + str(i + 1):>9}" for i in range(len(rounds))) + f" {'median':>9}")
    for n in ["(start-up)", *names]:
        vals = [r["startup_s"] if n == "(start-up)" else r["stages_s"].get(n, 0.0) for r in rounds]
        print(f"{n:<20} " + " ".join(f"{v:9.1f}" for v in vals) + f" {med(vals):9.1f}")
    print(f"{'whole process':<20} " + " ".join(f"{r['wall_s']:9.1f}" for r in rounds) + f" {median['wall_s']:9.1f}")
    within = max(r["wall_s"] for r in rounds) <= BUDGET_S
    print(f"\nmedian {median['wall_s']:.0f} s wall clock over {len(rounds)} rounds, slowest {max(r['wall_s'] for r in rounds):.0f} s: "
          f"{'within' if within else 'OVER'} the {BUDGET_S} s budget; peak RSS {median['peak_rss_bytes'] / 2**30:.2f} GiB")
    res = {"benchmark": "mmret demo --out TMP --force, fresh process, empty MMRET_CACHE, NUMBA_CACHE_DIR, MPLCONFIGDIR and HF_HOME",
           "date": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "machine": mach, "budget_s": BUDGET_S,
           "within_budget": within, "median": median, "rounds": rounds}
    tmp = a.json.with_name(f".{a.json.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(res, indent=1) + "\n"); os.replace(tmp, a.json)
    print(f"written to {a.json}")


if __name__ == "__main__":
    main()
