"""A small asyncio HTTP/1.1 load generator (standard library only) for the server benchmark.

Each of `concurrency` workers sends one request at a time on a fresh connection (gunicorn's
sync workers close every connection), for `seconds`. The generator's own CPU time per request
is reported (`client_cpu_ms`) so its overhead can be told apart from the server's.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

RequestFactory = Callable[[], tuple[str, str, bytes | None]]  # method, path, JSON body


@dataclass
class CellResult:
    requests: int = 0
    ok: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    client_cpu: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return 0.0
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q) - 1]

    @property
    def client_cpu_ms(self) -> float:
        return self.client_cpu * 1000 / self.requests if self.requests else 0.0


async def _one(host: str, port: int, method: str, path: str, body: bytes | None) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {host}",
            "Accept: application/json",
            "Connection: close",
        ]
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    status_line = data.split(b"\r\n", 1)[0]
    return int(status_line.split()[1]) if status_line else 0


async def _run(
    host: str, port: int, factory: RequestFactory, concurrency: int, seconds: float
) -> CellResult:
    result = CellResult()
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            method, path, body = factory()
            started = time.perf_counter()
            try:
                status = await _one(host, port, method, path, body)
            except OSError as exc:
                status = 0
                if len(result.errors) < 3:
                    result.errors.append(repr(exc))
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            result.requests += 1
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if 200 <= status < 300:
                result.ok += 1

    cpu = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu
    return result


def run_cell(
    host: str, port: int, factory: RequestFactory, *, concurrency: int, seconds: float
) -> CellResult:
    return asyncio.run(_run(host, port, factory, concurrency, seconds))
