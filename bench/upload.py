"""Upload benchmark: the portal's upload path against a bare Litestar peer.

Run it with ``make bench`` (or ``.venv/bin/python -m bench.upload``). Both servers run
under uvicorn in their own subprocess on a free loopback port, so that their memory is
measured alone (``/proc/<pid>/status``: VmHWM, the peak RSS, reset per upload through
``/proc/<pid>/clear_refs`` where the kernel allows it). The same client code (httpx,
multipart field ``file``, the file object streamed from disk) uploads the same
generated 200 MiB PDF to each, five times, alternating portal, bare and bare+sha256 (each upload
after an ``os.sync()``), after one small warm-up upload to each.

1. The portal: ``uvicorn app:create_app --factory`` on SQLite, file sessions, storage
   and data directory in a temporary directory; migrated and given an authority and API
   client with the CLI, a room for Erika created through ``POST /api/v1/rooms``; Erika
   logs in through the development IdP and uploads to ``/rooms/<id>/uploads`` with the
   CSRF token in the ``x-csrftoken`` header, as the page's upload script sends it.
   clamd is pointed at a socket that does not exist, so the scanner stays idle (fail
   closed: the files stay quarantined) instead of scanning 200 MiB on the server's CPU.
2. The bare peer: ``bench/bare_app.py`` streams ``request.stream()`` to a temporary file.
3. The same bare server's ``/upload-hashed``: the bare handler plus SHA-256 in a worker
   thread, the least any upload path must do that keeps the hash of every file (as the
   portal must). Its ratio to the bare handler is the ceiling on this machine.

The result is a table with the median throughput of each, the portal/bare ratio (goal
>= 0.8), the same ratio for the hashing peer and the portal against it, and the peak
RSS growth of each server (goal for the portal: < 64 MiB), with PASS/FAIL. It is a
benchmark, not a test: the exit code is 0 whatever the numbers (non-zero only when
the benchmark itself could not run).

Options: ``--size-mb N`` (default 200), ``--reps N`` (default 5), ``--breakdown``
(also time the stages of the portal's upload path in this process, without HTTP).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import io
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from tests.login import csrf, login

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
GOAL_RATIO = 0.8
GOAL_PORTAL_RSS_MIB = 64
PDF_HEADER = b"%PDF-1.4\n"
WARMUP_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# What rooms.files.filetypes refuses in a PDF's head (a polyglot): never in the generated file.
POLYGLOT_MARKERS = (b"<html", b"<script", b"<svg", b"<iframe", b"<body", b"<!doctype html")
HTTP_TIMEOUT = httpx.Timeout(300.0, connect=10.0)


# ------------------------------------------------------------------------ processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    base_url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid


@dataclass
class Processes:
    """Every subprocess this run started, so each is stopped (by its pid) on every path."""

    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
            )
        self.started.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in reversed(self.started):
            with contextlib.suppress(Exception):
                self.stop(proc)


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def run_cli(args: list[str], env: dict[str, str], log: Path) -> str:
    """``python -m app.cli ARGS`` with the portal's environment; its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    with log.open("a") as out:
        out.write(f"$ antragsraum {' '.join(args)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise RuntimeError(f"antragsraum {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


async def wait_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + 30.0
    async with httpx.AsyncClient(base_url=server.base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.proc.poll() is not None:
                break
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(path)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{server.name} did not start:\n{log_tail(server.log)}")


def start_uvicorn(
    procs: Processes, name: str, target: list[str], env: dict[str, str], log: Path, port: int
) -> Server:
    args = [sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--ws", "websockets-sansio", "--log-level", "warning", "--no-access-log"]
    proc = procs.start(args, env, log)
    return Server(name, proc, f"http://127.0.0.1:{port}", log)


# ---------------------------------------------------------------------- /proc stats


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (peak RSS) of ``pid`` in bytes."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0, same user); False if refused."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the whole process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def io_counters(pid: int) -> dict[str, int]:
    try:
        text = Path(f"/proc/{pid}/io").read_text()
    except OSError:
        return {}
    return {k: int(v) for k, _, v in (line.partition(": ") for line in text.splitlines())}


# ------------------------------------------------------------------------- the file


def make_pdf(path: Path, size: int, seed: int = 20260) -> None:
    """A valid PDF header, then pseudo-random bytes, written in 1 MiB pieces."""
    rng = random.Random(seed)  # test data, not a secret
    with path.open("wb") as out:
        out.write(PDF_HEADER)
        left = size - len(PDF_HEADER)
        first = True
        while left > 0:
            piece = rng.randbytes(min(MiB, left))
            if first:  # the type check sniffs the head: keep it free of markup
                while any(m in piece[:8192].lower() for m in POLYGLOT_MARKERS):
                    piece = rng.randbytes(len(piece))
                first = False
            out.write(piece)
            left -= len(piece)


# ---------------------------------------------------------------------- measurement


@dataclass
class Sample:
    seconds: float
    rss_growth: int  # peak RSS during the upload minus RSS before it
    cpu: float  # the server's CPU time during the upload
    client_cpu: float  # this process's
    tail: float  # from the client's last byte to the response
    written: int


@dataclass
class Result:
    name: str
    size: int
    samples: list[Sample] = field(default_factory=list)
    baseline_rss: int = 0
    overall_peak: int = 0  # highest VmHWM seen while measuring
    peak_reset: bool = True
    last_body: Any = None
    note: str = ""

    @property
    def median_mibps(self) -> float:
        return statistics.median(self.size / MiB / s.seconds for s in self.samples)

    @property
    def max_growth(self) -> int:
        return max(s.rss_growth for s in self.samples)

    @property
    def overall_growth(self) -> int:
        return self.overall_peak - self.baseline_rss


class TimedFile(io.FileIO):
    """The uploaded file object (unbuffered; httpx reads it in 64 KiB chunks).

    It notes when httpx read its end: the body's last byte is on its way, so what
    follows until the response is the server's work after the body (plus draining the
    socket buffers, a few MiB on loopback).
    """

    drained_at: float | None = None

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        if not data and self.drained_at is None:
            self.drained_at = time.perf_counter()
        return data


async def post_file(
    client: httpx.AsyncClient, url: str, params: dict[str, str], path: Path
) -> tuple[httpx.Response, float | None]:
    """The one upload the benchmark times: multipart ``file``, streamed from ``path``.

    Returns the response and when the client had read the whole file.
    """
    with TimedFile(path, "r") as fh:
        response = await client.post(
            url, params=params, files={"file": (path.name, fh, "application/pdf")}
        )
        return response, fh.drained_at


@dataclass
class Target:
    """A running server, a client to it and where to upload: what one sample needs."""

    server: Server
    client: httpx.AsyncClient
    url: str
    params: dict[str, str]
    expect: int
    result: Result


async def upload_once(target: Target, path: Path, rep: int) -> None:
    """One timed upload of ``path``, with the server's peak RSS, CPU and disk writes."""
    server, result, pid = target.server, target.result, target.server.pid
    os.sync()  # nobody's earlier writes are flushed during this upload
    reset = reset_peak(pid)
    result.peak_reset = result.peak_reset and reset
    before = proc_status(pid)
    if not result.baseline_rss:
        result.baseline_rss = before["VmRSS"]
    cpu0, io0, own0 = cpu_seconds(pid), io_counters(pid), os.times()
    start = time.perf_counter()
    response, drained = await post_file(target.client, target.url, target.params, path)
    end = time.perf_counter()
    own1 = os.times()
    after, io1 = proc_status(pid), io_counters(pid)
    if response.status_code != target.expect:
        raise RuntimeError(
            f"{server.name}: upload answered {response.status_code}, expected {target.expect}:"
            f"\n{response.text[:800]}\n{log_tail(server.log)}"
        )
    sample = Sample(
        seconds=end - start,
        rss_growth=after["VmHWM"] - (before["VmRSS"] if reset else before["VmHWM"]),
        cpu=cpu_seconds(pid) - cpu0,
        client_cpu=(own1.user + own1.system) - (own0.user + own0.system),
        tail=end - (drained or end),
        written=io1.get("write_bytes", 0) - io0.get("write_bytes", 0),
    )
    result.samples.append(sample)
    with contextlib.suppress(ValueError):
        result.last_body = response.json()
    result.overall_peak = max(result.overall_peak, after["VmHWM"])
    rate = result.size / MiB / sample.seconds
    print(
        f"  #{rep} {result.name:<11} {sample.seconds:6.2f} s {rate:7.1f} MiB/s"
        f"  peak RSS +{sample.rss_growth / MiB:5.1f} MiB  server CPU {sample.cpu:5.2f} s",
        flush=True,
    )


def base_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTRAGSRAUM_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    env["TMPDIR"] = str(tmp)
    return env


def portal_env(tmp: Path, port: int, clamd: str) -> dict[str, str]:
    env = base_env(tmp)
    env.update(
        {
            "ANTRAGSRAUM_APP__MODE": "development",
            "ANTRAGSRAUM_APP__SEED_DEMO": "false",
            "ANTRAGSRAUM_DATABASE__URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
            "ANTRAGSRAUM_APP__DATA_DIR": str(tmp / "var"),
            "ANTRAGSRAUM_STORAGE__BACKEND": "filesystem",
            "ANTRAGSRAUM_STORAGE__PATH": str(tmp / "files"),
            "ANTRAGSRAUM_APP__BASE_URL": f"http://127.0.0.1:{port}",
            "ANTRAGSRAUM_UPLOADS__MAX_FILE_MB": "250",
            "ANTRAGSRAUM_UPLOADS__MAX_ROOM_MB": "1000",
            "ANTRAGSRAUM_SESSIONS__BACKEND": "file",
            "ANTRAGSRAUM_LIVE__BACKEND": "memory",
            "ANTRAGSRAUM_SCANNING__CLAMD_ADDRESS": clamd,
        }
    )
    return env


async def start_portal(
    stack: contextlib.AsyncExitStack, procs: Processes, tmp: Path, size: int, reps: int, clamd: str
) -> Target:
    """Migrate, create authority, client and Erika's room, log Erika in, warm up."""
    port = free_port()
    env = portal_env(tmp, port, clamd)
    # The room must hold every upload of the run (the default 1000 MB holds 4 x 200 MiB).
    env["ANTRAGSRAUM_UPLOADS__MAX_ROOM_MB"] = str(max(1000, (reps + 1) * size // MiB + 16))
    log = tmp / "portal.log"
    print("portal: migrate, authority, API client ...", flush=True)
    run_cli(["migrate"], env, log)
    run_cli(
        ["authority", "create", "demo-stadt", "Stadt Musterstadt", "--network", "127.0.0.0/8"],
        env,
        log,
    )
    token = run_cli(["client", "create", "demo-stadt"], env, log).strip().splitlines()[-1]
    server = start_uvicorn(procs, "portal", ["app:create_app", "--factory"], env, log, port)
    stack.callback(procs.stop, server.proc)
    await wait_ready(server, "/readyz")
    client = await stack.enter_async_context(
        httpx.AsyncClient(base_url=server.base_url, timeout=HTTP_TIMEOUT, follow_redirects=False)
    )
    created = await client.post(
        "/api/v1/rooms",
        headers={"authorization": f"Bearer {token}"},
        json={
            "case_ref": f"BENCH-{uuid.uuid4().hex[:8]}",
            "title": "Upload-Benchmark",
            "applicant": {
                "subject": "demo-citizen-erika",
                "kind": "person",
                "name": "Erika Mustermann",
            },
        },
    )
    if created.status_code != 201:
        raise RuntimeError(f"room not created: {created.status_code} {created.text}")
    room_id = created.json()["id"]
    await login(client, "erika")
    page = await client.get(f"/rooms/{room_id}")
    if page.status_code != 200:
        raise RuntimeError(f"Erika cannot open the room: {page.status_code}")
    url, params = f"/rooms/{room_id}/uploads", {}
    client.headers["x-csrftoken"] = csrf(client)  # as the page's upload script sends it
    warmed, _ = await post_file(client, url, params, tmp / "warmup.pdf")
    if warmed.status_code != 303:
        raise RuntimeError(f"portal warm-up upload: {warmed.status_code}\n{warmed.text[:800]}")
    print(f"portal: pid {server.pid} on {server.base_url}, Erika's room {room_id}", flush=True)
    return Target(server, client, url, params, 303, Result("portal", size))


async def start_bare(
    stack: contextlib.AsyncExitStack, procs: Processes, tmp: Path, size: int
) -> tuple[Target, Target]:
    port = free_port()
    env = base_env(tmp)
    (tmp / "bare").mkdir()
    env["BENCH_BARE_DIR"] = str(tmp / "bare")
    server = start_uvicorn(procs, "bare", ["bench.bare_app:app"], env, tmp / "bare.log", port)
    stack.callback(procs.stop, server.proc)
    await wait_ready(server, "/healthz")
    client = await stack.enter_async_context(
        httpx.AsyncClient(base_url=server.base_url, timeout=HTTP_TIMEOUT)
    )
    warmed, _ = await post_file(client, "/upload", {}, tmp / "warmup.pdf")
    if warmed.status_code != 200:
        raise RuntimeError(f"bare warm-up upload: {warmed.status_code}")
    hashed, _ = await post_file(client, "/upload-hashed", {}, tmp / "warmup.pdf")
    if hashed.status_code != 200:
        raise RuntimeError(f"bare+sha256 warm-up upload: {hashed.status_code}")
    print(f"bare:   pid {server.pid} on {server.base_url}", flush=True)
    return (
        Target(server, client, "/upload", {}, 200, Result("bare", size)),
        Target(server, client, "/upload-hashed", {}, 200, Result("bare+sha256", size)),
    )


# ------------------------------------------------------------------- breakdown


async def multipart_body(path: Path, boundary: str, chunk: int) -> AsyncIterator[bytes]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"'
        "\r\nContent-Type: application/pdf\r\n\r\n"
    ).encode()
    yield head
    with path.open("rb") as fh:
        while piece := fh.read(chunk):
            yield piece
    yield f"\r\n--{boundary}--\r\n".encode()


@contextlib.contextmanager
def stopwatch(label: str, size: int = 0) -> Iterator[None]:
    """Print wall time, CPU time of this process (all threads) and, given a size, MiB/s."""
    start, cpu = time.perf_counter(), time.process_time()
    yield
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rate = f"  {size / MiB / seconds:8.1f} MiB/s" if size else ""
    print(f"  {label:<46} {seconds:6.2f} s  CPU {cpu:5.2f} s{rate}", flush=True)


async def breakdown(tmp: Path, path: Path, size: int) -> None:
    """Time the portal's upload stages in this process: no HTTP, no event-loop sharing."""
    from app.files.upload_stream import ReceivedUpload, receive
    from app.storage.filesystem import FileStorage
    from rooms.files.filetypes import ZipLimits, verify

    directory = tmp / "breakdown"
    directory.mkdir()
    boundary = "benchboundary" + uuid.uuid4().hex
    storage = FileStorage(tmp / "breakdown-files")

    async def received_from(chunk: int) -> ReceivedUpload:
        return await receive(
            f"multipart/form-data; boundary={boundary}",
            multipart_body(path, boundary, chunk),
            directory=directory,
            max_file=size + 1,
            max_files=10,
        )

    print("\nBreakdown of the portal's upload path (in-process, same file, no HTTP; after the")
    print("servers stopped, so lower bounds for the same steps inside the busy server):")
    os.sync()
    with stopwatch("sha256 alone", size), path.open("rb") as fh:
        digest = hashlib.sha256()
        while piece := fh.read(MiB):
            digest.update(piece)
    for chunk in (64 * 1024, 256 * 1024):
        with stopwatch(f"receive(): parse+hash+write, {chunk // 1024} KiB chunks", size):
            received = await received_from(chunk)
        received.discard()
    os.sync()
    received = await received_from(160 * 1024)  # as uvicorn delivers it, roughly
    [file] = received.files
    with stopwatch("verify(): type check"):
        verify(
            file.path,
            claimed_name=path.name,
            claimed_type="application/pdf",
            allow_zip=False,
            limits=ZipLimits(allow_office_embeddings=True),
        )
    with stopwatch("storage.put_file(): copy + fsync (as now)", size):
        await storage.put_file(f"rooms/bench/{uuid.uuid4()}", file.path, "application/pdf")
    received.discard()
    os.sync()
    received = await received_from(160 * 1024)
    [file] = received.files
    with stopwatch("instead: fsync the received file + os.link()", size):
        with file.path.open("rb") as fh:
            os.fsync(fh.fileno())
        os.link(file.path, tmp / "breakdown-files" / "linked")
    received.discard()
    shutil.rmtree(directory, ignore_errors=True)
    shutil.rmtree(tmp / "breakdown-files", ignore_errors=True)


# ------------------------------------------------------------------------ report


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(portal: Result, bare: Result, hashed: Result, clamd: str, reps: int) -> None:
    ratio = portal.median_mibps / bare.median_mibps
    rss = portal.overall_growth / MiB
    width = 34
    results = (portal, bare, hashed)

    def row(label: str, values: list[float], fmt: str) -> None:
        print(f"  {label:<{width}}" + "".join(f" {v:>12{fmt}}" for v in values))

    def median(values: list[Sample], pick: Any) -> float:
        return statistics.median(pick(s) for s in values)

    print()
    runs = "1 run" if reps == 1 else f"{reps} runs"
    print(f"Upload of a {portal.size / MiB:.0f} MiB PDF, {runs} each:")
    print(f"  {'':<{width}}" + "".join(f" {r.name:>12}" for r in results))
    row("throughput (MiB/s, median)", [r.median_mibps for r in results], ".1f")
    row("wall time (s, median)", [median(r.samples, lambda s: s.seconds) for r in results], ".2f")
    row("peak RSS growth (MiB, whole run)", [r.overall_growth / MiB for r in results], ".1f")
    row("peak RSS growth (MiB, worst upload)", [r.max_growth / MiB for r in results], ".1f")
    row("client's last byte -> response (s)",
        [median(r.samples, lambda s: s.tail) for r in results], ".2f")  # fmt: skip
    row("server CPU per upload (s, median)",
        [median(r.samples, lambda s: s.cpu) for r in results], ".2f")  # fmt: skip
    row("client CPU per upload (s, median)",
        [median(r.samples, lambda s: s.client_cpu) for r in results], ".2f")  # fmt: skip
    row("server disk writes per upload (MiB)",
        [median(r.samples, lambda s: s.written) / MiB for r in results], ".0f")  # fmt: skip
    print()
    ratio_ok, rss_ok = ratio >= GOAL_RATIO, rss < GOAL_PORTAL_RSS_MIB
    goal_ratio, goal_rss = f">= {GOAL_RATIO}", f"< {GOAL_PORTAL_RSS_MIB} MiB"
    print(
        f"  portal/bare throughput ratio {ratio:9.2f}      goal {goal_ratio:<9} {verdict(ratio_ok)}"
    )
    ceiling = hashed.median_mibps / bare.median_mibps
    print(f"  bare+sha256/bare ratio       {ceiling:9.2f}      (the hash alone, on this machine)")
    print(f"  portal/(bare+sha256) ratio   {portal.median_mibps / hashed.median_mibps:9.2f}")
    print(f"  portal peak RSS growth {rss:11.1f} MiB  goal {goal_rss:<9} {verdict(rss_ok)}")
    print()
    client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Notes: ANTRAGSRAUM_SCANNING__CLAMD_ADDRESS={clamd}")
    print("  does not exist: the portal's scanner stays idle (fail closed, the files stay")
    print(f"  quarantined), so no {portal.size // MiB} MiB scan competes for the server's CPU.")
    if portal.peak_reset and bare.peak_reset:
        print("  RSS growth: VmHWM after an upload - VmRSS before it (VmHWM reset by clear_refs).")
    else:
        print("  RSS growth: VmHWM after an upload - VmHWM before it (clear_refs refused).")
    print("  Server disk writes = /proc/<pid>/io write_bytes (the portal's are fsync'd).")
    print(f"  This client's own peak RSS: {client_peak:.0f} MiB (the file is streamed).")
    print("  bare+sha256: the bare handler plus SHA-256 in a worker thread (bench/bare_app.py),")
    print("  the least any upload path that keeps each file's hash must do; the client, the")
    print(f"  server's loop and the hashing share {os.cpu_count()} cores.")
    if bare.note:
        print(f"  {bare.note}.")
    print("  The exit code is 0 whatever the numbers: a benchmark, not a test.")


# -------------------------------------------------------------------------- main


async def run(args: argparse.Namespace, procs: Processes, tmp: Path) -> None:
    size = args.size_mb * MiB
    clamd = f"unix:{tmp / 'no-clamd.sock'}"
    path = tmp / "bench-upload.pdf"
    start = time.perf_counter()
    make_pdf(path, size)
    (tmp / "warmup.pdf").write_bytes(WARMUP_PDF)
    print(f"generated {path.name}: {size / MiB:.0f} MiB in {time.perf_counter() - start:.1f} s")
    print(f"(temporary directory {tmp}; cores: {os.cpu_count()})\n", flush=True)
    async with contextlib.AsyncExitStack() as stack:
        portal = await start_portal(stack, procs, tmp, size, args.reps, clamd)
        bare, hashed = await start_bare(stack, procs, tmp, size)
        print("\nTimed uploads, alternating (each after a sync):", flush=True)
        for rep in range(1, args.reps + 1):
            for target in (portal, bare, hashed):
                await upload_once(target, path, rep)
    info = bare.result.last_body or {}
    if info.get("chunks"):
        bare.result.note = (
            f"uvicorn delivered the {info['size'] / MiB:.0f} MiB body in {info['chunks']} "
            f"chunks (~{info['size'] / info['chunks'] / 1024:.0f} KiB each)"
        )
    shutil.rmtree(tmp / "files", ignore_errors=True)  # the portal's stored copies
    report(portal.result, bare.result, hashed.result, clamd, args.reps)
    if args.breakdown:
        await breakdown(tmp, path, size)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.upload", description=__doc__)
    parser.add_argument("--size-mb", type=int, default=200, help="file size in MiB (max 249)")
    parser.add_argument("--reps", type=int, default=5, help="timed uploads per server")
    parser.add_argument("--breakdown", action="store_true", help="also time the stages")
    args = parser.parse_args()
    if not 1 <= args.size_mb <= 249 or args.reps < 1:
        parser.error("--size-mb must be 1..249 (the portal's limit is 250) and --reps >= 1")

    def terminated(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGHUP, terminated)
    procs = Processes()
    tmp = Path(tempfile.mkdtemp(prefix="antragsraum-bench-"))
    try:
        asyncio.run(run(args, procs, tmp))
    except (RuntimeError, OSError, httpx.HTTPError) as exc:
        print(f"\nbenchmark could not run: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        procs.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
